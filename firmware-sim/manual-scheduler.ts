import type { Scheduler, TimerHandle } from './scheduler.js';

interface Pending {
  due: number;
  order: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * A Scheduler whose time moves only when told to (tests, deterministic simulations).
 * Timers due at the same instant run in the order they were set.
 */
export class ManualScheduler implements Scheduler {
  private time: number;
  private order = 0;
  private pending: Pending[] = [];

  constructor(startEpochMs = Date.UTC(2026, 0, 1)) {
    this.time = startEpochMs;
  }

  now(): number {
    return this.time;
  }

  after(ms: number, fn: () => void): TimerHandle {
    // Whole milliseconds, never early, like Date.now() and setTimeout.
    const entry: Pending = { due: this.time + Math.max(0, Math.ceil(ms)), order: this.order++, fn, cancelled: false };
    this.pending.push(entry);
    return {
      cancel: () => {
        entry.cancelled = true;
      },
    };
  }

  /** Moves time forward by ms, running every timer that falls due, in time order. */
  advance(ms: number): void {
    const end = this.time + Math.max(0, Math.round(ms));
    for (let next = this.popDue(end); next; next = this.popDue(end)) {
      this.time = next.due;
      next.fn();
    }
    this.time = end;
  }

  /** Number of timers still waiting (cancelled ones excluded). */
  get timerCount(): number {
    return this.pending.filter((p) => !p.cancelled).length;
  }

  private popDue(end: number): Pending | undefined {
    this.pending = this.pending.filter((p) => !p.cancelled);
    let best: Pending | undefined;
    for (const p of this.pending) {
      if (p.due <= end && (!best || p.due < best.due || (p.due === best.due && p.order < best.order))) best = p;
    }
    if (best) this.pending.splice(this.pending.indexOf(best), 1);
    return best;
  }
}
