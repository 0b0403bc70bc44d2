import type { Backoff } from './backoff.js';
import type { Rng } from './rng.js';
import type { Scheduler, TimerHandle } from './scheduler.js';

/**
 * When a board that lost its link tries again: after the gateway's BUSY retry time (plus up to
 * half of it again, so a fleet told BUSY together does not come back together), else after the
 * jittered exponential backoff. At most one reconnect is pending.
 */
export class Reconnect {
  private timer: TimerHandle | null = null;
  private busyRetryMs: number | null = null;

  constructor(
    private readonly backoff: Backoff,
    private readonly rng: Rng,
    private readonly scheduler: Scheduler,
  ) {}

  /** BUSY: the next reconnect waits this long instead of the backoff (once). */
  retryAfter(ms: number): void {
    this.busyRetryMs = ms;
  }

  /** Runs `connect` after the delay. */
  schedule(connect: () => void): void {
    const retry = this.busyRetryMs;
    this.busyRetryMs = null;
    const delay = retry !== null ? retry + (retry / 2) * this.rng.next() : this.backoff.next();
    this.timer = this.scheduler.after(delay, () => {
      this.timer = null;
      connect();
    });
  }

  /** Cancels a pending reconnect; idempotent. */
  cancel(): void {
    this.timer?.cancel();
    this.timer = null;
  }
}
