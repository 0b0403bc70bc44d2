import { FairShare, type FairShareLimits } from '../session/fair-share.js';

interface Publisher {
  share: FairShare;
  /** Over budget until then: its messages are not taken, and BUSY was already said. */
  busyUntil: number;
}

/** What to do with one message of a board: take it, or not (and whether to say BUSY, for how long). */
export type PublisherVerdict = { take: true } | { take: false; busyMs: number | null };

/**
 * The input budget of each board publishing through an external broker, by device id (pure apart
 * from the times it is handed). The gateway cannot stop reading one publisher there (all of them
 * arrive on its one broker connection), so a board over its budget is told `BUSY <ms>` once and its
 * messages until then are acknowledged to the broker but not stored: the board keeps them (no ACK
 * came) and sends them again after the wait, as after any BUSY. At most `maxPublishers` are
 * remembered, the least recently seen forgotten first.
 */
export class PublisherBudgets {
  private readonly publishers = new Map<string, Publisher>();

  constructor(
    private readonly limits: FairShareLimits,
    private readonly maxPublishers = 10_000,
  ) {}

  charge(device: string, bytes: number, now: number): PublisherVerdict {
    let p = this.publishers.get(device);
    if (p === undefined) {
      p = { share: new FairShare({ ...this.limits, overBudgetCloseMs: 0 }, now), busyUntil: 0 };
    } else {
      this.publishers.delete(device);
    }
    this.publishers.set(device, p);
    if (this.publishers.size > this.maxPublishers) this.publishers.delete(this.publishers.keys().next().value as string);
    if (now < p.busyUntil) return { take: false, busyMs: null };
    const charge = p.share.charge(now, bytes, true);
    if (charge.kind === 'ok') return { take: true };
    const ms = charge.kind === 'pause' ? charge.ms : 1000;
    p.busyUntil = now + ms;
    return { take: false, busyMs: ms };
  }

  get size(): number {
    return this.publishers.size;
  }
}
