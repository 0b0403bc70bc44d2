const PENDING = 0;
const DURABLE = 1;
const REJECTED = 2;
/** Not stored (the disk is full): no ACK may ever cover it, so acknowledgement stops before it. */
const FAILED = 3;

export type Settlement = 'durable' | 'rejected' | 'failed';

/**
 * Cumulative acknowledgement for one connection (pure). Readings are numbered in arrival order;
 * `advance()` reports a new `ACK <seq>` when the settled prefix grew: the largest seq in that prefix.
 * Nothing waits for a seq that never arrived, so gaps in a board's numbering never stall ACKs.
 */
export class AckTracker {
  private seqs: number[] = [];
  private states: number[] = [];
  /** Position of the first unsettled reading in the arrays. */
  private head = 0;
  /** Arrival number of seqs[0]: tickets stay valid when the arrays are compacted. */
  private base = 0;
  private prefixMax = 0;
  private lastSent = 0;
  private prefixHasDurable = false;
  private pending = 0;
  /** A reading failed: the cumulative ACK never moves past it again on this connection. */
  private stopped = false;

  /** Registers a reading in arrival order; returns its ticket. */
  add(seq: number): number {
    this.seqs.push(seq);
    this.states.push(PENDING);
    this.pending++;
    return this.base + this.seqs.length - 1;
  }

  /**
   * Marks a reading settled: durable (committed or duplicate), rejected (NAKed), or failed (not
   * stored and not answered per reading: the connection said BUSY; nothing after it is acknowledged).
   */
  settle(ticket: number, how: boolean | Settlement): void {
    const i = ticket - this.base;
    if (i < this.head || i >= this.states.length || this.states[i] !== PENDING) return;
    const settlement = how === true ? 'durable' : how === false ? 'rejected' : how;
    this.states[i] = settlement === 'durable' ? DURABLE : settlement === 'rejected' ? REJECTED : FAILED;
    this.pending--;
  }

  /**
   * The new cumulative ACK value, or null when there is nothing new to acknowledge. An advance over
   * rejected readings alone sends no ACK: each of those already got its NAK.
   */
  advance(): number | null {
    while (!this.stopped && this.head < this.states.length && this.states[this.head] !== PENDING) {
      if (this.states[this.head] === FAILED) {
        this.stopped = true;
        break;
      }
      const seq = this.seqs[this.head] as number;
      if (seq > this.prefixMax) this.prefixMax = seq;
      if (this.states[this.head] === DURABLE) this.prefixHasDurable = true;
      this.head++;
    }
    this.compact();
    if (!this.prefixHasDurable || this.prefixMax <= this.lastSent) return null;
    this.lastSent = this.prefixMax;
    this.prefixHasDurable = false;
    return this.prefixMax;
  }

  /** Readings registered but not yet settled. */
  get unsettled(): number {
    return this.pending;
  }

  /** Whether a failed reading stopped acknowledgement on this connection. */
  get failed(): boolean {
    return this.stopped;
  }

  private compact(): void {
    if (this.stopped) return;
    if (this.head < 1024 || this.head * 2 < this.seqs.length) return;
    this.seqs = this.seqs.slice(this.head);
    this.states = this.states.slice(this.head);
    this.base += this.head;
    this.head = 0;
  }
}
