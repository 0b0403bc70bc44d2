import type { Logger } from '../../log.js';
import type { ErrCode } from '../../protocol/codes.js';
import { LineSplitter, type LineEvent } from '../../protocol/lines.js';
import type { Message, TimeRequestMessage } from '../../protocol/messages.js';
import { reply } from '../../protocol/replies.js';
import { IngestSession } from '../session/session.js';
import type { DeviceSession } from '../sessions.js';
import { AckBatch } from './ack-batch.js';
import type { ConnectionDeps, ConnectionSocket, ConnectionState } from './connection-deps.js';
import { ConnectionDeadlines } from './deadlines.js';
import { FlowControl } from './flow-control.js';
import { HelloExchange } from './hello.js';
import { InputGate } from './input-gate.js';
import { interpretLine } from './line-events.js';
import { Readings } from './readings.js';
import { Refusals } from './refusals.js';
import { ReplyOutput } from './reply-output.js';

/**
 * One board's TCP connection: the framing, connection state, flow control and replies around the
 * board's IngestSession (which decides authentication, boots, the clock anchor, BUSY, acceptance,
 * refusal counting and statistics). Protocol logic is in the pure modules.
 */
export class TcpConnection implements DeviceSession {
  /** Its states are described with ConnectionState (connection-deps.ts). */
  private state: ConnectionState = 'greeting';
  private readonly splitter: LineSplitter;
  private readonly acks = new AckBatch((ack) => this.flushAck(ack));
  private readonly session: IngestSession;
  private childLog: Logger | null = null;
  private readonly input: InputGate;
  /** NAKs and ERRs, the error run, what comes before HELLO, the ERR that ends it (refusals.ts). */
  private readonly refusals: Refusals;
  /** Authentication, at once or after a registration's commit or a refusal's delay (hello.ts). */
  private readonly hello: HelloExchange;
  /** BUSY (drain, or hold when the disk is full), field NAKs, ACK after commit (readings.ts). */
  private readonly readings: Readings;
  /** Backpressure, the input budget, unread replies: why input is paused (flow-control.ts). */
  private readonly flow: FlowControl;
  private readonly out: ReplyOutput;
  private now: number;
  private readonly deadlines: ConnectionDeadlines;

