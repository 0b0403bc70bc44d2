import { randomInt } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Logger } from '../../log.js';
import { CLOSING_ERR_CODES, type ErrCode } from '../../protocol/codes.js';
import { LineSplitter, type LineEvent } from '../../protocol/lines.js';
import type { HelloMessage, Message, ReadingMessage, Refusal, TimeRequestMessage } from '../../protocol/messages.js';
import { parseLine, readingSeqOf } from '../../protocol/parse.js';
import { reply } from '../../protocol/replies.js';
import type { ReadingOutcome, StatsDelta } from '../../store/ops.js';
import type { Store } from '../../store/store.js';
import type { TimerHandle, Timers } from '../../time/timers.js';
import { AckTracker } from '../ack-tracker.js';
import type { AuthMode } from '../auth.js';
import { checkTimeRequest, ClockAnchor } from '../clock-anchor.js';
import type { IngestCounters } from '../counters.js';
import { authenticateDevice, type AuthResult } from '../device-auth.js';
import { toReadingRow } from '../reading-row.js';
import type { DeviceSession, SessionRegistry } from '../sessions.js';

export interface TcpLimits {
  maxLineBytes: number;
  helloTimeoutMs: number;
  idleTimeoutMs: number;
  maxUnackedPerConnection: number;
  maxErrorRun: number;
  maxWriteBufferBytes: number;
}

export interface ConnectionDeps {
  limits: TcpLimits;
  authMode: AuthMode;
  busyRetryAfterMs: number;
  store: Store;
  sessions: SessionRegistry;
  counters: IngestCounters;
  timers: Timers;
  log: Logger;
}

/**
 * greeting: waiting for HELLO; authenticating: a HELLO is being registered (input is held);
 * ready: streaming readings; draining: no more input, finishing ACKs before a last reply and close.
 */
type State = 'greeting' | 'authenticating' | 'ready' | 'draining' | 'closed';

/** How long a peer has to close its side after the gateway ended the connection. */
const CLOSE_GRACE_MS = 2000;

/**
 * One board's TCP connection: owns its framing, authentication state, pending acknowledgements,
 * clock anchor and counters. Protocol logic is in the pure modules; this class wires them to a socket.
 */
export class TcpConnection implements DeviceSession {
  private state: State = 'greeting';
  private readonly splitter: LineSplitter;
  private readonly tracker = new AckTracker();
  private readonly anchor = new ClockAnchor();
  private childLog: Logger | null = null;
  private device: string | null = null;
  private boot = 0;
  private backlog: LineEvent[] = [];
  private errorRun = 0;
  private backpressured = false;
  private ackScheduled = false;
  private finalReply: string | null = null;
  private now: number;
  private lastLineAt: number;
  private readyAt = 0;
  private bytesIn = 0;
  private readingBytes = 0;
  private helloTimer: TimerHandle | null;
  private idleTimer: TimerHandle | null = null;
  private closeTimer: TimerHandle | null = null;
  private readonly loggedLimits = new Set<string>();

