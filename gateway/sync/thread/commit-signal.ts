import type { TimerHandle, Timers } from '../../time/timers.js';

/**
 * Coalesces commit notifications: the first one goes out at once (an idle sink starts without
 * delay), later ones within `gapMs` are folded into one message at the end of the gap. At 500
 * commits per second that is at most one message per gap, not one per commit, and a call costs a
 * flag check on the ingest path.
 */
export class CommitSignal {
  private holding: TimerHandle | null = null;
  private dirty = false;
  private closed = false;

  constructor(
    private readonly gapMs: number,
    private readonly timers: Timers,
    private readonly send: () => void,
  ) {}

  fire(): void {
    if (this.closed) return;
    if (this.holding !== null) {
      this.dirty = true;
      return;
    }
    this.send();
    this.holding = this.timers.after(this.gapMs, () => {
      this.holding = null;
      if (this.dirty) {
        this.dirty = false;
        this.fire();
      }
    });
  }

  close(): void {
    this.closed = true;
    this.holding?.cancel();
    this.holding = null;
  }
}
