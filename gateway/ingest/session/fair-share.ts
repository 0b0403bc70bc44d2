import { InputBudget, tokensFor } from './input-budget.js';

/**
 * Before authentication a peer may send 8 messages at once, then 1 a second: enough for a HELLO and
 * a T, and an unauthenticated flood sits unread until the hello timeout instead of being answered
 * (and reconnecting) as fast as it can.
 */
export const GREETING_BURST = 8;
export const GREETING_PER_SECOND = 1;

export interface FairShareLimits {
  /** Tokens per second once authenticated (a token: a message up to BYTES_PER_TOKEN bytes). */
  perSecond: number;
  burst: number;
  /** Over budget this long without the bucket filling up once: the peer is cut off (0: never). */
  overBudgetCloseMs: number;
}

/** What to do with a peer after a message: go on, stop reading it for `ms`, or close it (INPUT_RATE). */
export type Charge = { kind: 'ok' } | { kind: 'pause'; ms: number } | { kind: 'close' };

/**
 * One peer's fair share of the gateway (a TCP connection, an MQTT client or device, a UDP source):
 * the input budget once authenticated, a much smaller one before, and how long it may stay over
 * budget. Transports charge every message and act on the answer by their own means (pause a
 * socket, pause an MQTT client, answer BUSY); the counting is theirs through the session's `limit`.
 */
export class FairShare {
  private readonly budget: InputBudget;
  private readonly greeting: InputBudget;

  constructor(
    private readonly limits: FairShareLimits,
    now: number,
  ) {
    this.budget = new InputBudget(limits.perSecond, limits.burst, now);
    this.greeting = new InputBudget(GREETING_PER_SECOND, GREETING_BURST, now);
  }

  /** Charges a message of `bytes` received at `now`; `authenticated` picks the budget. */
  charge(now: number, bytes: number, authenticated: boolean): Charge {
    const budget = authenticated ? this.budget : this.greeting;
    const ms = budget.take(now, tokensFor(bytes));
    if (ms === 0) return { kind: 'ok' };
    if (this.limits.overBudgetCloseMs > 0 && budget.overFor(now) >= this.limits.overBudgetCloseMs) return { kind: 'close' };
    return { kind: 'pause', ms };
  }
}