  constructor(
    private readonly socket: Socket,
    private readonly deps: ConnectionDeps,
    readonly id: number,
    private readonly onClosed: (c: TcpConnection) => void,
  ) {
    this.splitter = new LineSplitter(deps.limits.maxLineBytes);
    this.now = deps.timers.now();
    this.lastLineAt = this.now;
    this.helloTimer = deps.timers.after(deps.limits.helloTimeoutMs, () => this.onHelloTimeout());
    this.armIdle(deps.limits.idleTimeoutMs);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => {
      if (this.deps.log.isLevelEnabled('debug')) this.log.debug({ err: e.message }, 'socket error');
    });
    socket.on('close', () => this.onClose());
  }

  /** A logger naming this connection, made on first use: most connections never log. */
  private get log(): Logger {
    this.childLog ??= this.deps.log.child({ conn: this.id, remote: `${this.socket.remoteAddress}:${this.socket.remotePort}` });
    return this.childLog;
  }

  /** The authenticated device, if any. */
  get deviceId(): string | null {
    return this.device;
  }

  /** Readings received and not yet committed. */
  get unsettled(): number {
    return this.tracker.unsettled;
  }

  kick(code: ErrCode, text: string): void {
    this.refuseConnection(code, text);
  }

  /** Gateway shutdown: stop reading, acknowledge what was received, say BYE, close. */
  shutdown(): void {
    if (this.state === 'closed' || this.state === 'draining') return;
    this.drain(reply.bye());
  }

  /** Cuts the connection without further replies (shutdown timeout). */
  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.state === 'draining' || this.state === 'closed') return;
    this.now = this.deps.timers.now();
    this.bytesIn += chunk.length;
    this.process(this.splitter.push(chunk));
  }

  /**
   * Handles framed lines in order. While a HELLO is being registered, or while too many readings
   * await commit, the socket is paused and the rest of the current chunk is held in `backlog`.
   */
  private process(events: LineEvent[]): void {
    for (let i = 0; i < events.length; i++) {
      if (this.holdingInput()) {
        for (let j = i; j < events.length; j++) this.backlog.push(events[j] as LineEvent);
        return;
      }
      if (this.state === 'draining' || this.state === 'closed') return;
      this.handle(events[i] as LineEvent);
    }
  }

  private holdingInput(): boolean {
    return this.state === 'authenticating' || this.backpressured;
  }

  /** Resumes input after authentication or backpressure: held lines first, then the socket. */
  private releaseInput(): void {
    if (this.holdingInput()) return;
    const held = this.backlog;
    this.backlog = [];
    this.process(held);
    if (!this.holdingInput() && this.state !== 'draining' && this.state !== 'closed') this.socket.resume();
  }

  private handle(ev: LineEvent): void {
    this.lastLineAt = this.now;
    if (ev.kind === 'line') {
      const parsed = parseLine(ev.text);
      if (parsed.ok) {
        this.errorRun = 0;
        this.dispatch(parsed.message, ev.bytes);
      } else {
        this.refuse(parsed.refusal);
      }
      return;
    }
    const code = ev.kind === 'too-long' ? 'LINE_TOO_LONG' : 'BAD_UTF8';
    const text = ev.kind === 'too-long' ? `line longer than ${this.deps.limits.maxLineBytes} bytes` : 'line is not valid UTF-8';
    if (code === 'LINE_TOO_LONG') this.limitHit(code);
    const seq = readingSeqOf(ev.head);
    this.refuse(seq !== null ? { scope: 'nak', seq, code, text } : { scope: 'err', code, text });
  }

  private dispatch(msg: Message, bytes: number): void {
    switch (msg.verb) {
      case 'HELLO':
        if (this.state === 'greeting') this.beginHello(msg);
        else this.refuse({ scope: 'err', code: 'ALREADY_HELLO', text: 'HELLO was already accepted on this connection' });
        return;
      case 'R':
        this.acceptReading(msg, bytes);
        return;
      case 'T':
        this.answerTime(msg);
        return;
      case 'PING':
        this.send(reply.pong());
        return;
      case 'BYE':
        this.drain(reply.bye());
        return;
    }
  }

  // --- authentication -------------------------------------------------------------------------

  private beginHello(hello: HelloMessage): void {
    const { store, authMode } = this.deps;
    const result = authenticateDevice(store, authMode, hello.deviceId, hello.token, this.now, (r) => this.onRegistered(hello, r));
    if (result === null) {
      // Registration is a write: it rides the next group commit, and input waits for its outcome.
      this.state = 'authenticating';
      this.socket.pause();
    } else if (result.ok) {
      this.completeHello(hello);
    } else {
      this.refuseConnection(result.code, result.text);
    }
  }

  private onRegistered(hello: HelloMessage, result: AuthResult): void {
    if (this.state !== 'authenticating') return;
    this.now = this.deps.timers.now();
    if (result.ok) {
      if (result.registered) this.log.info({ device: hello.deviceId }, 'device registered on first use');
      this.completeHello(hello);
      this.releaseInput();
      return;
    }
    this.state = 'greeting';
    this.refuseConnection(result.code, result.text);
  }

  private completeHello(hello: HelloMessage): void {
    const { store, sessions } = this.deps;
    this.helloTimer?.cancel();
    this.helloTimer = null;
    this.state = 'ready';
    this.device = hello.deviceId;
    this.boot = hello.boot ?? this.freshBoot(hello.deviceId);
    if (hello.up !== undefined) this.anchor.fromHello(hello.up, this.now);
    this.readyAt = this.now;
    sessions.claim(hello.deviceId, this);
    const delta: StatsDelta = { connects: 1, lastSeen: this.now };
    if (hello.board !== undefined) delta.board = hello.board;
    if (hello.fw !== undefined) delta.fw = hello.fw;
    this.recordStats(hello.deviceId, delta);
    this.send(reply.helloOk(this.now, store.readings.highestSeq(hello.deviceId, this.boot)));
    this.deps.log.info({ conn: this.id, device: hello.deviceId, boot: this.boot, fw: hello.fw, board: hello.board }, 'device connected');
  }

  /** A board that sent no boot= gets a boot number of its own: no loss, no cross-connection dedupe. */
  private freshBoot(device: string): number {
    for (;;) {
      const boot = randomInt(1, 0xffffffff);
      if (!this.deps.store.readings.bootExists(device, boot)) return boot;
    }
  }

  // --- readings and acknowledgements ---------------------------------------------------------

  private acceptReading(msg: ReadingMessage, bytes: number): void {
    if (this.state !== 'ready' || this.device === null) {
      this.refuse({ scope: 'err', code: 'NOT_AUTHENTICATED', text: 'send HELLO first' });
      return;
    }
    const { store, counters, limits } = this.deps;
    if (store.isFull()) {
      counters.busyReplies++;
      this.limitHit('BUSY');
      this.send(reply.busy(this.deps.busyRetryAfterMs));
      this.drain(null);
      return;
    }
    const row = toReadingRow(msg, this.device, this.boot, this.now, bytes, this.anchor);
    const ticket = this.tracker.add(msg.seq);
    this.readingBytes += bytes;
    counters.readingsAccepted++;
    store.committer.enqueue({ kind: 'reading', row, done: (outcome) => this.onCommitted(ticket, outcome) });
    if (!this.backpressured && this.tracker.unsettled >= limits.maxUnackedPerConnection) {
      // Flow control, not an error: stop reading until commits catch up; TCP pushes back on the board.
      this.backpressured = true;
      this.socket.pause();
      this.limitHit('BACKPRESSURE');
    }
  }

  private onCommitted(ticket: number, outcome: ReadingOutcome): void {
    if (this.state === 'closed') return;
    if (outcome === 'failed') {
      // Nothing of this batch is durable: never ACK it. The board resends after reconnecting.
      this.send(reply.err('INTERNAL', 'store write failed; reconnect and resend'));
      this.socket.destroy();
      return;
    }
    this.tracker.settle(ticket, true);
    this.scheduleAck();
  }

  /** One ACK per connection per commit: every outcome of a batch is settled before this runs. */
  private scheduleAck(): void {
    if (this.ackScheduled) return;
    this.ackScheduled = true;
    queueMicrotask(() => {
      this.ackScheduled = false;
      this.flushAck();
    });
  }

  private flushAck(): void {
    if (this.state === 'closed') return;
    const ack = this.tracker.advance();
    if (ack !== null) this.send(reply.ack(ack));
    if (this.state === 'draining' && this.tracker.unsettled === 0) this.finish();
    if (this.backpressured && this.tracker.unsettled <= this.deps.limits.maxUnackedPerConnection / 2) {
      this.backpressured = false;
      this.releaseInput();
    }
  }

  // --- time -----------------------------------------------------------------------------------

  private answerTime(msg: TimeRequestMessage): void {
    const refused = checkTimeRequest(msg, this.now);
    if (refused) return this.refuse(refused);
    this.send(reply.time(msg.millis, this.now));
    this.anchor.fromTimeRequest(msg.millis, this.now, msg.off);
    const offsetMs = this.anchor.offsetMs();
    if (this.device !== null && offsetMs !== null) {
      this.recordStats(this.device, { clock: { offsetMs, rttMs: msg.rtt ?? null, at: this.now } });
    }
  }

  // --- errors, limits and closing ----------------------------------------------------------------

  private refuse(refusal: Refusal): void {
    if (refusal.scope === 'nak' && this.state !== 'ready') {
      refusal = { scope: 'err', code: 'NOT_AUTHENTICATED', text: 'send HELLO first' };
    }
    if (this.device !== null) this.recordStats(this.device, { errors: { [refusal.code]: 1 } });
    if (refusal.scope === 'nak') {
      this.deps.counters.countNak(refusal.code);
      this.tracker.settle(this.tracker.add(refusal.seq), false);
      this.send(reply.nak(refusal.seq, refusal.code, refusal.text));
      this.scheduleAck();
    } else {
      this.deps.counters.countErr(refusal.code);
      if (CLOSING_ERR_CODES.has(refusal.code)) {
        this.drain(reply.err(refusal.code, refusal.text));
        return;
      }
      this.send(reply.err(refusal.code, refusal.text));
    }
    if (++this.errorRun >= this.deps.limits.maxErrorRun) {
      this.limitHit('TOO_MANY_ERRORS');
      this.refuseConnection('TOO_MANY_ERRORS', `${this.errorRun} errors in a row`);
    }
  }

  /** A connection-level error that ends the connection (after acknowledging what was received). */
  private refuseConnection(code: ErrCode, text: string): void {
    if (this.state === 'closed' || this.state === 'draining') return;
    this.deps.counters.countErr(code);
    this.drain(reply.err(code, text));
  }

  /** Stops taking input; once every received reading is settled and acknowledged, sends `last` and closes. */
  private drain(last: string | null): void {
    if (this.state === 'closed' || this.state === 'draining') return;
    const wasAuthenticating = this.state === 'authenticating';
    this.state = 'draining';
    this.finalReply = last;
    this.backlog = [];
    this.helloTimer?.cancel();
    // Keep reading (and discarding) so the peer's FIN is seen.
    if (this.backpressured || wasAuthenticating) this.socket.resume();
    if (this.tracker.unsettled === 0) this.scheduleAck();
  }

  private finish(): void {
    if (this.finalReply !== null) this.send(this.finalReply);
    this.finalReply = null;
    this.socket.end();
    this.closeTimer ??= this.deps.timers.after(CLOSE_GRACE_MS, () => this.socket.destroy());
  }

  private limitHit(name: string): void {
    this.deps.counters.countLimit(name);
    if (this.loggedLimits.has(name)) return;
    this.loggedLimits.add(name);
    this.log.warn({ limit: name, device: this.device }, 'limit reached (logged once per connection)');
  }

  private onHelloTimeout(): void {
    this.helloTimer = null;
    if (this.state !== 'greeting') return;
    this.limitHit('HELLO_TIMEOUT');
    this.refuseConnection('HELLO_TIMEOUT', `no HELLO within ${this.deps.limits.helloTimeoutMs} ms`);
  }

  private armIdle(ms: number): void {
    this.idleTimer = this.deps.timers.after(ms, () => this.onIdleCheck());
  }

  /** Checked lazily: one timer per connection instead of one per line. */
  private onIdleCheck(): void {
    if (this.state === 'closed') return;
    const idleFor = this.deps.timers.now() - this.lastLineAt;
    const limit = this.deps.limits.idleTimeoutMs;
    if (idleFor < limit) {
      this.armIdle(limit - idleFor);
      return;
    }
    if (this.state === 'draining') return;
    this.limitHit('IDLE_TIMEOUT');
    this.refuseConnection('IDLE_TIMEOUT', `no line for ${limit} ms`);
  }

  private send(line: string): void {
    const s = this.socket;
    if (s.destroyed || !s.writable) return;
    s.write(line);
    if (s.writableLength > this.deps.limits.maxWriteBufferBytes) {
      // The peer does not read its replies: cut it loose rather than buffer without bound.
      this.limitHit('SLOW_READER');
      s.destroy();
    }
  }

  private recordStats(device: string, delta: StatsDelta): void {
    this.deps.store.committer.enqueue({ kind: 'stats', device, delta });
  }

  private onClose(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.helloTimer?.cancel();
    this.idleTimer?.cancel();
    this.closeTimer?.cancel();
    const now = this.deps.timers.now();
    if (this.device !== null) {
      this.deps.sessions.release(this.device, this);
      this.recordStats(this.device, { connectedMs: now - this.readyAt, bytes: this.bytesIn - this.readingBytes, lastSeen: this.lastLineAt });
      this.deps.log.info({ conn: this.id, device: this.device, unacked: this.tracker.unsettled }, 'device disconnected');
    }
    this.onClosed(this);
  }
}
