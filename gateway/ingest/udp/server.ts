import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { once } from 'node:events';
import type { UdpConfig } from '../../config/sections/udp.js';
import type { Refusal } from '../../protocol/messages.js';
import { reply } from '../../protocol/replies.js';
import type { Timers } from '../../time/timers.js';
import { authenticateThrottled } from '../throttled-auth.js';
import type { AuthResult } from '../device-auth.js';
import { busyRetryAfter, countRefusal, freshBoot, IngestSession, type SessionContext } from '../session/session.js';
import { parseDatagram, type UdpLine } from './datagram.js';
import { SourceRateLimit } from './rate-limit.js';
import { tokensFor } from '../session/input-budget.js';
import { tooManyGaps } from '../session/store-refusals.js';

export interface UdpIngestDeps extends SessionContext {
  timers: Timers;
}

interface AuthSlot {
  result: AuthResult | null;
  waiting: ((r: AuthResult) => void)[];
}

/**
 * Optional UDP ingest: each datagram carries lines `<device-id> <token> [boot=<u32>] R ...`. After
 * every reading of a datagram is settled (committed, duplicate or refused), one reply datagram goes
 * back to the sender with a line per input line, in order: `ACK <seq>` (that reading is durable),
 * `NAK <seq> <code> <text>` or `ERR <code> <text>`. A datagram over the rate or size limit is
 * answered `BUSY <ms>` / `ERR LINE_TOO_LONG` as a whole and nothing of it is stored.
 */
export class UdpIngest {
  private readonly socket: Socket;
  private readonly limiter: SourceRateLimit;
  /** Boots for boards that send no boot=: one per (device, source address and port). */
  private readonly boots = new Map<string, number>();
  private stopping = false;
  private inFlight = 0;
  private whenSettled: (() => void) | null = null;
  private bound: { host: string; port: number } | null = null;

  constructor(
    private readonly options: UdpConfig,
    private readonly deps: UdpIngestDeps,
  ) {
    this.limiter = new SourceRateLimit(options.ratePerSource, options.burstPerSource, options.maxSources);
    this.socket = createSocket({ type: options.host.includes(':') ? 'udp6' : 'udp4' });
    this.socket.on('message', (msg, rinfo) => this.onDatagram(msg, rinfo));
    this.socket.on('error', (e) => this.deps.log.error({ err: e.message }, 'udp socket error'));
  }

  async start(): Promise<{ host: string; port: number }> {
    this.socket.bind({ address: this.options.host, port: this.options.port });
    await once(this.socket, 'listening');
    const a = this.socket.address();
    this.bound = { host: a.address, port: a.port };
    return this.bound;
  }

  /** Where the socket is bound; null before start. */
  get address(): { host: string; port: number } | null {
    return this.bound;
  }

  /** Stop taking datagrams; the caller then flushes the commit so pending replies go out. */
  beginStop(): void {
    this.stopping = true;
  }

