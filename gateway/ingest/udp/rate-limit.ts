interface Bucket {
  tokens: number;
  at: number;
  /** BUSY was answered; until then further datagrams over the rate get no reply. */
  toldUntil: number;
}

/**
 * Token buckets per source address (pure: time is passed in). Each source may take `burst` at
 * once and `ratePerSec` on average. At most `maxSources` are remembered; the least recently seen
 * is forgotten first (it comes back with a full bucket, which is no worse than a new source).
 */
export class SourceRateLimit {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    private readonly maxSources: number,
  ) {}

  /** Takes `n` tokens for `source`. Returns 0 when allowed, else the ms until they would be. */
  take(source: string, n: number, now: number): number {
    let b = this.buckets.get(source);
    if (b === undefined) {
      b = { tokens: this.burst, at: now, toldUntil: 0 };
    } else {
      this.buckets.delete(source);
      b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.ratePerSec);
      b.at = now;
    }
    this.buckets.set(source, b);
    if (this.buckets.size > this.maxSources) this.buckets.delete(this.buckets.keys().next().value as string);
    // A datagram may hold more lines than the burst (a large udp.maxDatagramBytes). It passes once the
    // bucket is full and is charged in full: the debt delays what follows, so big datagrams cannot
    // slip past the rate (and waiting for more than the burst would never end).
    const need = Math.min(n, this.burst);
    if (need <= b.tokens) {
      b.tokens -= n;
      return 0;
    }
    return Math.ceil(((need - b.tokens) / this.ratePerSec) * 1000);
  }

  /**
   * Whether a datagram of `source` refused for `waitMs` should be answered BUSY: only the first one
   * of a wait is, so a flood over the rate costs one reply per wait, not one per datagram (and the
   * gateway cannot be used to reflect traffic at a forged source address).
   */
  tell(source: string, now: number, waitMs: number): boolean {
    const b = this.buckets.get(source);
    if (b === undefined) return true;
    if (now < b.toldUntil) return false;
    b.toldUntil = now + waitMs;
    return true;
  }

  get size(): number {
    return this.buckets.size;
  }
}
