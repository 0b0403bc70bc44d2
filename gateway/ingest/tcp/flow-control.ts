import type { Timers, TimerHandle } from '../../time/timers.js';
import { FairShare } from '../session/fair-share.js';
import type { LimitName } from '../session/limits.js';
import type { ConnectionSocket, TcpLimits } from './connection-deps.js';

export interface FlowDeps {
  readonly socket: Pick<ConnectionSocket, 'pause' | 'destroy'>;
  readonly timers: Timers;
  readonly limits: Pick<TcpLimits, 'maxLinesPerSecond' | 'lineBurst' | 'overBudgetCloseMs' | 'maxUnackedPerConnection' | 'slowReaderTimeoutMs'>;
  /** Counts a limit reached (the session's statistics). */
  limit(name: LimitName): void;
  /** Input may be read again after a pause of the budget or of undrained replies; the connection knows how for its state. */
  resume(): void;
  /** The peer did not read its replies for slowReaderTimeoutMs: the socket is destroyed after this. */
  slowReaderGone(): void;
}

/**
 * Why a connection's input is paused, and for how long. Three reasons, each flow control and not
 * an error: too many readings awaiting their commit (backpressure: TCP pushes back on the board),
 * the input budget (session/fair-share.ts: a small one before HELLO OK, tcp.maxLinesPerSecond
 * after), and replies the peer does not read (kernel buffers full). Input is read again when none
 * holds; a connection over its budget for overBudgetCloseMs, or whose replies stay unread for
 * slowReaderTimeoutMs, is ended.
 */
export class FlowControl {
  private backpressure = false;
  private overBudget = false;
  private repliesPending = false;
  private slowReaderTimer: TimerHandle | null = null;
  private readonly fair: FairShare;

  constructor(
    private readonly deps: FlowDeps,
    now: number,
  ) {
    const { limits } = deps;
    this.fair = new FairShare({ perSecond: limits.maxLinesPerSecond, burst: limits.lineBurst, overBudgetCloseMs: limits.overBudgetCloseMs }, now);
  }

  /** Whether input waits for one of the reasons above. */
  get holding(): boolean {
    return this.backpressure || this.overBudget || this.repliesPending;
  }

  get backpressured(): boolean {
    return this.backpressure;
  }

  /**
   * Takes one line's share of the input budget (by its bytes: session/input-budget.ts). Over it,
   * the socket is not read until the budget is back (the line at hand is still handled); 'close'
   * when the connection stayed over it for overBudgetCloseMs.
   */
  spend(now: number, bytes: number, authenticated: boolean): 'ok' | 'close' {
    const charge = this.fair.charge(now, bytes, authenticated);
    if (charge.kind === 'ok' || this.overBudget) return 'ok';
    if (charge.kind === 'close') return 'close';
    this.overBudget = true;
    this.deps.socket.pause();
    this.deps.limit('INPUT_BUDGET');
    this.deps.timers.after(charge.ms, () => {
      this.overBudget = false;
      this.deps.resume();
    });
    return 'ok';
  }

  /** After a reading was accepted: at maxUnackedPerConnection unsettled, input stops until commits catch up. */
  unsettled(count: number): void {
    if (this.backpressure || count < this.deps.limits.maxUnackedPerConnection) return;
    this.backpressure = true;
    this.deps.socket.pause();
    this.deps.limit('BACKPRESSURE');
  }

  /** After an ACK: true when backpressure just ended (half the limit left), so the caller reads input again. */
  settled(count: number): boolean {
    if (!this.backpressure || count > this.deps.limits.maxUnackedPerConnection / 2) return false;
    this.backpressure = false;
    return true;
  }

  /** Ends backpressure without reading input through the gate (a held connection); true if it was on. */
  endBackpressure(): boolean {
    const was = this.backpressure;
    this.backpressure = false;
    return was;
  }

  /** A reply did not fit the socket's buffer: input pauses until 'drain', or the peer is dropped. */
  repliesNotDrained(): void {
    if (this.repliesPending) return;
    this.repliesPending = true;
    this.deps.socket.pause();
    this.deps.limit('SLOW_READER');
    // Paused, not closed: unless the peer still has not read after slowReaderTimeoutMs.
    this.slowReaderTimer = this.deps.timers.after(this.deps.limits.slowReaderTimeoutMs, () => {
      if (!this.repliesPending) return;
      this.deps.slowReaderGone();
      this.deps.socket.destroy();
    });
  }

  /** The socket's 'drain': replies are read again. */
  drained(): void {
    if (!this.repliesPending) return;
    this.repliesPending = false;
    this.slowReaderTimer?.cancel();
    this.slowReaderTimer = null;
    this.deps.resume();
  }

  close(): void {
    this.slowReaderTimer?.cancel();
    this.slowReaderTimer = null;
  }
}
