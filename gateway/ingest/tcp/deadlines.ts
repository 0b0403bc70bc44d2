import type { TimerHandle, Timers } from '../../time/timers.js';

/** How long a peer has to close its side after the gateway ended the connection. */
export const CLOSE_GRACE_MS = 2000;

export interface DeadlineHandlers {
  /** No HELLO arrived in time. */
  helloTimeout(): void;
  /** No line arrived for the idle limit. */
  idle(): void;
  /** The peer did not close within the grace after the gateway ended the connection. */
  graceOver(): void;
}

/**
 * The timers of one TCP connection: the HELLO deadline, the idle limit and the close grace.
 * The idle limit is checked lazily: one timer per connection instead of one per line.
 */
export class ConnectionDeadlines {
  private helloTimer: TimerHandle | null;
  private idleTimer: TimerHandle | null = null;
  private closeTimer: TimerHandle | null = null;
  /** When the last line arrived (or the connection opened). */
  lastLineAt: number;

  constructor(
    private readonly timers: Timers,
    private readonly limits: { helloTimeoutMs: number; idleTimeoutMs: number },
    private readonly on: DeadlineHandlers,
  ) {
    this.lastLineAt = timers.now();
    this.helloTimer = timers.after(limits.helloTimeoutMs, () => {
      this.helloTimer = null;
      on.helloTimeout();
    });
    this.armIdle(limits.idleTimeoutMs);
  }

  /** The HELLO was accepted, or the connection is ending: the HELLO deadline no longer applies. */
  helloDone(): void {
    this.helloTimer?.cancel();
    this.helloTimer = null;
  }

  /** The gateway ended its side: give the peer the grace to close its own (once). */
  closing(): void {
    this.closeTimer ??= this.timers.after(CLOSE_GRACE_MS, () => this.on.graceOver());
  }

  /** The connection closed: no timer fires any more. */
  cancel(): void {
    this.helloTimer?.cancel();
    this.idleTimer?.cancel();
    this.closeTimer?.cancel();
    this.idleTimer = null;
  }

  private armIdle(ms: number): void {
    this.idleTimer = this.timers.after(ms, () => {
      const idleFor = this.timers.now() - this.lastLineAt;
      const limit = this.limits.idleTimeoutMs;
      if (idleFor < limit) this.armIdle(limit - idleFor);
      else this.on.idle();
    });
  }
}
