import type { Logger } from '../log.js';
import type { DeviceRegistry } from '../store/devices.js';
import type { TimerHandle, Timers } from '../time/timers.js';
import type { SessionRegistry } from './sessions.js';

/**
 * `sheetlog devices revoke` runs in another process; this watch notices revocations in the shared
 * database and closes the revoked devices' live sessions within `intervalMs`.
 */
export class RevocationWatch {
  private timer: TimerHandle | null = null;
  private since: number;

  constructor(
    private readonly devices: DeviceRegistry,
    private readonly sessions: SessionRegistry,
    private readonly timers: Timers,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {
    this.since = timers.now();
  }

  start(): void {
    this.timer = this.timers.after(this.intervalMs, () => this.check());
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  /** One look at the registry (also called directly by tests). */
  check(): void {
    const now = this.timers.now();
    for (const { id } of this.devices.revokedSince(this.since)) {
      if (this.sessions.kick(id, 'REVOKED', 'device was revoked')) this.log.info({ device: id }, 'revoked device disconnected');
    }
    // Overlap by the interval: a revocation committed during the last check is not missed.
    this.since = now - this.intervalMs;
    if (this.timer !== null) this.timer = this.timers.after(this.intervalMs, () => this.check());
  }
}
