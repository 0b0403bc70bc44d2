/**
 * How many new connections are read at once, at most, until their first bytes arrive. A socket
 * that is read has its data taken from the kernel in the event loop's poll phase as soon as it
 * arrives, whether or not its lines may be handled yet: a burst of thousands of boards that connect
 * and then all send HELLO made one poll phase read thousands of sockets (over 100 ms) before a
 * healthy board's reading. The rest of a burst waits, accepted but unread, in the kernel.
 */
export const GREETING_READERS = 64;

/**
 * A reader that has received nothing for this long gives its place up (its connection is closed,
 * HELLO_TIMEOUT) when other connections wait for one. Boards send HELLO as soon as they connect;
 * without this, a few idle connections would hold every new board back for the hello timeout.
 */
export const GREETING_READER_IDLE_MS = 2_000;

/** The connection behind a ticket. */
export interface SlotHolder {
  /** It has a place now (it waited): start reading. */
  admitted(): void;
  /** It received nothing for the idle time while others wait: close it. */
  evicted(): void;
}

/** A connection's place, or its place in the queue for one. */
export interface ReadTicket {
  readonly holder: SlotHolder;
  /** When it got its place (the clock of `ReadSlots`). */
  at: number;
  state: 'reading' | 'waiting' | 'done';
}

/**
 * A bounded number of places for new connections whose sockets are read before their first bytes
 * arrive (pure bookkeeping; the clock is injected). The waiting get places in arrival order as
 * places are given back: by the first bytes, by a close, or by eviction of an idle reader.
 */
export class ReadSlots {
  private reading = 0;
  /** Readers in the order they got their places (given-back ones are dropped lazily). */
  private readonly readers = new TicketQueue();
  private readonly waiting = new TicketQueue();
  private waitingNow = 0;

  constructor(
    private readonly max: number,
    readonly idleMs: number,
    private readonly now: () => number,
  ) {}

  /** A place for `holder`: `state` 'reading' when it has one now, else 'waiting' (`admitted` runs later). */
  acquire(holder: SlotHolder): ReadTicket {
    if (this.reading < this.max && this.waitingNow === 0) return this.admit({ holder, at: 0, state: 'reading' });
    const ticket: ReadTicket = { holder, at: 0, state: 'waiting' };
    this.waiting.push(ticket);
    this.waitingNow++;
    this.evictIdle();
    return ticket;
  }

  /** The ticket's connection received its first bytes or closed: its place (or its wait) ends. */
  release(ticket: ReadTicket): void {
    const was = ticket.state;
    ticket.state = 'done';
    if (was === 'waiting') this.waitingNow--;
    if (was !== 'reading') return;
    this.reading--;
    this.admitWaiting();
  }

  /** Connections waiting for a place. */
  get queued(): number {
    return this.waitingNow;
  }

  /** Connections with a place. */
  get readersNow(): number {
    return this.reading;
  }

  private admit(ticket: ReadTicket): ReadTicket {
    ticket.state = 'reading';
    ticket.at = this.now();
    this.reading++;
    this.readers.dropDone();
    this.readers.push(ticket);
    return ticket;
  }

  private admitWaiting(): void {
    for (;;) {
      this.waiting.dropDone();
      const next = this.reading < this.max ? this.waiting.shift() : undefined;
      if (next === undefined) return;
      this.waitingNow--;
      this.admit(next);
      next.holder.admitted();
    }
  }

  /** Readers idle past `idleMs` (oldest first) give their places to the waiting. */
  private evictIdle(): void {
    const now = this.now();
    for (;;) {
      this.readers.dropDone();
      const oldest = this.readers.first();
      if (this.waitingNow === 0 || oldest === undefined || now - oldest.at < this.idleMs) return;
      this.readers.shift();
      oldest.holder.evicted();
      this.release(oldest);
    }
  }
}

/** Tickets in order; given-back ones at the front are dropped as they come up. */
class TicketQueue {
  private items: ReadTicket[] = [];
  private head = 0;

  push(ticket: ReadTicket): void {
    this.items.push(ticket);
  }

  first(): ReadTicket | undefined {
    return this.items[this.head];
  }

  shift(): ReadTicket | undefined {
    const ticket = this.items[this.head];
    if (ticket !== undefined) this.head++;
    return ticket;
  }

  /** Drops the given-back tickets at the front; the array is cut once its dead front is large. */
  dropDone(): void {
    while (this.head < this.items.length && (this.items[this.head] as ReadTicket).state === 'done') this.head++;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
