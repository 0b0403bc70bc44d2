/** What the store knows about one (device, boot) above a seq (ReadingsQueries.contiguousSeq). */
export interface StoredRun {
  /** Highest s such that every seq from the asked one + 1 to s is stored (or was pruned). */
  prefix: number;
  /** Whether the store holds readings above `prefix + 1` (beyond the first gap). */
  more: boolean;
}

/**
 * Cumulative acknowledgement for one (device, boot) over MQTT (pure apart from `rescan`).
 *
 * Unlike a TCP connection, an MQTT stream can lose a message without anyone noticing (QoS 0 while
 * the gateway's session was offline, a board's socket dying after a write), so a gap in the numbers
 * is NOT skipped: `acked` is the highest seq s such that every seq ≤ s is settled: durable in the
 * store, NAKed, or below the board's declared `low=` (it holds nothing below that any more).
 */
export class SeqWindow {
  private prefix: number;
  private readonly ahead = new Set<number>();
  /** Settled seqs above the prefix may be in the store without being in `ahead`: ask the store. */
  private storeAhead: boolean;

  /** @param rescan the store's contiguous run after a seq (readings.contiguousSeq for this boot) */
  constructor(
    private readonly rescan: (after: number) => StoredRun,
    private readonly maxAhead = 4096,
  ) {
    const run = rescan(0);
    this.prefix = run.prefix;
    this.storeAhead = run.more;
  }

  /** Highest seq up to which everything is settled (0: nothing yet). */
  get acked(): number {
    return this.prefix;
  }

  /** A reading was made durable or NAKed. Returns whether `acked` moved. */
  settle(seq: number): boolean {
    if (seq <= this.prefix) return false;
    const before = this.prefix;
    if (seq === this.prefix + 1) this.prefix = seq;
    else if (this.ahead.size < this.maxAhead) this.ahead.add(seq);
    else this.storeAhead = true; // durable, so the store has it; a forgotten NAK waits for low=
    this.advance();
    return this.prefix > before;
  }

  /** The board holds nothing below `low`. Returns whether `acked` moved. */
  raiseLow(low: number): boolean {
    if (low - 1 <= this.prefix) return false;
    this.prefix = low - 1;
    for (const s of this.ahead) if (s <= this.prefix) this.ahead.delete(s);
    this.storeAhead = true;
    this.advance();
    return true;
  }

  private advance(): void {
    for (;;) {
      while (this.ahead.delete(this.prefix + 1)) this.prefix++;
      if (!this.storeAhead) break;
      const run = this.rescan(this.prefix);
      this.storeAhead = run.more;
      if (run.prefix <= this.prefix) break;
      this.prefix = run.prefix;
      for (const s of this.ahead) if (s <= this.prefix) this.ahead.delete(s);
    }
  }
}
