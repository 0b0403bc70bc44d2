import { U32_RANGE, type DeviceClock } from './clock.js';
import type { Outbox } from './outbox.js';
import { encodeReading, type Timestamp } from './protocol.js';
import type { Rng } from './rng.js';
import type { Scheduler, TimerHandle } from './scheduler.js';
import type { Sensors } from './sensors.js';
import type { TimeSync } from './time-sync.js';

export interface SamplerDeps {
  sensors: Sensors;
  clock: DeviceClock;
  outbox: Outbox;
  timeSync: TimeSync;
  scheduler: Scheduler;
  rng: Rng;
  /** Sample period in board milliseconds (the board's crystal drifts). */
  periodMs: number;
  /** Error of the board's wall clock, added to every epoch timestamp. */
  skewMs: number;
  /** Probabilities per reading of sending a backwards counter or an out-of-range value (0: never; no draw). */
  fieldFaults?: { counterBackwards: number; outOfRange: number };
  /** Runs before each reading is taken (the garbage fault draws here). */
  beforeReading(): void;
  /** A reading went into the buffer. */
  taken(): void;
}

/**
 * A board's sampling: a reading every period of board time, numbered by the boot's seq counter,
 * stamped `u<millis>` until the first time sync and with the board's epoch estimate after, put in
 * the ring buffer (which may drop the oldest). Also keeps the highest seq given up without an ACK.
 */
export class Sampler {
  private lastSeqValue = 0;
  private givenUp = 0;
  private active = false;
  private timer: TimerHandle | null = null;

  constructor(private readonly deps: SamplerDeps) {
    if (!(deps.periodMs > 0)) throw new RangeError(`sample period must be > 0, got ${deps.periodMs}`);
  }

  /** The last seq drawn (readings and malformed readings alike). */
  get lastSeq(): number {
    return this.lastSeqValue;
  }

  /** Highest seq given up without an ACK: dropped (overflow), NAKed, or used by garbage. */
  get highestGivenUp(): number {
    return this.givenUp;
  }

  /** Starts sampling; the first reading after `firstDelayMs` (default: random within a period). */
  start(firstDelayMs?: number): void {
    this.active = true;
    const first = firstDelayMs ?? this.deps.rng.next() * this.deps.clock.realDuration(this.deps.periodMs);
    this.timer = this.deps.scheduler.after(first, () => this.sample());
  }

  stop(): void {
    this.active = false;
    this.timer?.cancel();
    this.timer = null;
  }

  nextSeq(): number {
    this.lastSeqValue += 1;
    return this.lastSeqValue;
  }

  giveUp(seq: number): void {
    this.givenUp = Math.max(this.givenUp, seq);
  }

  private sample(): void {
    this.timer = null;
    if (!this.active) return;
    this.takeReading();
    this.timer = this.deps.scheduler.after(this.deps.clock.realDuration(this.deps.periodMs), () => this.sample());
  }

  private takeReading(): void {
    const uptime = this.deps.clock.uptimeMs();
    const values = this.withFaults(this.deps.sensors.read(uptime));
    this.deps.beforeReading();
    const seq = this.nextSeq();
    const dropped = this.deps.outbox.add(seq, encodeReading({ seq, ts: this.timestampFor(uptime), fields: Object.entries(values) }));
    if (dropped !== null) this.giveUp(dropped);
    this.deps.taken();
  }

  /** Replaces a reading by a faulty one when a field fault is drawn (no draw at probability 0). */
  private withFaults(values: ReturnType<Sensors['read']>): ReturnType<Sensors['read']> {
    const faults = this.deps.fieldFaults;
    if (faults === undefined) return values;
    if (faults.counterBackwards > 0 && this.deps.rng.next() < faults.counterBackwards) return this.deps.sensors.backwards(values) ?? values;
    if (faults.outOfRange > 0 && this.deps.rng.next() < faults.outOfRange) return this.deps.sensors.outOfRange(values);
    return values;
  }

  /** `u<millis>` until the first time sync, the board's epoch estimate (plus its skew) after. */
  private timestampFor(uptime: number): Timestamp {
    const epoch = this.deps.timeSync.epochAt(uptime);
    if (epoch === null) return { kind: 'uptime', millis: uptime % U32_RANGE };
    return { kind: 'epoch', ms: Math.max(0, epoch + this.deps.skewMs) };
  }
}
