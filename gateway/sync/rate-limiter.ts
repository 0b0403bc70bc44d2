import type { TimerHandle, Timers } from '../time/timers.js';

export type RequestKind = 'read' | 'write';

export interface RateLimits {
  readsPerWindow: number;
  writesPerWindow: number;
  windowMs: number;
}

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
 * a request that later fails still counts, as it does at Google.
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
    if (times.length < this.limit(kind)) return 0;
    return Math.max(1, (times[0] as number) + this.limits.windowMs - this.timers.now());
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
