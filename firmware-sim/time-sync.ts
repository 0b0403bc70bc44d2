import { U32_RANGE } from './clock.js';
import { encodeTimeRequest } from './protocol.js';

/**
 * The board's side of Cristian's algorithm (PROTOCOL.md section 3, `T`). A round sends a few
 * requests one after another and keeps the sample with the smallest round trip; its offset maps
 * the board's uptime to gateway epoch time. Pure: callers pass the board's clock readings in.
 */
export interface TimeSample {
  rttMs: number;
  /** Gateway epoch ms minus board uptime ms (uptime does not wrap; see DeviceClock.uptimeMs). */
  offsetMs: number;
}

export interface TimeRequest {
  /** The `<device-millis>` to send (u32). */
  deviceMillis: number;
  /** The previous round's result, reported with `rtt=` and `off=` (off relative to millis()). */
  report: { rttMs: number; offMs: number } | null;
}

export class TimeSync {
  private outstanding: { deviceMillis: number; uptime: number } | null = null;
  private roundBest: TimeSample | null = null;
  private roundSamples = 0;
  private best: TimeSample | null = null;
  private lastRoundAt: number | null = null;

  constructor(private readonly samplesPerRound: number) {
    if (!Number.isInteger(samplesPerRound) || samplesPerRound < 1) {
      throw new RangeError(`samplesPerRound must be a positive integer, got ${samplesPerRound}`);
    }
  }

  /** True once any sample arrived: the board can stamp readings with epoch time. */
  get synced(): boolean {
    return this.best !== null;
  }

  get sample(): TimeSample | null {
    return this.best;
  }

  get awaitingReply(): boolean {
    return this.outstanding !== null;
  }

  /** A round is due when none ran yet, or the last one ended `resyncMs` of uptime ago. */
  roundDue(uptime: number, resyncMs: number): boolean {
    return this.lastRoundAt === null || uptime - this.lastRoundAt >= resyncMs;
  }

  /** Starts a request; the board sends `T <deviceMillis> [rtt= off=]`. */
  request(uptime: number): TimeRequest {
    const deviceMillis = uptime % U32_RANGE;
    this.outstanding = { deviceMillis, uptime };
    const report = this.best
      ? { rttMs: this.best.rttMs, offMs: Math.round(this.best.offsetMs + (uptime - deviceMillis)) }
      : null;
    return { deviceMillis, report };
  }

  /**
   * Handles `T <device-millis> <gateway-epoch-ms>`. Returns 'more' when the round wants another
   * sample, 'done' when the round ended, 'ignored' for a reply that matches no request.
   */
  reply(deviceMillis: number, gatewayEpochMs: number, uptime: number): 'more' | 'done' | 'ignored' {
    const sent = this.outstanding;
    if (!sent || sent.deviceMillis !== deviceMillis) return 'ignored';
    this.outstanding = null;
    const rttMs = uptime - sent.uptime;
    const sample = { rttMs, offsetMs: gatewayEpochMs + rttMs / 2 - uptime };
    if (!this.roundBest || rttMs < this.roundBest.rttMs) this.roundBest = sample;
    // The first sample is used at once; the round's best replaces it when the round ends.
    this.best ??= sample;
    this.roundSamples += 1;
    if (this.roundSamples < this.samplesPerRound) return 'more';
    this.best = this.roundBest;
    this.roundBest = null;
    this.roundSamples = 0;
    this.lastRoundAt = uptime;
    return 'done';
  }

  /** The link went away: a request in flight will never be answered. */
  abandonRequest(): void {
    this.outstanding = null;
  }

  /** Epoch ms for a moment of the board's uptime, or null before the first sample. */
  epochAt(uptime: number): number | null {
    return this.best ? Math.round(uptime + this.best.offsetMs) : null;
  }
}

/** The `T` line of a request (the wire's `rtt=` is whole, non-negative milliseconds). */
export function timeRequestLine(request: TimeRequest): string {
  const report = request.report;
  return encodeTimeRequest({
    deviceMillis: request.deviceMillis,
    ...(report ? { rttMs: Math.max(0, Math.round(report.rttMs)), offMs: report.offMs } : {}),
  });
}