  async closed(timeoutMs: number): Promise<void> {
    if (this.inFlight > 0) {
      await new Promise<void>((resolve) => {
        const timer = this.deps.timers.after(timeoutMs, resolve);
        this.whenSettled = () => {
          timer.cancel();
          resolve();
        };
      });
    }
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  private onDatagram(msg: Buffer, from: RemoteInfo): void {
    if (this.stopping) return;
    const { counters, timers } = this.deps;
    const now = timers.now();
    if (msg.length > this.options.maxDatagramBytes) {
      counters.countLimit('DATAGRAM_TOO_LARGE');
      this.answerWhole(from, reply.err('LINE_TOO_LONG', `datagram larger than ${this.options.maxDatagramBytes} bytes`), 'LINE_TOO_LONG');
      return;
    }
    const parsed = parseDatagram(msg);
    if (!Array.isArray(parsed)) {
      this.answerWhole(from, reply.err(parsed.refusal.code as 'BAD_UTF8', parsed.refusal.text), parsed.refusal.code);
      return;
    }
    if (parsed.length === 0) return;
    // Every line costs a token, and a datagram at least one per started 512 bytes (as TCP lines).
    const waitMs = this.limiter.take(from.address, Math.max(parsed.length, tokensFor(msg.length)), now);
    if (waitMs > 0) {
      counters.countLimit('UDP_RATE');
      if (this.limiter.tell(from.address, now, waitMs)) this.send(from, [reply.busy(waitMs)]);
      return;
    }
    const retryAfterMs = busyRetryAfter(this.deps);
    if (retryAfterMs !== null) {
      counters.countLimit('BUSY');
      this.send(from, [reply.busy(retryAfterMs)]);
      return;
    }
    this.handleLines(parsed, from, now);
  }

  private handleLines(lines: UdpLine[], from: RemoteInfo, now: number): void {
    const replies: string[] = new Array<string>(lines.length).fill('');
    let pending = lines.length;
    this.inFlight++;
    const settle = (i: number, line: string) => {
      replies[i] = line;
      if (--pending > 0) return;
      this.send(from, replies);
      if (--this.inFlight === 0) this.whenSettled?.();
    };
    const auth = new Map<string, AuthSlot>();
    lines.forEach((line, i) => {
      if (line.kind === 'refused') {
        settle(i, this.refuse(line.device, line.refusal));
        return;
      }
      this.authenticate(auth, from.address, line.device, line.token, now, (result) => {
        // An auth refusal is already in the device's statistics (authenticateDevice counts it).
        if (!result.ok && 'diskFull' in result) settle(i, this.diskFull());
        else if (!result.ok) settle(i, this.refuse(null, { scope: 'err', code: result.code, text: result.text }));
        else this.accept(line, from, now, (outcome) => settle(i, outcome));
      });
    });
  }

  private accept(line: Extract<UdpLine, { kind: 'reading' }>, from: RemoteInfo, now: number, done: (reply: string) => void): void {
    // A session per line: UDP has no connection, and no clock anchor (no HELLO up=, no T), so
    // `u<millis>` readings get the gateway's receive time (docs/PROTOCOL.md).
    const session = new IngestSession(this.deps);
    session.device = line.device;
    session.useBoot(line.boot ?? this.bootFor(line.device, from));
    const seq = line.message.seq;
    const refusal = session.screen(line.message);
    if (refusal !== null) {
      done(this.refuse(line.device, refusal));
      return;
    }
    session.accept(line.message, line.bytes, now, (outcome) =>
      done(
        outcome === 'gaps'
          ? this.refuse(line.device, tooManyGaps(seq))
          : outcome === 'full'
          ? reply.busy(session.diskFull())
          : outcome === 'failed'
            ? reply.err('INTERNAL', 'store write failed; send again')
            : reply.ack(seq),
      ),
    );
  }

  /** One registry check per (device, token) per datagram; TOFU registration waits for its commit. */
  private authenticate(slots: Map<string, AuthSlot>, source: string, device: string, token: string, now: number, cb: (r: AuthResult) => void): void {
    const key = `${device}\u0000${token}`;
    const known = slots.get(key);
    if (known !== undefined) {
      if (known.result !== null) cb(known.result);
      else known.waiting.push(cb);
      return;
    }
    const slot: AuthSlot = { result: null, waiting: [cb] };
    slots.set(key, slot);
    const finish = (r: AuthResult) => {
      slot.result = r;
      for (const f of slot.waiting.splice(0)) f(r);
    };
    // The guessing throttle counts failures and refuses with AUTH_THROTTLED past its limit; its delay
    // is not applied to UDP: a sender need not wait for the reply, so it would only hold datagrams here.
    const immediate = authenticateThrottled(this.deps, source, device, token, now, finish);
    if (immediate !== null) finish(immediate);
  }

  /** A line whose device could not be registered because the disk is full: BUSY, counted like a reading's. */
  private diskFull(): string {
    this.deps.counters.busyReplies++;
    this.deps.counters.countLimit('DISK_FULL');
    return reply.busy(this.deps.busyRetryAfterMs);
  }

  private refuse(device: string | null, refusal: Refusal): string {
    countRefusal(this.deps, device, refusal);
    return refusal.scope === 'nak' ? reply.nak(refusal.seq, refusal.code, refusal.text) : reply.err(refusal.code, refusal.text);
  }

  private answerWhole(to: RemoteInfo, line: string, code: string): void {
    this.deps.counters.countErr(code);
    this.send(to, [line]);
  }

  /** A board that sends no boot= gets one per source port: resends from the same socket are deduplicated. */
  private bootFor(device: string, from: RemoteInfo): number {
    const key = `${device} ${from.address} ${from.port}`;
    let boot = this.boots.get(key);
    if (boot === undefined) {
      boot = freshBoot(this.deps.store, device);
    } else {
      this.boots.delete(key);
    }
    this.boots.set(key, boot);
    if (this.boots.size > this.options.maxSources) this.boots.delete(this.boots.keys().next().value as string);
    return boot;
  }

  /** Replies in as few datagrams as fit the size limit. */
  private send(to: RemoteInfo, lines: string[]): void {
    let chunk = '';
    for (const line of lines) {
      if (chunk.length > 0 && Buffer.byteLength(chunk) + Buffer.byteLength(line) > this.options.maxDatagramBytes) {
        this.socket.send(chunk, to.port, to.address);
        chunk = '';
      }
      chunk += line;
    }
    if (chunk.length > 0) this.socket.send(chunk, to.port, to.address);
  }
}
