import type { TimerHandle, Timers } from '../time/timers.js';

export type RequestKind = 'read' | 'write';

export interface RateLimits {
  readsPerWindow: number;
  writesPerWindow: number;
  windowMs: number;
  /**
   * burst (default): any number of requests at once while the window has room; then nothing until
   * the oldest leaves it. even: also at least windowMs / limit apart, so a sink with a steady
   * trickle of small batches never uses up the window in a burst and then stalls for most of it.
   */
  pacing?: Pacing;
}

export type Pacing = 'burst' | 'even';

/** The limiter was closed while a request waited for a slot. */
export class LimiterClosedError extends Error {
  readonly code = 'LIMITER_CLOSED';
  constructor() {
    super('rate limiter closed');
  }
}

/**
 * A sliding-window request limiter, kept below the destination's quota so that 429s are the
 * exception. Reads and writes are counted separately (Google counts them against separate
 * per-minute quotas). `acquire` resolves when a slot is free and counts the request at once, so
 * a request that later fails still counts, as it does at Google. With even pacing, requests of a
 * kind are also spaced windowMs / limit apart: the same number per window, spread over it.
 */
export class RateLimiter {
  private readonly sent: Record<RequestKind, number[]> = { read: [], write: [] };
  private readonly waiting = new Set<{ handle: TimerHandle; reject: (e: Error) => void }>();
  private closed = false;

  constructor(
    private readonly limits: RateLimits,
    private readonly timers: Timers,
  ) {
    if (limits.readsPerWindow < 1 || limits.writesPerWindow < 1 || limits.windowMs < 1) {
      throw new RangeError('rate limits must be at least 1 request per window of at least 1 ms');
    }
  }

  async acquire(kind: RequestKind): Promise<void> {
    for (;;) {
      if (this.closed) throw new LimiterClosedError();
      const wait = this.delayFor(kind);
      if (wait === 0) {
        this.sent[kind].push(this.timers.now());
        return;
      }
      await this.sleep(wait);
    }
  }

  /** Milliseconds until a request of this kind may be sent (0: now). */
  delayFor(kind: RequestKind): number {
    const times = this.prune(kind);
    const now = this.timers.now();
    let due = times.length < this.limit(kind) ? now : (times[0] as number) + this.limits.windowMs;
    const last = times[times.length - 1];
    if (this.limits.pacing === 'even' && last !== undefined) due = Math.max(due, last + this.limits.windowMs / this.limit(kind));
    return due <= now ? 0 : Math.max(1, Math.ceil(due - now));
  }

  used(kind: RequestKind): number {
    return this.prune(kind).length;
  }

  limit(kind: RequestKind): number {
    return kind === 'read' ? this.limits.readsPerWindow : this.limits.writesPerWindow;
  }

  get windowMs(): number {
    return this.limits.windowMs;
  }

  /** Fails every waiting and future acquire (shutdown). */
  close(): void {
    this.closed = true;
    for (const w of this.waiting) {
      w.handle.cancel();
      w.reject(new LimiterClosedError());
    }
    this.waiting.clear();
  }

  private prune(kind: RequestKind): number[] {
    const times = this.sent[kind];
    const horizon = this.timers.now() - this.limits.windowMs;
    let drop = 0;
    while (drop < times.length && (times[drop] as number) <= horizon) drop++;
    if (drop > 0) times.splice(0, drop);
    return times;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const entry = {
        handle: this.timers.after(ms, () => {
          this.waiting.delete(entry);
          resolve();
        }),
        reject,
      };
      this.waiting.add(entry);
    });
  }
}
