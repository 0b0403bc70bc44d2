import type { Logger } from '../../log.js';
import type { ErrCode } from '../../protocol/codes.js';
import { LineSplitter, type LineEvent } from '../../protocol/lines.js';
import type { HelloMessage, Message, Refusal, TimeRequestMessage } from '../../protocol/messages.js';
import { reply } from '../../protocol/replies.js';
import { IngestSession } from '../session/session.js';
import type { DeviceSession } from '../sessions.js';
import { AckBatch } from './ack-batch.js';
import type { Timers } from '../../time/timers.js';
import type { LimitName } from '../session/limits.js';
import type { TurnShare } from '../turn-share.js';
import type { ReadSlots } from '../read-slots.js';
import type { ConnectionDeps, ConnectionSocket, ConnectionState, TcpLimits } from './connection-deps.js';
import { ConnectionDeadlines, type DeadlineHandlers } from './deadlines.js';
import { FlowControl, type FlowDeps } from './flow-control.js';
import { HelloExchange, type HelloDeps } from './hello.js';
import { InputGate, type GateDeps } from './input-gate.js';
import { interpretLine } from './line-events.js';
import { Readings, type ReadingDeps } from './readings.js';
import { Refusals, type RefusalDeps } from './refusals.js';
import { ReplyOutput } from './reply-output.js';

/**
 * One board's TCP connection: the framing, connection state, flow control and replies around the
 * board's IngestSession (which decides authentication, boots, the clock anchor, BUSY, acceptance,
 * refusal counting and statistics). Protocol logic is in the pure modules.
 */
export class TcpConnection implements DeviceSession, GateDeps, FlowDeps, RefusalDeps, DeadlineHandlers, HelloDeps, ReadingDeps {
  // The connection is itself the dependencies of its parts (each sees it through its own narrow
  // interface, above): a connection costs one object and its parts, not a deps object and a
  // closure for every callback of every part. Thousands of boards connect at once after a power
  // cut, and each connection lives for days.
  /** Its states are described with ConnectionState (connection-deps.ts). */
  private current: ConnectionState = 'greeting';
  private readonly splitter: LineSplitter;
  readonly acks: AckBatch;
  readonly session: IngestSession;
  private childLog: Logger | null = null;
  readonly input: InputGate;
  /** NAKs and ERRs, the error run, what comes before HELLO, the ERR that ends it (refusals.ts). */
  private readonly refusals: Refusals;
  /** Authentication, at once or after a registration's commit or a refusal's delay (hello.ts). */
  private readonly helloExchange: HelloExchange;
  /** BUSY (drain, or hold when the disk is full), field NAKs, ACK after commit (readings.ts). */
  private readonly readings: Readings;
  /** Backpressure, the input budget, unread replies: why input is paused (flow-control.ts). */
  readonly flow: FlowControl;
  readonly out: ReplyOutput;
  private now: number;
  readonly deadlines: ConnectionDeadlines;

