import type { LineEvent } from '../../protocol/lines.js';
import type { ConnectionSocket } from './connection-deps.js';
import type { TurnShare } from '../turn-share.js';
import type { ReadSlots, ReadTicket, SlotHolder } from '../read-slots.js';

export interface GateDeps {
  /** Input must wait (a HELLO is being registered, too many readings await commit, over budget, replies not drained). */
  holding(): boolean;
  /** The connection takes lines at all (not draining, held or closed). */
  open(): boolean;
  /** Frames bytes into lines (the connection's LineSplitter: it keeps a partial line between calls). */
  split(bytes: Buffer): LineEvent[];
  handle(ev: LineEvent): void;
  /** Paused while input waits; corked for one turn's lines, so their replies leave in one write. */
  readonly socket: Pick<ConnectionSocket, 'pause' | 'resume' | 'cork' | 'uncork'>;
  /** Lines handled per event-loop turn at most: the rest waits for the next turn. */
  maxLinesPerTurn: number;
  /** Runs `fn` in a later event-loop turn (setImmediate). */
  nextTurn(fn: () => void): void;
  /**
   * The gateway-wide share of lines per turn for connections that have not authenticated; null
   * once this one has (absent: no shared bound).
   */
  greetingShare?(): TurnShare | null;
  /** The gateway-wide places for new connections read before their first bytes (absent: no bound). */
  readSlots?(): ReadSlots | null;
  /** Its place was taken back: nothing arrived for the idle time while others waited. */
  readerIdle?(): void;
}

/**
 * How many bytes are framed at a time. What was read but not handled stays raw bytes: a peer whose
 * input waits (over its budget, replies not drained) costs a buffer, not thousands of line objects
 * framed, held and copied again on every release.
 */
const SPLIT_BYTES = 4096;

/**
 * Keeps a connection's input in order across pauses: while input is held, the socket is paused and
 * the rest of what was read waits here; releasing handles it first, then resumes the socket.
 * It also bounds the event-loop time one connection takes: after `maxLinesPerTurn` lines it pauses
 * the socket and goes on in the next turn, so one busy connection cannot delay every other one.
 * Each line is framed once and handled once (no re-queueing), and the replies of a turn's lines
 * leave in one write.
 */
export class InputGate implements SlotHolder {
  /** Read, not framed yet; `rawOffset` into the first. */
  private raw: Buffer[] = [];
  private rawOffset = 0;
  /** Framed, not handled yet: `events` from index `next`. */
  private events: LineEvent[] = [];
  private next = 0;
  private handledThisTurn = 0;
  private yielding = false;
  /** The greeting share gave this connection a unit while it waited: its next line uses it. */
  private granted = false;
  /** Its place among the connections read before their first bytes, while it has one or waits for one. */
  private ticket: ReadTicket | null = null;
  private slots: ReadSlots | null = null;

  constructor(private readonly deps: GateDeps) {}

  /**
   * A new connection: its socket is read once it has one of the places for new connections. A burst
   * of thousands of boards connects, then writes all its HELLOs at once; every socket being read
   * takes its HELLO from the kernel in the same poll phase of the event loop (over 100 ms), whatever
   * the greeting share then lets through. With a place each, at most `GREETING_READERS` are read
   * at once; the rest stay unread in the kernel (the listener accepts them paused) until a reader's
   * first bytes arrive and its place goes to the next, in arrival order.
   */
  start(): void {
    const slots = this.deps.readSlots?.() ?? null;
    if (slots === null) {
      this.deps.socket.resume();
      return;
    }
    this.slots = slots;
    this.ticket = slots.acquire(this);
    if (this.ticket.state === 'reading') this.deps.socket.resume();
    else this.deps.socket.pause();
  }

  /** Its place came (it waited for one): read the socket. */
  admitted(): void {
    this.deps.socket.resume();
  }

