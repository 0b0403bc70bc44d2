import type { LineEvent } from '../../protocol/lines.js';

export interface GateDeps {
  /** Input must wait (a HELLO is being registered, or too many readings await commit). */
  holding(): boolean;
  /** The connection takes lines at all (not draining or closed). */
  open(): boolean;
  handle(ev: LineEvent): void;
  resume(): void;
}

/**
 * Keeps a connection's lines in order across pauses: while input is held, the socket is paused and
 * the rest of the current chunk waits here; releasing handles the held lines first, then resumes.
 */
export class InputGate {
  private backlog: LineEvent[] = [];

  constructor(private readonly deps: GateDeps) {}

  /** Handles framed lines in order, holding the rest when input must wait. */
  feed(events: LineEvent[]): void {
    const d = this.deps;
    for (let i = 0; i < events.length; i++) {
      if (d.holding()) {
        for (let j = i; j < events.length; j++) this.backlog.push(events[j] as LineEvent);
        return;
      }
      if (!d.open()) return;
      d.handle(events[i] as LineEvent);
    }
  }

  /** Input may go on (authenticated, or commits caught up): held lines first, then the socket. */
  release(): void {
    const d = this.deps;
    if (d.holding()) return;
    const held = this.backlog;
    this.backlog = [];
    this.feed(held);
    if (!d.holding() && d.open()) d.resume();
  }

  /** The connection ends: held lines are dropped. */
  clear(): void {
    this.backlog = [];
  }
}
