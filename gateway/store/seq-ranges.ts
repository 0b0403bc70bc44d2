/**
 * The seqs of one (device, boot) the store holds (pure): a floor (every seq at or below it counts
 * as held: stored from 1 on, or pruned by retention, store/retention.ts) and above it sorted,
 * disjoint, non-adjacent ranges. A board's seqs are nearly contiguous, so a boot of a million readings is
 * usually one range. The text form ([[low, high], ...]) is the `boots.stored` column.
 */
export class SeqRanges {
  /** [low0, high0, low1, high1, ...], ascending, every low above the floor + 1 and above the previous high + 1. */
  private bounds: number[] = [];

  private constructor(private floorSeq: number) {}

  static empty(floor = 0): SeqRanges {
    return new SeqRanges(Math.max(0, floor));
  }

  /**
   * From the `boots.stored` text and the boot's pruned floor. Anything that is not a list of
   * [low, high] integer pairs is passed over (never throws): pairs in any order, overlapping or not.
   */
  static parse(text: string | null, floor = 0): SeqRanges {
    const set = SeqRanges.empty(floor);
    if (text === null || text === '') return set;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return set;
    }
    if (!Array.isArray(parsed)) return set;
    const pairs: [number, number][] = [];
    for (const p of parsed) {
      if (!Array.isArray(p) || p.length !== 2) continue;
      const [low, high] = p as unknown[];
      if (Number.isSafeInteger(low) && Number.isSafeInteger(high) && (low as number) <= (high as number)) pairs.push([low as number, high as number]);
    }
    pairs.sort((a, b) => a[0] - b[0]);
    for (const [low, high] of pairs) set.addRange(low, high);
    return set;
  }

  /** The text form: [[low, high], ...], the floor as [1, floor] (seqs start at 1). */
  toJSON(): string {
    const parts: string[] = this.floorSeq > 0 ? [`[1,${this.floorSeq}]`] : [];
    for (let i = 0; i < this.bounds.length; i += 2) parts.push(`[${this.bounds[i]},${this.bounds[i + 1]}]`);
    return `[${parts.join(',')}]`;
  }

  /** How many ranges above the floor. */
  get rangeCount(): number {
    return this.bounds.length / 2;
  }

  /** The highest seq held (0 when none). */
  highest(): number {
    return this.bounds.length === 0 ? this.floorSeq : (this.bounds[this.bounds.length - 1] as number);
  }

  has(seq: number): boolean {
    if (seq <= this.floorSeq) return seq >= 1;
    const i = this.rangeAtOrAfter(seq);
    return i < this.bounds.length && (this.bounds[i] as number) <= seq;
  }

  /**
   * Whether adding `seq` would need a range of its own (it joins none): what a cap on the ranges
   * checks before adding.
   */
  wouldSplit(seq: number): boolean {
    if (this.has(seq)) return false;
    const i = this.rangeAtOrAfter(seq);
    const prevHigh = i === 0 ? this.floorSeq : (this.bounds[i - 1] as number);
    const nextLow = i < this.bounds.length ? (this.bounds[i] as number) : Number.POSITIVE_INFINITY;
    return prevHigh !== seq - 1 && nextLow !== seq + 1;
  }

  /** Adds `seq`; false when it was held already. */
  add(seq: number): boolean {
    if (this.has(seq)) return false;
    // The usual case: the next seq of the boot.
    const n = this.bounds.length;
    if (n > 0 && this.bounds[n - 1] === seq - 1) {
      this.bounds[n - 1] = seq;
      return true;
    }
    this.addRange(seq, seq);
    return true;
  }

  /**
   * The run of consecutive seqs held right after `after`: `prefix` is its last seq (seqs at or
   * below the floor count as held), `more` whether seqs are held beyond the gap that ends it.
   */
  contiguousAfter(after: number): { prefix: number; more: boolean } {
    const prefix = Math.max(after, this.floorSeq);
    const i = this.rangeAtOrAfter(prefix + 1);
    // Ranges never touch, so the one holding prefix + 1 ends in a gap.
    if (i < this.bounds.length && (this.bounds[i] as number) <= prefix + 1) return { prefix: this.bounds[i + 1] as number, more: i + 2 < this.bounds.length };
    return { prefix, more: i < this.bounds.length };
  }

  /** Adds [low, high], merging with whatever it touches; the floor absorbs what reaches it. */
  private addRange(low: number, high: number): void {
    if (high <= this.floorSeq) return;
    if (low <= this.floorSeq + 1) {
      this.floorSeq = high;
      this.foldIntoFloor();
      return;
    }
    // First range whose high reaches low - 1 (it may merge), last range whose low is within high + 1.
    const i = this.rangeAtOrAfter(low - 1);
    let j = i;
    let lo = low;
    let hi = high;
    while (j < this.bounds.length && (this.bounds[j] as number) <= high + 1) {
      lo = Math.min(lo, this.bounds[j] as number);
      hi = Math.max(hi, this.bounds[j + 1] as number);
      j += 2;
    }
    this.bounds.splice(i, j - i, lo, hi);
  }

  /** Ranges at or below the floor, or adjacent to it, fold into it. */
  private foldIntoFloor(): void {
    let k = 0;
    while (k < this.bounds.length && (this.bounds[k] as number) <= this.floorSeq + 1) {
      this.floorSeq = Math.max(this.floorSeq, this.bounds[k + 1] as number);
      k += 2;
    }
    if (k > 0) this.bounds.splice(0, k);
  }

  /** Index (even) of the first range whose high is >= seq (binary search over the ranges). */
  private rangeAtOrAfter(seq: number): number {
    let lo = 0;
    let hi = this.bounds.length / 2;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.bounds[mid * 2 + 1] as number) < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo * 2;
  }
}
