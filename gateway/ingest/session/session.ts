import { randomInt } from 'node:crypto';
import type { IngestFieldChecks } from '../../fields/ingest-checks.js';
import type { Logger } from '../../log.js';
import type { ReadingMessage, Refusal, TimeRequestMessage } from '../../protocol/messages.js';
import type { ReadingOutcome, StatsDelta } from '../../store/ops.js';
import type { AuthMode } from '../auth.js';
import { checkTimeRequest, ClockAnchor } from '../clock-anchor.js';
import { boardClockErrorMs } from '../clock-error.js';
import type { IngestCounters } from '../counters.js';
import type { AuthThrottle } from '../auth-throttle.js';
import type { RegistrationPacer } from '../registration-pacer.js';
import type { AuthResult } from '../device-auth.js';
import { toReadingRow } from '../reading-row.js';
import type { DeviceSession, SessionRegistry } from '../sessions.js';
import { authenticateThrottled } from '../throttled-auth.js';
import type { IngestStore } from './ingest-store.js';
import type { LimitName } from './limits.js';

/** What every session of a gateway shares; made once by the composition root's transports. */
export interface SessionContext {
  store: IngestStore;
  authMode: AuthMode;
  busyRetryAfterMs: number;
  counters: IngestCounters;
  sessions: SessionRegistry;
  log: Logger;
  /** The field rules at ingest (config `fields`, docs/FIELDS.md); absent: no rules. */
  fields?: IngestFieldChecks;
  /** The gateway's guessing throttle (auth.throttle); absent or null: none. */
  authThrottle?: AuthThrottle | null;
  /** Bounds the registrations one commit carries (a burst of new boards); absent: unbounded. */
  registrations?: RegistrationPacer | null;
}

/** The HELLO fields the session acts on (a TCP HELLO line or an MQTT hello payload). */
export interface HelloFields {
  deviceId: string;
  boot?: number;
  up?: number;
  fw?: string;
  board?: string;
  /** HELLO reset=: why the board last (re)started. */
  reset?: string;
  /** HELLO missed=: samples the board could not take on time this boot. */
  missed?: number;
}

export interface HelloOptions {
  /**
   * The hello speaks for the board now: its `up=` anchors the clock, it counts as seen, and the
   * device is claimed for `claimAs` (an older session of the device elsewhere is kicked). False for
   * an MQTT hello the broker kept (retained): old news.
   */
  live: boolean;
  /** Count a connect in the device's statistics (TCP; MQTT counts its `online` status instead). */
  connects: boolean;
  claimAs?: DeviceSession;
}

/**
 * One board's session on one transport: the rules of docs/PROTOCOL.md every transport shares —
 * authentication (answered at once or after the registration's commit), the boot a board without
 * `boot=` gets, the clock anchor, BUSY, reading acceptance, refusal counting and statistics.
 * Transports own framing, replies and flow control; they call this for every decision.
 */
export class IngestSession {
  /** The device this session speaks for, once a hello was accepted (or a UDP line authenticated). */
  device: string | null = null;
  /** The boot readings are stored under; null until known. */
  boot: number | null = null;
  /** Maps `u<millis>` of the current boot (a new boot restarts millis()). */
  anchor = new ClockAnchor();
  /** Limits already logged for this session (made on the first: most sessions never reach one). */
  private loggedLimits: Set<LimitName> | null = null;
  /** For a connection's statistics: when its hello was taken, bytes in, and how many were readings. */
  private connectedAt: number | null = null;
  private bytesIn = 0;
  private readingBytes = 0;

  constructor(
    private readonly ctx: SessionContext,
    /** The logger naming this session's connection, made on demand (most sessions never log). */
    private readonly log: () => Logger = () => ctx.log,
  ) {}

