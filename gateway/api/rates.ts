import type { IngestCounters } from '../ingest/counters.js';
import type { TimerHandle, Timers } from '../time/timers.js';

/** One second of ingest: readings accepted and NAKed during the second ending at `t`. */
export interface RateSample {
  t: number;
  accepted: number;
  naks: number;
}

/**
 * Samples the ingest counters once a second and keeps the last `keep` seconds, for the status
 * operation's rates and the dashboard's readings-per-second chart. Reads counters only: it adds
 * nothing to the ingest path.
 */
export class RateMeter {
  private readonly samples: RateSample[] = [];
  private lastAccepted: number;
  private lastNaks: number;
  private timer: TimerHandle | null = null;
  private listener: ((s: RateSample) => void) | null = null;

  constructor(
    private readonly counters: IngestCounters,
    private readonly timers: Timers,
    private readonly keep = 300,
    private readonly periodMs = 1000,
  ) {
    this.lastAccepted = counters.readingsAccepted;
    this.lastNaks = totalNaks(counters);
  }

  start(): void {
    if (this.timer !== null) return;
    this.timer = this.timers.after(this.periodMs, () => this.tick());
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  /** Called with every new sample (one listener: the live feed). */
  onSample(listener: ((s: RateSample) => void) | null): void {
    this.listener = listener;
  }

  history(): readonly RateSample[] {
    return this.samples;
  }

  /** Mean readings accepted per second over the last `seconds` samples. */
  perSecond(seconds: number): number {
    const n = Math.min(seconds, this.samples.length);
    if (n === 0) return 0;
    let sum = 0;
    for (let i = this.samples.length - n; i < this.samples.length; i++) sum += (this.samples[i] as RateSample).accepted;
    return sum / n;
  }

  /** Takes one sample now (the timer calls this; tests may too). */
  sample(): RateSample {
    const accepted = this.counters.readingsAccepted;
    const naks = totalNaks(this.counters);
    const s: RateSample = { t: this.timers.now(), accepted: accepted - this.lastAccepted, naks: naks - this.lastNaks };
    this.lastAccepted = accepted;
    this.lastNaks = naks;
    this.samples.push(s);
    if (this.samples.length > this.keep) this.samples.shift();
    this.listener?.(s);
    return s;
  }

  private tick(): void {
    this.sample();
    this.timer = this.timers.after(this.periodMs, () => this.tick());
  }
}

function totalNaks(c: IngestCounters): number {
  let n = 0;
  for (const v of c.naks.values()) n += v;
  return n;
}
