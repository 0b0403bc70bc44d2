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
  /**
   * With even pacing: how many requests of a kind may go back to back after a quiet spell (default
   * 1). Credit for one more builds up every windowMs / limit while nothing is sent, up to this;
   * under steady demand requests stay windowMs / limit apart.
   */
  evenBurst?: number;
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
  /** Even pacing: when the next request would be due with no credit left (a virtual schedule). */
  private readonly paced: Record<RequestKind, number> = { read: Number.NEGATIVE_INFINITY, write: Number.NEGATIVE_INFINITY };
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
        const now = this.timers.now();
        this.sent[kind].push(now);
        this.paced[kind] = Math.max(this.paced[kind], now) + this.spacing(kind);
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
    if (this.limits.pacing === 'even') due = Math.max(due, this.paced[kind] - (Math.max(1, this.limits.evenBurst ?? 1) - 1) * this.spacing(kind));
    return due <= now ? 0 : Math.max(1, Math.ceil(due - now));
  }

  /** Even pacing's distance between requests of a kind. */
  private spacing(kind: RequestKind): number {
    return this.limits.windowMs / this.limit(kind);
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