  /**
   * Checks a device's credentials (docs/PROTOCOL.md section 6) behind the guessing throttle (`source`:
   * the peer's address, null when unknown). Returns the result at once, or null when a registration
   * must be committed first: `later` then runs after that commit. A refusal may carry `delayMs`: the
   * transport answers it only after that long.
   */
  authenticate(device: string, token: string, now: number, later: (result: AuthResult) => void, source: string | null = null): AuthResult | null {
    return authenticateThrottled(this.ctx, source, device, token, now, later);
  }

  /** Takes an accepted hello: device, boot, clock anchor, claim and statistics. Returns the boot. */
  hello(hello: HelloFields, now: number, options: HelloOptions): number {
    this.device = hello.deviceId;
    this.useBoot(hello.boot ?? freshBoot(this.ctx.store, hello.deviceId));
    const delta: StatsDelta = {};
    if (options.connects) {
      delta.connects = 1;
      this.connectedAt = now;
    }
    if (options.live) {
      if (hello.up !== undefined) this.anchor.fromHello(hello.up, now);
      delta.lastSeen = now;
      if (options.claimAs !== undefined) this.ctx.sessions.claim(hello.deviceId, options.claimAs);
    }
    if (hello.board !== undefined) delta.board = hello.board;
    if (hello.fw !== undefined) delta.fw = hello.fw;
    if (hello.reset !== undefined) delta.resetCause = hello.reset;
    if (hello.missed !== undefined) delta.missedSamples = hello.missed;
    this.stats(delta);
    return this.boot as number;
  }

  /** Makes `boot` the current boot; a different one starts a fresh clock anchor. */
  useBoot(boot: number): void {
    if (this.boot === boot) return;
    this.boot = boot;
    this.anchor = new ClockAnchor();
  }

  /** The highest seq stored for the session's device and boot (HELLO OK's `last=`). */
  lastStored(): number {
    return this.device === null || this.boot === null ? 0 : this.ctx.store.readings.highestSeq(this.device, this.boot);
  }

  /** Null while the store takes readings; when it is full, the retry-after ms to answer BUSY with (counted). */
  busy(): number | null {
    const retry = busyRetryAfter(this.ctx);
    if (retry !== null) this.limit(this.busyReason() === 'disk' ? 'DISK_FULL' : 'BUSY');
    return retry;
  }

  /** A reading's commit failed with the disk full: counted like BUSY; returns the retry-after ms to answer with. */
  diskFull(): number {
    this.ctx.counters.busyReplies++;
    this.limit('DISK_FULL');
    return this.ctx.busyRetryAfterMs;
  }

  /** Why the store refuses readings: its buffer is at the limit, or the disk is full. */
  busyReason(): 'buffer' | 'disk' | null {
    return this.ctx.store.fullReason?.() ?? (this.ctx.store.isFull() ? 'buffer' : null);
  }

  /** The retry-after ms BUSY carries. */
  busyRetryAfterMs(): number {
    return this.ctx.busyRetryAfterMs;
  }

  /**
   * The field rules' verdict on a reading of the session's device and boot (docs/FIELDS.md): null
   * when it may be accepted (its counters are then recorded as taken: call `accept` next), else
   * the NAK (NOT_NUMERIC, OUT_OF_RANGE, COUNTER_BACKWARDS) to refuse it with through the
   * transport's own refusal path (which counts it).
   */
  screen(msg: ReadingMessage): Refusal | null {
    if (this.ctx.fields === undefined) return null;
    if (this.device === null || this.boot === null) throw new Error('IngestSession.screen before the device and boot are known');
    return this.ctx.fields.check(this.ctx.store.readings, this.device, this.boot, msg.seq, msg.fields);
  }

  /**
   * Queues a reading of the session's device and boot for the next group commit; `done` hears
   * whether it was stored, a duplicate, or not durable (failed). Call `busy()` first.
   */
  accept(msg: ReadingMessage, bytes: number, now: number, done: (outcome: ReadingOutcome) => void): void {
    if (this.device === null || this.boot === null) throw new Error('IngestSession.accept before the device and boot are known');
    const row = toReadingRow(msg, this.device, this.boot, now, bytes, this.anchor);
    this.ctx.counters.readingsAccepted++;
    this.readingBytes += bytes;
    this.ctx.store.committer.enqueue({ kind: 'reading', row, done });
  }

