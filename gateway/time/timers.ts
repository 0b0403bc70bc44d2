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

export const systemTimers: Timers = {
  now: () => Date.now(),
  after(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};
