/**
 * How many bytes one token of an input budget pays for: a line (or an MQTT message, a UDP line) up
 * to this long costs one token, a longer one a token per started `BYTES_PER_TOKEN`. So the budget
 * charges bytes as well as lines: a peer sending long lines (or over-long ones the gateway has to
 * read and discard) is slowed by what it sends, not only by how many newlines it sends.
 */
export const BYTES_PER_TOKEN = 512;

/** The tokens a message of `bytes` costs (at least one). */
export function tokensFor(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / BYTES_PER_TOKEN));
}

/**
 * An input budget (pure): a token bucket, `perSecond` refilled, `burst` deep, shared by every
 * transport (a TCP connection, an MQTT client or device, a UDP source address). Every message costs
 * `tokensFor(bytes)`: readings, `PING` and `T` alike. An empty bucket means "stop reading this peer
 * for a while", never "drop the message": the one that emptied it is still handled.
 */
export class InputBudget {
  private tokens: number;
  private at: number;
  /** Since when the peer has been over its budget without the bucket filling up again. */
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
   * Takes `cost` tokens. Returns 0 when the budget covered them, else how long to stop reading the
   * peer: until a tenth of a second's worth is back (one timer per many messages, not one per message).
   */
  take(now: number, cost = 1): number {
    this.refill(now);
    this.tokens -= cost;
    if (this.tokens >= 0) return 0;
    this.over ??= now;
    const resumeAt = Math.min(this.burst, Math.max(1, this.perSecond / 10));
    return Math.ceil(((resumeAt - this.tokens) * 1000) / this.perSecond);
  }

  /** How long the peer has been over budget (0: it is not); a full bucket ends it. */
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
