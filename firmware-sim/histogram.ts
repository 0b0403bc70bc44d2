/**
 * A log-bucketed latency histogram (about 2 % relative precision) with constant memory, so
 * millions of ACK latencies cost a few hundred counters. Values are milliseconds.
 */
const GROWTH = 1.02;
const LOG_GROWTH = Math.log(GROWTH);

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export class Histogram {
  private readonly counts = new Map<number, number>();
  private n = 0;
  private maximum = 0;

  get count(): number {
    return this.n;
  }

  record(ms: number): void {
    const value = Math.max(0, ms);
    const bucket = bucketOf(value);
    this.counts.set(bucket, (this.counts.get(bucket) ?? 0) + 1);
    this.n += 1;
    this.maximum = Math.max(this.maximum, value);
  }

  merge(other: Histogram): void {
    for (const [bucket, count] of other.counts) this.counts.set(bucket, (this.counts.get(bucket) ?? 0) + count);
    this.n += other.n;
    this.maximum = Math.max(this.maximum, other.maximum);
  }

  /** The value at quantile q (0..1): the upper edge of its bucket, never above the maximum seen. */
  quantile(q: number): number {
    if (this.n === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.n));
    let seen = 0;
    for (const bucket of [...this.counts.keys()].sort((a, b) => a - b)) {
      seen += this.counts.get(bucket) ?? 0;
      if (seen >= rank) return Math.min(this.maximum, upperEdge(bucket));
    }
    return this.maximum;
  }

  summary(): LatencySummary {
    return { count: this.n, p50: this.quantile(0.5), p90: this.quantile(0.9), p99: this.quantile(0.99), max: this.maximum };
  }
}

/** Bucket 0 holds [0, 1) ms; bucket k > 0 holds [GROWTH^(k-1), GROWTH^k). */
function bucketOf(ms: number): number {
  return ms < 1 ? 0 : 1 + Math.floor(Math.log(ms) / LOG_GROWTH);
}

function upperEdge(bucket: number): number {
  return bucket === 0 ? 1 : GROWTH ** bucket;
}