  /** Its place was taken back (idle while others waited): the connection closes. */
  evicted(): void {
    this.ticket = null;
    this.deps.readerIdle?.();
  }

  /** The connection closed: its place, or its wait for one, ends. */
  end(): void {
    this.giveBack();
    this.clear();
  }

  /** Bytes from the socket (a new turn): handled in order, as far as input may go on. */
  feedBytes(chunk: Buffer): void {
    if (this.ticket !== null) this.giveBack();
    if (!this.yielding) this.handledThisTurn = 0;
    this.raw.push(chunk);
    this.run();
  }

  /** Input may go on (authenticated, commits caught up, budget back, replies drained): held input first, then the socket. */
  release(): void {
    const d = this.deps;
    if (this.yielding || d.holding()) return;
    // Called from a timer, a commit or a drain: a turn of its own.
    this.handledThisTurn = 0;
    if (!d.open()) {
      // The connection takes no more lines (draining, or held after BUSY): what was held is dropped
      // and the socket is read again so its close is seen. A pause from a yielded turn must never
      // outlive the turn.
      this.clear();
      d.socket.resume();
      return;
    }
    this.run();
    if (!this.yielding && !d.holding() && d.open() && this.peek() === undefined) d.socket.resume();
  }

  /** The connection ends or stops taking lines: held input is dropped. */
  clear(): void {
    this.raw = [];
    this.rawOffset = 0;
    this.events = [];
    this.next = 0;
  }

  /** Bytes read and not yet handled (for tests and diagnostics). */
  get heldBytes(): number {
    let n = -this.rawOffset;
    for (const b of this.raw) n += b.length;
    for (let i = this.next; i < this.events.length; i++) n += (this.events[i] as LineEvent).bytes;
    return n;
  }

  private run(): void {
    const d = this.deps;
    d.socket.cork();
    try {
      for (;;) {
        if (this.yielding || d.holding()) return;
        if (!d.open()) {
          this.clear();
          return;
        }
        const ev = this.peek();
        if (ev === undefined) return;
        if (this.handledThisTurn >= d.maxLinesPerTurn) {
          this.yieldTurn();
          return;
        }
        if (!this.shareTaken()) return;
        this.next++;
        this.handledThisTurn++;
        d.handle(ev);
      }
    } finally {
      d.socket.uncork();
    }
  }

  /** The next line to handle, framing more of the held bytes when needed. */
  private peek(): LineEvent | undefined {
    while (this.next >= this.events.length) {
      const first = this.raw[0];
      if (first === undefined) {
        this.events = [];
        this.next = 0;
        return undefined;
      }
      const end = Math.min(first.length, this.rawOffset + SPLIT_BYTES);
      const slice = first.subarray(this.rawOffset, end);
      if (end >= first.length) {
        this.raw.shift();
        this.rawOffset = 0;
      } else {
        this.rawOffset = end;
      }
      this.events = this.deps.split(slice);
      this.next = 0;
    }
    return this.events[this.next];
  }

  /** A unit of the greeting share for the next line, or false: the connection waits its turn (paused). */
  private shareTaken(): boolean {
    const share = this.deps.greetingShare?.() ?? null;
    if (share === null) return true;
    if (this.granted) {
      this.granted = false;
      return true;
    }
    if (share.take(() => this.shareGranted())) return true;
    this.yielding = true;
    this.deps.socket.pause();
    return false;
  }

  private giveBack(): void {
    const ticket = this.ticket;
    if (ticket === null) return;
    this.ticket = null;
    this.slots?.release(ticket);
  }

  private shareGranted(): void {
    this.yielding = false;
    this.granted = true;
    this.handledThisTurn = 0;
    this.release();
  }

  private yieldTurn(): void {
    this.yielding = true;
    this.deps.socket.pause();
    this.deps.nextTurn(() => {
      this.yielding = false;
      this.handledThisTurn = 0;
      this.release();
    });
  }
}
