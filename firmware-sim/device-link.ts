import { writeLine, type Link, type Transport } from './link.js';
import { checkLink, TICK_MS, type LinkView } from './link-watchdog.js';
import type { Profile } from './profiles.js';
import { PING_LINE } from './protocol.js';
import type { Scheduler, TimerHandle } from './scheduler.js';

/** What the link hears and asks of its board. */
export interface LinkOwner {
  onOpen(): void;
  onLine(line: string): void;
  /** The peer or the network closed the link (never called after `detach`). */
  onClose(reason: string): void;
  /**
   * The board's side of the periodic check: its state and time in it, and whether a T request or
   * a sent reading awaits an answer (the link adds its own PING).
   */
  view(now: number): Omit<LinkView, 'sinceRxMs' | 'sinceTxMs'>;
  /** The periodic check gives up on the link (a timeout). */
  abort(reason: string): void;
  /** The periodic check found a time-sync round due. */
  timeRequest(): void;
}

export interface DeviceLinkDeps {
  deviceId: string;
  token: string;
  transport: Transport;
  scheduler: Scheduler;
  profile: Profile;
}

/**
 * A board's connection to the gateway, one at a time: opening it through the transport, writing
 * lines, and the periodic check (timeouts, keepalive PING, time resync) while it is up.
 *
 * Each link is numbered (`generation`): once a link is detached, a late event of it is ignored,
 * and the outbox tells the readings sent on this link from those sent on an earlier one.
 */
export class DeviceLink {
  private link: Link | null = null;
  private generationValue = 0;
  private lastRxAt = 0;
  private lastTxAt = 0;
  private pingOutstanding = false;
  private tickTimer: TimerHandle | null = null;

  constructor(
    private readonly deps: DeviceLinkDeps,
    private readonly owner: LinkOwner,
  ) {}

  /** The number of the current link (or of the last one, once detached). */
  get generation(): number {
    return this.generationValue;
  }

  get up(): boolean {
    return this.link !== null;
  }

  /** Opens a new link; the events of any earlier one are ignored from now on. */
  open(): void {
    const { scheduler, transport } = this.deps;
    const generation = ++this.generationValue;
    const current = () => generation === this.generationValue;
    this.lastRxAt = scheduler.now();
    this.link = transport.open(
      this.deps.deviceId,
      {
        onOpen: () => current() && this.owner.onOpen(),
        onLine: (line) => {
          if (!current()) return;
          this.lastRxAt = scheduler.now();
          this.owner.onLine(line);
        },
        onClose: (reason) => current() && this.owner.onClose(reason),
      },
      this.deps.token,
    );
    this.scheduleTick();
  }

  /** Writes one line (text or raw bytes) when a link is up. */
  write(line: string | Buffer): void {
    if (!this.link) return;
    writeLine(this.link, line);
    this.lastTxAt = this.deps.scheduler.now();
  }

  /** The gateway answered the PING. */
  pongReceived(): void {
    this.pingOutstanding = false;
  }

  /** Detaches the current link (closing it with `close`) so that its late events are ignored. */
  detach(close: (link: Link) => void): void {
    const link = this.link;
    this.link = null;
    this.generationValue += 1;
    this.tickTimer?.cancel();
    this.tickTimer = null;
    this.pingOutstanding = false;
    if (link) close(link);
  }

  private scheduleTick(): void {
    this.tickTimer = this.deps.scheduler.after(TICK_MS, () => {
      this.tickTimer = null;
      this.tick();
      if (this.link) this.scheduleTick();
    });
  }

  private tick(): void {
    const now = this.deps.scheduler.now();
    const board = this.owner.view(now);
    const view: LinkView = { ...board, awaitingReply: this.pingOutstanding || board.awaitingReply, sinceRxMs: now - this.lastRxAt, sinceTxMs: now - this.lastTxAt };
    for (const action of checkLink(view, this.deps.profile)) {
      if (action.kind === 'abort') return this.owner.abort(action.reason);
      if (action.kind === 'ping') {
        this.pingOutstanding = true;
        this.write(PING_LINE);
      } else {
        this.owner.timeRequest();
      }
    }
  }
}
