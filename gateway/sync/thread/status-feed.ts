import type { TimerHandle, Timers } from '../../time/timers.js';
import type { SinkStatus } from '../status.js';

/**
 * Sends the sinks' status to the main thread when it changed, at most once per `intervalMs`: it
 * looks at that pace by itself (the workers change state without telling anyone) and sooner
 * when poked (a cursor moved), so the main thread always has a recent snapshot to answer from.
 */
export class StatusFeed {
  private lastText = '';
  private lastAt = Number.NEGATIVE_INFINITY;
  private pending: TimerHandle | null = null;
  private closed = false;

  constructor(
    private readonly read: () => SinkStatus[],
    private readonly send: (status: SinkStatus[]) => void,
    private readonly timers: Timers,
    private readonly intervalMs = 250,
  ) {
    this.poke();
  }

  /** Something may have changed: send a snapshot as soon as the rate allows, if it differs. */
  poke(): void {
    if (this.pending !== null || this.closed) return;
    const wait = Math.max(0, this.lastAt + this.intervalMs - this.timers.now());
    this.pending = this.timers.after(wait, () => {
      this.pending = null;
      this.flush();
    });
  }

  close(): void {
    this.closed = true;
    this.pending?.cancel();
    this.pending = null;
  }

  private flush(): void {
    if (this.closed) return;
    this.lastAt = this.timers.now();
    const status = this.read();
    const text = JSON.stringify(status);
    if (text !== this.lastText) {
      this.lastText = text;
      this.send(status);
    }
    // Look again after a while even if nobody pokes: states change without a cursor moving.
    this.poke();
  }
}
