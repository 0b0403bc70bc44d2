import type { Rng } from './rng.js';

/**
 * Reconnect delays: exponential growth from `minMs` by `factor` up to `maxMs`, with "equal jitter"
 * (a uniform draw from the upper half of the step) so a fleet that lost its link together does not
 * come back in lockstep.
 */
export interface BackoffOptions {
  minMs: number;
  maxMs: number;
  factor: number;
}

export class Backoff {
  private attempt = 0;

  constructor(
    private readonly options: BackoffOptions,
    private readonly rng: Rng,
  ) {
    const { minMs, maxMs, factor } = options;
    if (!(minMs > 0 && maxMs >= minMs && factor >= 1)) {
      throw new RangeError(`bad backoff bounds: min ${minMs} ms, max ${maxMs} ms, factor ${factor}`);
    }
  }

  /** Attempts since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  /** The upper bound of the current step, before jitter. */
  ceiling(): number {
    const { minMs, maxMs, factor } = this.options;
    return Math.min(maxMs, minMs * factor ** this.attempt);
  }

  /** Delay before the next attempt, in [ceiling/2, ceiling]; advances the step. */
  next(): number {
    const ceiling = this.ceiling();
    this.attempt += 1;
    return ceiling / 2 + (ceiling / 2) * this.rng.next();
  }

  /** A connection succeeded: start again from the smallest step. */
  reset(): void {
    this.attempt = 0;
  }
}
