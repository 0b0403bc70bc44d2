/**
 * Lines from connections that have not authenticated yet, handled per event-loop turn at most,
 * across all connections. A burst of thousands of new boards sends its HELLOs together: one turn
 * reading all of them (a registry look-up and a token check or a registration each) held a healthy
 * board's ACK for over 100 ms. With the share used up, a connection waits for a later turn, in
 * arrival order.
 */
export const GREETINGS_PER_TURN = 64;

/**
 * A budget of work per event-loop turn shared by many takers (pure bookkeeping; `nextTurn` is
 * setImmediate in production). The first take of a turn arms a callback for the next turn, which
 * starts a fresh share and wakes the takers that waited, oldest first, as many as it has room for.
 */
export class TurnShare {
  private used = 0;
  private armed = false;
  private readonly waiting: (() => void)[] = [];
  private head = 0;

  constructor(
    private readonly perTurn: number,
    private readonly nextTurn: (fn: () => void) => void,
  ) {}

  /**
   * One unit of this turn's share: true when taken (go on), false when it is used up or others
   * wait before the caller. Then `granted` runs once, in a later turn, with a unit of that turn's
   * share already taken for the caller (the waiting are let in before newcomers).
   */
  take(granted: () => void): boolean {
    this.arm();
    if (this.used < this.perTurn && this.head === this.waiting.length) {
      this.used++;
      return true;
    }
    this.waiting.push(granted);
    return false;
  }

  /** Takers waiting for a later turn. */
  get queued(): number {
    return this.waiting.length - this.head;
  }

  private arm(): void {
    if (this.armed) return;
    this.armed = true;
    this.nextTurn(() => this.turn());
  }

  private turn(): void {
    this.armed = false;
    const woken = this.waiting.slice(this.head, this.head + this.perTurn);
    this.used = woken.length;
    this.head += woken.length;
    if (this.head === this.waiting.length) {
      this.waiting.length = 0;
      this.head = 0;
    } else if (this.head > 1024) {
      this.waiting.splice(0, this.head);
      this.head = 0;
    }
    if (this.used > 0) this.arm(); // the next turn starts a fresh share (and wakes the rest)
    for (const granted of woken) granted();
  }
}
