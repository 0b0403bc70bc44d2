/**
 * A connection's input budget (pure): a token bucket of lines, `perSecond` refilled, `burst` deep.
 * Every line costs one token, readings, `PING` and `T` alike. An empty bucket means "pause this
 * connection for a while", never "drop the line": the line that emptied it is still handled.
 */
export class LineBudget {
  private tokens: number;
  private at: number;
  /** Since when the connection has been over its budget without the bucket filling up again. */
  private over: number | null = null;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.at = now;
  }

  /**
   * Takes one line's token. Returns 0 when the budget covered it, else how long to pause the
   * connection: until a tenth of a second's worth of lines is back (one timer per many lines,
   * not one per line).
   */
  take(now: number): number {
    this.refill(now);
    this.tokens -= 1;
    if (this.tokens >= 0) return 0;
    this.over ??= now;
    const resumeAt = Math.min(this.burst, Math.max(1, this.perSecond / 10));
    return Math.ceil(((resumeAt - this.tokens) * 1000) / this.perSecond);
  }

  /** How long the connection has been over budget (0: it is not); a full bucket ends it. */
  overFor(now: number): number {
    this.refill(now);
    return this.over === null ? 0 : now - this.over;
  }

  private refill(now: number): void {
    if (now > this.at) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) * this.perSecond) / 1000);
      this.at = now;
    }
    if (this.tokens >= this.burst) this.over = null;
  }
}
