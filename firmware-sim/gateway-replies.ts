import type { Backoff } from './backoff.js';
import { bump, type DeviceCounters } from './device-stats.js';
import type { DeviceLink } from './device-link.js';
import type { DevicePhase } from './device-phase.js';
import type { GarbageTracker } from './garbage-tracker.js';
import type { Histogram } from './histogram.js';
import type { Outbox } from './outbox.js';
import { CLOSING_ERR_CODES, FATAL_ERR_CODES, parseGatewayLine } from './protocol.js';
import type { TimeSync } from './time-sync.js';

/** What the reply handling reads and changes of its board (a Device hands in closures). */
export interface ReplyTarget {
  counters: DeviceCounters;
  outbox: Outbox;
  garbage: GarbageTracker;
  timeSync: TimeSync;
  backoff: Backoff;
  helloLatency: Histogram;
  /** The board's state; replies move it on. */
  phase: DevicePhase;
  /** The current connection: its number (the outbox tracks sends per connection), its PING. */
  link: Pick<DeviceLink, 'generation' | 'pongReceived'>;
  now(): number;
  uptimeMs(): number;
  /** Sends every buffered reading not yet sent on this connection. */
  flush(): void;
  checkDrained(): void;
  abort(reason: string): void;
  /** The board's own BYE was answered: close the link and stop. */
  byeAnswered(): void;
  sendTimeRequest(): void;
  giveUp(seq: number): void;
  /** BUSY: reconnect after this long instead of the backoff. */
  retryAfter(ms: number): void;
  /** The board stops for good with this reason once the link closes. */
  fail(code: string): void;
}

/**
 * A board's handling of gateway replies, as the sketches' client library does it: HELLO OK
 * confirms what the gateway holds, ACK (cumulative) and NAK settle buffered readings, T replies
 * feed the time sync, BUSY and closing ERRs end the session, BYE ends it cleanly. Anything a
 * board could not have asked for counts as a protocol violation.
 */
export class GatewayReplies {
  constructor(private readonly board: ReplyTarget) {}

  onLine(line: string): void {
    const message = parseGatewayLine(line);
    switch (message.kind) {
      case 'hello-ok':
        return this.onHelloOk(message.ackedSeq);
      case 'ack':
        return this.onAck(message.seq);
      case 'nak':
        return this.onNak(message.seq, message.code);
      case 'time':
        return this.onTime(message.deviceMillis, message.gatewayEpochMs);
      case 'busy':
        return this.onBusy(message.retryAfterMs);
      case 'err':
        return this.onErr(message.code);
      case 'pong':
        return this.board.link.pongReceived();
      case 'bye':
        return this.onBye();
      case 'invalid':
        this.board.counters.protocolViolations += 1;
        return;
    }
  }

  private onHelloOk(ackedSeq: number): void {
    const b = this.board;
    if (b.phase.state !== 'hello') {
      b.counters.protocolViolations += 1;
      return;
    }
    b.helloLatency.record(b.now() - b.phase.since);
    b.phase.enter('online');
    b.counters.sessions += 1;
    b.backoff.reset();
    b.outbox.confirmDurable(ackedSeq);
    b.flush();
    b.checkDrained();
  }

  private onAck(seq: number): void {
    const b = this.board;
    if (!['online', 'closing', 'bye'].includes(b.phase.state)) {
      b.counters.protocolViolations += 1;
      return;
    }
    b.outbox.acknowledge(seq, b.link.generation, b.now());
    b.garbage.ack(seq);
    b.checkDrained();
  }

  private onNak(seq: number, code: string): void {
    const b = this.board;
    if (b.garbage.nak(seq, code)) return;
    if (!b.outbox.reject(seq, code, b.link.generation)) {
      b.counters.protocolViolations += 1;
      return;
    }
    b.giveUp(seq);
    b.checkDrained();
  }

  private onTime(deviceMillis: number, gatewayEpochMs: number): void {
    const b = this.board;
    const outcome = b.timeSync.reply(deviceMillis, gatewayEpochMs, b.uptimeMs());
    if (outcome === 'ignored') b.counters.protocolViolations += 1;
    else if (outcome === 'done') b.counters.timeSyncRounds += 1;
    else b.sendTimeRequest();
  }

  /** The gateway refuses this and later readings, acknowledges what it took, then closes. */
  private onBusy(retryAfterMs: number): void {
    this.board.counters.busy += 1;
    this.board.retryAfter(retryAfterMs);
    this.board.phase.enter('closing');
  }

  private onErr(code: string): void {
    const b = this.board;
    if (CLOSING_ERR_CODES.has(code)) {
      bump(b.counters.errors, code);
      if (FATAL_ERR_CODES.has(code)) b.fail(code);
      b.phase.enter('closing');
      return;
    }
    if (b.garbage.err(code)) return;
    bump(b.counters.errors, code);
    // Our own HELLO refused: a bug in the simulator, retrying would only repeat it.
    if (code === 'BAD_HELLO' && b.phase.state === 'hello') {
      b.fail(code);
      b.abort(`ERR ${code}`);
    }
  }

  private onBye(): void {
    if (this.board.phase.state === 'bye') return this.board.byeAnswered();
    // The gateway is shutting down: it closes after its last ACK; the board reconnects later.
    this.board.counters.gatewayByes += 1;
    this.board.phase.enter('closing');
  }
}