  constructor(
    readonly socket: ConnectionSocket,
    private readonly deps: ConnectionDeps,
    readonly id: number,
    private readonly onClosed: (c: TcpConnection) => void,
  ) {
    this.splitter = new LineSplitter(deps.limits.maxLineBytes);
    this.acks = new AckBatch((ack) => this.flushAck(ack));
    this.session = new IngestSession(deps, () => this.log);
    this.out = new ReplyOutput(socket, deps.limits.maxWriteBufferBytes, () => this.session.limit('SLOW_READER'));
    this.input = new InputGate(this);
    this.now = deps.timers.now();
    this.flow = new FlowControl(this, this.now);
    this.refusals = new Refusals(this);
    this.deadlines = new ConnectionDeadlines(deps.timers, deps.limits, this);
    this.helloExchange = new HelloExchange(this);
    this.readings = new Readings(this);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => {
      if (this.deps.log.isLevelEnabled('debug')) this.log.debug({ err: e.message }, 'socket error');
    });
    socket.on('close', () => this.onClose());
    socket.on('drain', () => this.flow.drained());
    this.input.start();
  }

  // ---- What the parts see of the connection (their deps interfaces) ----

  get timers(): Timers {
    return this.deps.timers;
  }

  get limits(): TcpLimits {
    return this.deps.limits;
  }

  get maxLinesPerTurn(): number {
    return this.deps.limits.maxLinesPerTurn;
  }

  get maxErrorRun(): number {
    return this.deps.limits.maxErrorRun;
  }

  /** What an accepted HELLO claims the device for. */
  get claimAs(): DeviceSession {
    return this;
  }

  state(): ConnectionState {
    return this.current;
  }

  enter(state: ConnectionState): void {
    this.current = state;
  }

  holding(): boolean {
    return this.current === 'authenticating' || this.flow.holding;
  }

  open(): boolean {
    return this.current !== 'draining' && this.current !== 'closed' && this.current !== 'held';
  }

  authenticating(): boolean {
    return this.current === 'authenticating';
  }

  authenticated(): boolean {
    return this.current === 'ready';
  }

  ending(): boolean {
    return this.current === 'draining' || this.current === 'closed';
  }

  split(bytes: Buffer): LineEvent[] {
    return this.splitter.push(bytes);
  }

  nextTurn(fn: () => void): void {
    setImmediate(fn);
  }

  greetingShare(): TurnShare | null {
    return this.current === 'greeting' ? (this.deps.greetings ?? null) : null;
  }

  readSlots(): ReadSlots | null {
    return this.current === 'greeting' ? (this.deps.readers ?? null) : null;
  }

  readerIdle(): void {
    const ms = this.deps.readers?.idleMs ?? 0;
    if (this.current === 'greeting') this.refusals.closeOnLimit('HELLO_TIMEOUT', `nothing received within ${ms} ms while other connections wait`);
  }

  limit(name: LimitName): void {
    this.session.limit(name);
  }

  slowReaderGone(): void {
    this.log.info({ limit: 'SLOW_READER' }, 'replies not read: disconnected');
  }

  refuse(refusal: Refusal): void {
    this.refusals.refuse(refusal);
  }

  refuseConnection(code: ErrCode, text: string): void {
    this.refusals.refuseConnection(code, text);
  }

  hold(retryAfterMs: number): void {
    this.readings.hold(retryAfterMs);
  }

  /** The HELLO was answered after its registration's commit, at `now`: held input goes on. */
  release(now: number): void {
    this.now = now;
    this.input.release();
  }

  // The connection's own logger costs a child logger (redaction set up) per connection: made only
  // when the line is written, not for each board of a burst of new ones at a quieter level.
  registered(device: string): void {
    if (this.deps.log.isLevelEnabled('info')) this.log.info({ device }, 'device registered on first use');
  }

  connected(hello: HelloMessage, boot: number): void {
    const { deviceId: device, fw, board } = hello;
    this.deps.log.info({ conn: this.id, device, boot, fw, board }, 'device connected');
  }

  helloTimeout(): void {
    const text = `no HELLO within ${this.deps.limits.helloTimeoutMs} ms`;
    if (this.current === 'greeting') this.refusals.closeOnLimit('HELLO_TIMEOUT', text);
  }

  idle(): void {
    if (this.current === 'draining' || this.current === 'closed') return;
    this.refusals.closeOnLimit('IDLE_TIMEOUT', `no line for ${this.deps.limits.idleTimeoutMs} ms`);
  }

  graceOver(): void {
    this.socket.destroy();
  }

  // ---- The connection ----

  /** A logger naming this connection, made on first use: most connections never log. */
  private get log(): Logger {
    if (this.childLog === null) {
      const { remoteAddress: address, remotePort: port } = this.socket;
      this.childLog = this.deps.log.child({ conn: this.id, remote: `${address}:${port}` });
    }
    return this.childLog;
  }

  /** The authenticated device, if any. */
  get deviceId(): string | null {
    return this.session.device;
  }

  /** Readings received and not yet committed. */
  get unsettled(): number {
    return this.acks.unsettled;
  }

  kick(code: ErrCode, text: string): void {
    this.refusals.refuseConnection(code, text);
  }

  /** Gateway shutdown: stop reading, acknowledge what was received, say BYE, close. */
  shutdown(): void {
    if (this.current === 'closed' || this.current === 'draining') return;
    this.drain(reply.bye());
  }

  /** Cuts the connection without further replies (shutdown timeout). */
  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.current === 'draining' || this.current === 'closed' || this.current === 'held') return;
    this.now = this.deps.timers.now();
    this.session.received(chunk.length);
    this.input.feedBytes(chunk);
  }

  handle(ev: LineEvent): void {
    this.deadlines.lastLineAt = this.now;
    if (this.flow.spend(this.now, ev.bytes, this.current !== 'greeting') === 'close') {
      const { maxLinesPerSecond: perSecond, overBudgetCloseMs: ms } = this.deps.limits;
      this.refusals.closeOnLimit('INPUT_RATE', `over ${perSecond} lines per second for ${ms} ms`);
    }
    if (this.current === 'draining' || this.current === 'closed') return;
    const line = interpretLine(ev, this.deps.limits.maxLineBytes);
    if (line.kind === 'message') {
      const { message, bytes } = line;
      this.refusals.parsed(() => this.dispatch(message, bytes));
      return;
    }
    if (line.tooLong) this.session.limit('LINE_TOO_LONG');
    this.refusals.refuse(line.refusal);
  }

  /** A message that parsed, unless it is refused in the connection's state (refusals.ts). */
  private dispatch(msg: Message, bytes: number): void {
    if (this.refusals.outOfPlace(msg)) return;
    switch (msg.verb) {
      case 'HELLO':
        return this.helloExchange.begin(msg, this.now);
      case 'R':
        return this.readings.accept(msg, bytes, this.now);
      case 'T':
        return this.answerTime(msg);
      case 'PING':
        return this.send(reply.pong());
      case 'BYE':
        return this.drain(reply.bye());
    }
  }

  private flushAck(ack: number | null): void {
    if (this.current === 'closed') return;
    if (ack !== null) this.send(reply.ack(ack));
    if (this.current === 'draining' && this.acks.unsettled === 0) this.finish();
    if (this.flow.settled(this.acks.unsettled)) this.input.release();
  }

  private answerTime(msg: TimeRequestMessage): void {
    const refused = this.session.timeRequest(msg, this.now);
    if (refused !== null) return this.refusals.refuse(refused);
    this.send(reply.time(msg.millis, this.now));
  }

  /**
   * Stops taking input; once every received reading is settled and acknowledged, sends `last` and
   * closes.
   */
  drain(last: string | null = null): void {
    if (this.current === 'closed' || this.current === 'draining') return;
    const wasAuthenticating = this.current === 'authenticating';
    this.current = 'draining';
    this.out.finalReply(last);
    this.input.clear();
    this.deadlines.helloDone();
    // Keep reading (and discarding) so the peer's FIN is seen.
    if (this.flow.backpressured || wasAuthenticating) this.socket.resume();
    if (this.acks.unsettled === 0) this.acks.schedule();
  }

  private finish(): void {
    this.out.finish();
    this.deadlines.closing();
  }

  /** Sends a reply; a peer that does not read its replies has its input paused until they drain. */
  send(line: string): void {
    if (this.out.send(line) || this.current === 'closed') return;
    this.flow.repliesNotDrained();
  }

  /**
   * Input may be read again (the budget is back, replies drained): through the gate, or plainly
   * (read and discarded) when no more lines are taken.
   */
  resume(): void {
    if (this.current === 'closed') return;
    this.now = this.deps.timers.now();
    if (this.current === 'draining' || this.current === 'held') this.socket.resume();
    else this.input.release();
  }

  private onClose(): void {
    if (this.current === 'closed') return;
    this.current = 'closed';
    this.input.end();
    this.flow.close();
    this.deadlines.cancel();
    if (this.session.device !== null) {
      this.session.end(this.deps.timers.now(), this.deadlines.lastLineAt, this);
      const fields = { conn: this.id, device: this.session.device, unacked: this.acks.unsettled };
      this.deps.log.info(fields, 'device disconnected');
    }
    this.onClosed(this);
  }
}