  /** Counts a refusal by code (NAK or ERR) and in the device's statistics when the device is known. */
  refused(refusal: Refusal): void {
    countRefusal(this.ctx, this.device, refusal);
  }

  /** Counts a connection-level error that is not the device's fault alone (kicks, auth already counted). */
  closedWith(code: string): void {
    this.ctx.counters.countErr(code);
  }

  /**
   * A `T` request seen at `now`: refused when its `off=` puts the board's clock outside the trust
   * window (never used as an anchor then); otherwise it feeds the clock anchor and the statistics.
   */
  timeRequest(req: TimeRequestMessage, now: number): Refusal | null {
    const refused = checkTimeRequest(req, now);
    if (refused !== null) return refused;
    this.anchor.fromTimeRequest(req.millis, now, req.off);
    const offsetMs = this.anchor.offsetMs();
    if (this.device === null || offsetMs === null) return null;
    const errorMs = boardClockErrorMs(req.millis, now, req.off, req.rtt);
    this.stats({ clock: { offsetMs, rttMs: req.rtt ?? null, at: now, ...(errorMs === undefined ? {} : { errorMs }) } });
    return null;
  }

  /** Adds to the device's statistics (in the next group commit); empty deltas are skipped. */
  stats(delta: StatsDelta): void {
    if (this.device === null || Object.keys(delta).length === 0) return;
    this.ctx.store.committer.enqueue({ kind: 'stats', device: this.device, delta });
  }

  /** Counts a limit hit; the first hit of each limit in a session is logged (a flood logs once). */
  limit(name: LimitName): void {
    this.ctx.counters.countLimit(name);
    this.loggedLimits ??= new Set();
    if (this.loggedLimits.has(name)) return;
    this.loggedLimits.add(name);
    this.log().warn({ limit: name, device: this.device }, 'limit reached (logged once per connection)');
  }

  /** Bytes a connection received (its statistics count those that were not readings). */
  received(bytes: number): void {
    this.bytesIn += bytes;
  }

  /**
   * The connection ended: the device is no longer spoken for by `claimedAs`; its connected time,
   * non-reading bytes and last line (`lastSeen`) go to its statistics.
   */
  end(now: number, lastSeen: number, claimedAs: DeviceSession): void {
    if (this.device === null) return;
    this.ctx.sessions.release(this.device, claimedAs);
    this.stats({ connectedMs: now - (this.connectedAt ?? now), bytes: this.bytesIn - this.readingBytes, lastSeen });
  }
}

/** Null while the store takes readings; else the retry-after ms for BUSY, counted (busyReplies, limit BUSY). */
export function busyRetryAfter(ctx: Pick<SessionContext, 'store' | 'counters' | 'busyRetryAfterMs'>): number | null {
  if (!ctx.store.isFull()) return null;
  ctx.counters.busyReplies++;
  return ctx.busyRetryAfterMs;
}

/** Counts a refusal by code (NAK or ERR), and in the statistics of `device` when it is named. */
export function countRefusal(ctx: Pick<SessionContext, 'store' | 'counters'>, device: string | null, refusal: Refusal): void {
  if (refusal.scope === 'nak') ctx.counters.countNak(refusal.code);
  else ctx.counters.countErr(refusal.code);
  if (device !== null) ctx.store.committer.enqueue({ kind: 'stats', device, delta: { errors: { [refusal.code]: 1 } } });
}

/** A board that sent no boot= gets a boot number of its own: no loss, no cross-connection dedupe. */
export function freshBoot(store: IngestStore, device: string): number {
  for (;;) {
    const boot = randomInt(1, 0xffffffff);
    if (!store.readings.bootExists(device, boot)) return boot;
  }
}
