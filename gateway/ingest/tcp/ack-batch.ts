import { AckTracker, type Settlement } from '../ack-tracker.js';

/**
 * A connection's acknowledgements: readings registered in arrival order, settled as their commits
 * (or NAKs) come in, and one cumulative ACK per connection per commit — the flush runs once every
 * outcome of a batch is settled (a microtask after the first settle).
 */
export class AckBatch {
  private readonly tracker = new AckTracker();
  private scheduled = false;

  /** `flush` hears the new cumulative ACK, or null when there is nothing new to acknowledge. */
  constructor(private readonly flush: (ack: number | null) => void) {}

  /** Registers a reading in arrival order; returns its ticket. */
  add(seq: number): number {
    return this.tracker.add(seq);
  }

  /** Settles a reading (durable: committed or duplicate; rejected: NAKed; failed: not stored) and schedules the flush. */
  settle(ticket: number, how: boolean | Settlement): void {
    this.tracker.settle(ticket, how);
    this.schedule();
  }

  /** Schedules a flush (at most one pending). */
  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.flush(this.tracker.advance());
    });
  }

  /** Readings registered and not yet settled. */
  get unsettled(): number {
    return this.tracker.unsettled;
  }
}
