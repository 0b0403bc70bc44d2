/**
 * Time as a dependency. Simulator code never reads the global clock or calls setTimeout itself:
 * it takes a Scheduler, so tests drive time by hand (ManualScheduler) instead of sleeping.
 */
export interface TimerHandle {
  cancel(): void;
}

export interface Scheduler {
  /** True wall-clock time in epoch milliseconds (devices derive their own drifting clocks from it). */
  now(): number;
  /** Runs fn once after ms (>= 0). */
  after(ms: number, fn: () => void): TimerHandle;
}

/** The real clock. Timers keep the process alive: a running fleet is the process's work. */
export const systemScheduler: Scheduler = {
  now: () => Date.now(),
  after(ms, fn) {
    const timer = setTimeout(fn, Math.max(0, ms));
    return { cancel: () => clearTimeout(timer) };
  },
};

/** Resolves after ms of the scheduler's time. */
export function delay(scheduler: Scheduler, ms: number): Promise<void> {
  return new Promise((resolve) => scheduler.after(ms, resolve));
}

/** Resolves with the promise's value, or with `fallback` when ms of the scheduler's time pass first. */
export function withTimeout<T>(scheduler: Scheduler, promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = scheduler.after(ms, () => resolve(fallback));
    promise.then(
      (value) => {
        timer.cancel();
        resolve(value);
      },
      (error: unknown) => {
        timer.cancel();
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
