/**
 * A set of non-negative integers stored as sorted, disjoint, non-adjacent ranges: the seqs a board
 * saw acknowledged are nearly contiguous, so a long run costs a few ranges, not a set of numbers.
 */
export type Range = readonly [low: number, high: number];

export class RangeSet {
  private ranges: [number, number][] = [];
  private total = 0;

  get size(): number {
    return this.total;
  }

  toArray(): Range[] {
    return this.ranges.map(([low, high]) => [low, high] as const);
  }

  has(n: number): boolean {
    const i = this.indexAtOrAfter(n);
    const r = this.ranges[i];
    return r !== undefined && r[0] <= n;
  }

  /** Adds n; returns false when it was already present. */
  add(n: number): boolean {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`not a non-negative integer: ${n}`);
    const i = this.indexAtOrAfter(n);
    const next = this.ranges[i];
    if (next && next[0] <= n) return false;
    const prev = this.ranges[i - 1];
    const joinsPrev = prev !== undefined && prev[1] === n - 1;
    const joinsNext = next !== undefined && next[0] === n + 1;
    if (joinsPrev && joinsNext) {
      prev[1] = next[1];
      this.ranges.splice(i, 1);
    } else if (joinsPrev) prev[1] = n;
    else if (joinsNext) next[0] = n;
    else this.ranges.splice(i, 0, [n, n]);
    this.total += 1;
    return true;
  }

  max(): number | null {
    const last = this.ranges[this.ranges.length - 1];
    return last ? last[1] : null;
  }

  *[Symbol.iterator](): IterableIterator<number> {
    for (const [low, high] of this.ranges) for (let n = low; n <= high; n++) yield n;
  }

  /** Index of the first range whose high end is >= n (binary search). */
  private indexAtOrAfter(n: number): number {
    let lo = 0;
    let hi = this.ranges.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.ranges[mid] as [number, number])[1] < n) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
