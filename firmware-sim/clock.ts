/**
 * A board's own clock: `millis()` since boot, running fast or slow by its crystal's drift, as an
 * unsigned 32-bit value that rolls over after 49.7 days like Arduino's millis().
 */
export const U32_RANGE = 2 ** 32;

/** Signed 32-bit difference a − b of two u32 millis values (correct across one rollover). */
export function millisDiff(a: number, b: number): number {
  return (a - b) | 0;
}

export interface DeviceClockOptions {
  /** Crystal error in parts per million; positive runs fast. */
  driftPpm: number;
  /** Uptime at boot, to start a board near the 2^32 rollover in tests. Default 0. */
  startUptimeMs?: number;
}

export class DeviceClock {
  private bootAt: number;
  private readonly rate: number;
  private readonly startUptimeMs: number;

  constructor(
    private readonly now: () => number,
    options: DeviceClockOptions,
  ) {
    if (!Number.isFinite(options.driftPpm) || Math.abs(options.driftPpm) >= 1e5) {
      throw new RangeError(`driftPpm must be a finite number below 100000, got ${options.driftPpm}`);
    }
    this.rate = 1 + options.driftPpm / 1e6;
    this.startUptimeMs = options.startUptimeMs ?? 0;
    this.bootAt = now();
  }

  /** Power-up: uptime starts again. */
  reboot(): void {
    this.bootAt = this.now();
  }

  /** Milliseconds since boot as the board counts them, never wrapping (for internal bookkeeping). */
  uptimeMs(): number {
    return this.startUptimeMs + Math.floor((this.now() - this.bootAt) * this.rate);
  }

  /** What `millis()` returns on the board: the uptime modulo 2^32. */
  millis(): number {
    return this.uptimeMs() % U32_RANGE;
  }

  /** Real milliseconds that pass while the board counts `deviceMs`. */
  realDuration(deviceMs: number): number {
    return deviceMs / this.rate;
  }
}
