import type { LineEvent } from '../../protocol/lines.js';

export interface GateDeps {
  /** Input must wait (a HELLO is being registered, too many readings await commit, over budget, replies not drained). */
  holding(): boolean;
  /** The connection takes lines at all (not draining or closed). */
  open(): boolean;
  handle(ev: LineEvent): void;
  pause(): void;
  resume(): void;
  /** Lines handled per event-loop turn at most: the rest waits for the next turn. */
  maxLinesPerTurn: number;
  /** Runs `fn` in a later event-loop turn (setImmediate). */
  nextTurn(fn: () => void): void;
}

/**
 * Keeps a connection's lines in order across pauses: while input is held, the socket is paused and
 * the rest of the current chunk waits here; releasing handles the held lines first, then resumes.
 * It also bounds the event-loop time one connection takes: after `maxLinesPerTurn` lines it pauses
 * the socket and goes on in the next turn, so one busy connection cannot delay every other one.
 */
export class InputGate {
  private backlog: LineEvent[] = [];
  private handledThisTurn = 0;
  private yielding = false;

  constructor(private readonly deps: GateDeps) {}

  /** Handles framed lines in order, holding the rest when input must wait. `fresh`: a new chunk from the socket (a new turn). */
  feed(events: LineEvent[], fresh = false): void {
    const d = this.deps;
    if (fresh && !this.yielding) this.handledThisTurn = 0;
    for (let i = 0; i < events.length; i++) {
      if (this.yielding || d.holding()) {
        for (let j = i; j < events.length; j++) this.backlog.push(events[j] as LineEvent);
        return;
      }
      if (!d.open()) return;
      d.handle(events[i] as LineEvent);
      if (++this.handledThisTurn >= d.maxLinesPerTurn && i + 1 < events.length) this.yieldTurn();
    }
  }

  /** Input may go on (authenticated, commits caught up, budget back, replies drained): held lines first, then the socket. */
  release(): void {
    const d = this.deps;
    if (this.yielding || d.holding()) return;
    if (!d.open()) {
      // The connection takes no more lines (draining, or held after BUSY): what was held is dropped,
      // as feed() drops it, and the socket is read again so its close is seen. A pause from a
      // yielded turn must never outlive the turn.
      this.backlog = [];
      d.resume();
      return;
    }
    const held = this.backlog;
    this.backlog = [];
    this.feed(held);
    if (!this.yielding && !d.holding() && d.open() && this.backlog.length === 0) d.resume();
  }

  /** The connection ends: held lines are dropped. */
  clear(): void {
    this.backlog = [];
  }

  private yieldTurn(): void {
    this.yielding = true;
    this.deps.pause();
    this.deps.nextTurn(() => {
      this.yielding = false;
      this.handledThisTurn = 0;
      this.release();
    });
  }
}