  constructor(
    private readonly socket: ConnectionSocket,
    private readonly deps: ConnectionDeps,
    readonly id: number,
    private readonly onClosed: (c: TcpConnection) => void,
  ) {
    this.splitter = new LineSplitter(deps.limits.maxLineBytes);
    this.session = new IngestSession(deps, () => this.log);
    const slowReader = () => this.session.limit('SLOW_READER');
    this.out = new ReplyOutput(socket, deps.limits.maxWriteBufferBytes, slowReader);
    this.input = new InputGate({
      holding: () => this.state === 'authenticating' || this.flow.holding,
      open: () => this.state !== 'draining' && this.state !== 'closed' && this.state !== 'held',
      split: (bytes) => this.splitter.push(bytes),
      handle: (ev) => this.handle(ev),
      socket,
      maxLinesPerTurn: deps.limits.maxLinesPerTurn,
      nextTurn: (fn) => setImmediate(fn),
      greetingShare: () => (this.state === 'greeting' ? (deps.greetings ?? null) : null),
    });
    this.now = deps.timers.now();
    this.flow = new FlowControl(
      {
        socket,
        timers: deps.timers,
        limits: deps.limits,
        limit: (name) => this.session.limit(name),
        resume: () => this.resumeInput(),
        slowReaderGone: () =>
          this.log.info({ limit: 'SLOW_READER' }, 'replies not read: disconnected'),
      },
      this.now,
    );
    this.refusals = new Refusals({
      session: this.session,
      acks: this.acks,
      maxErrorRun: deps.limits.maxErrorRun,
      authenticated: () => this.state === 'ready',
      ending: () => this.state === 'draining' || this.state === 'closed',
      send: (line) => this.send(line),
      drain: (last) => this.drain(last),
    });
    this.deadlines = new ConnectionDeadlines(deps.timers, deps.limits, {
      helloTimeout: () => {
        const text = `no HELLO within ${deps.limits.helloTimeoutMs} ms`;
        if (this.state === 'greeting') this.refusals.closeOnLimit('HELLO_TIMEOUT', text);
      },
      idle: () => {
        if (this.state === 'draining' || this.state === 'closed') return;
        this.refusals.closeOnLimit('IDLE_TIMEOUT', `no line for ${deps.limits.idleTimeoutMs} ms`);
      },
      graceOver: () => this.socket.destroy(),
    });
    this.hello = new HelloExchange({
      session: this.session,
      timers: deps.timers,
      socket,
      deadlines: this.deadlines,
      claimAs: this,
      authenticating: () => this.state === 'authenticating',
      enter: (state) => (this.state = state),
      send: (line) => this.send(line),
      release: (now) => {
        this.now = now;
        this.input.release();
      },
      hold: (retryAfterMs) => this.readings.hold(retryAfterMs),
      refuseConnection: (code, text) => this.refusals.refuseConnection(code, text),
      // The connection's own logger costs a child logger (redaction set up) per connection: made
      // only when the line is written, not for each board of a burst of new ones at a quieter level.
      registered: (device) => {
        if (this.deps.log.isLevelEnabled('info')) this.log.info({ device }, 'device registered on first use');
      },
      connected: (hello, boot) => {
        const { deviceId: device, fw, board } = hello;
        this.deps.log.info({ conn: this.id, device, boot, fw, board }, 'device connected');
      },
    });
    this.readings = new Readings({
      session: this.session,
      acks: this.acks,
      flow: this.flow,
      out: this.out,
      socket,
      deadlines: this.deadlines,
      input: this.input,
      state: () => this.state,
      enter: (state) => (this.state = state),
      refuse: (refusal) => this.refusals.refuse(refusal),
      drain: () => this.drain(null),
    });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => {
      if (this.deps.log.isLevelEnabled('debug')) this.log.debug({ err: e.message }, 'socket error');
    });
    socket.on('close', () => this.onClose());
    socket.on('drain', () => this.flow.drained());
  }

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
    if (this.state === 'closed' || this.state === 'draining') return;
    this.drain(reply.bye());
  }

  /** Cuts the connection without further replies (shutdown timeout). */
  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.state === 'draining' || this.state === 'closed' || this.state === 'held') return;
    this.now = this.deps.timers.now();
    this.session.received(chunk.length);
    this.input.feedBytes(chunk);
  }

  private handle(ev: LineEvent): void {
    this.deadlines.lastLineAt = this.now;
    if (this.flow.spend(this.now, ev.bytes, this.state !== 'greeting') === 'close') {
      const { maxLinesPerSecond: perSecond, overBudgetCloseMs: ms } = this.deps.limits;
      this.refusals.closeOnLimit('INPUT_RATE', `over ${perSecond} lines per second for ${ms} ms`);
    }
    if (this.state === 'draining' || this.state === 'closed') return;
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
        return this.hello.begin(msg, this.now);
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
    if (this.state === 'closed') return;
    if (ack !== null) this.send(reply.ack(ack));
    if (this.state === 'draining' && this.acks.unsettled === 0) this.finish();
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
  private drain(last: string | null): void {
    if (this.state === 'closed' || this.state === 'draining') return;
    const wasAuthenticating = this.state === 'authenticating';
    this.state = 'draining';
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
  private send(line: string): void {
    if (this.out.send(line) || this.state === 'closed') return;
    this.flow.repliesNotDrained();
  }

  /**
   * Input may be read again (the budget is back, replies drained): through the gate, or plainly
   * (read and discarded) when no more lines are taken.
   */
  private resumeInput(): void {
    if (this.state === 'closed') return;
    this.now = this.deps.timers.now();
    if (this.state === 'draining' || this.state === 'held') this.socket.resume();
    else this.input.release();
  }

  private onClose(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
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
