/**
 * Registrations (trust on first use, auth off) riding the group commit at once, at most. Each one
 * hashes a token and inserts a device inside the commit's transaction, on the thread that also
 * sends every ACK; a burst of thousands of new boards would otherwise make a few huge commits that
 * hold every healthy board's ACK until they end. Paced, each commit carries a bounded share and
 * readings ride between them.
 */
export const REGISTRATIONS_IN_FLIGHT = 16;

/**
 * Starts registrations in arrival order, at most `maxInFlight` before their commits answer (one per
 * gateway, shared by every transport; pure bookkeeping, no timers).
 */
export class RegistrationPacer {
  private inFlight = 0;
  private readonly waiting: ((finished: () => void) => void)[] = [];

  constructor(private readonly maxInFlight = REGISTRATIONS_IN_FLIGHT) {}

  /** Runs `start` now or once a slot frees; `start` calls `finished` exactly once, when its commit answered. */
  run(start: (finished: () => void) => void): void {
    if (this.inFlight >= this.maxInFlight) {
      this.waiting.push(start);
      return;
    }
    this.begin(start);
  }

  /** Registrations waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  private begin(start: (finished: () => void) => void): void {
    this.inFlight++;
    let done = false;
    start(() => {
      if (done) return;
      done = true;
      this.inFlight--;
      const next = this.waiting.shift();
      if (next !== undefined) this.begin(next);
    });
  }
}
