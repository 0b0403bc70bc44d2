/**
 * Time as a dependency: production code takes a Timers and never reads the global clock, so tests
 * can drive time by hand instead of sleeping.
 */
export interface TimerHandle {
  cancel(): void;
}

export interface Timers {
  /** Wall-clock milliseconds since the epoch. */
  now(): number;
  /** Runs fn once after ms. Unref'd timers never keep the process alive on their own. */
  after(ms: number, fn: () => void): TimerHandle;
}

/** A Node timer as a TimerHandle: one small object per timer (a connection holds one for days). */
class NodeTimerHandle implements TimerHandle {
  constructor(private readonly timeout: NodeJS.Timeout) {}

  cancel(): void {
    clearTimeout(this.timeout);
  }
}

export const systemTimers: Timers = {
  now: () => Date.now(),
  after(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref();
    return new NodeTimerHandle(t);
  },
};
