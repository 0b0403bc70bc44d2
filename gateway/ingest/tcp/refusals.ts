import { CLOSING_ERR_CODES, type ErrCode } from '../../protocol/codes.js';
import type { Message, Refusal } from '../../protocol/messages.js';
import { reply } from '../../protocol/replies.js';
import type { LimitName } from '../session/limits.js';
import type { IngestSession } from '../session/session.js';
import type { AckBatch } from './ack-batch.js';

/** What a peer that has not sent HELLO gets for anything but HELLO, BYE and a first T. */
const NOT_AUTHENTICATED: Refusal = {
  scope: 'err',
  code: 'NOT_AUTHENTICATED',
  text: 'send HELLO first',
};

export interface RefusalDeps {
  /** Counts refusals (by code, and in the device's statistics) and limits. */
  readonly session: Pick<IngestSession, 'refused' | 'closedWith' | 'limit'>;
  /** A NAKed reading is registered and settled as rejected, so the cumulative ACK passes it. */
  readonly acks: Pick<AckBatch, 'add' | 'settle'>;
  /** Refusals in a row that end the connection (TOO_MANY_ERRORS). */
  readonly maxErrorRun: number;
  /** A HELLO was accepted (the connection is ready). */
  authenticated(): boolean;
  /** The connection is draining or closed: it ends already. */
  ending(): boolean;
  /** Sends a reply (a peer that does not read its replies has its input paused). */
  send(line: string): void;
  /** Stops taking input; `last` goes out once every received reading is acknowledged; close. */
  drain(last: string): void;
}

/**
 * What a TCP connection answers to what it does not take: a NAK or an ERR for a refused line
 * (counted by the session), NOT_AUTHENTICATED for what a peer sends before HELLO, the run of errors
 * in a row that ends the connection, and the ERR that ends a connection (a limit, a kick, a refused
 * authentication) after it acknowledged what it received.
 */
export class Refusals {
  /** Refusals since the last line that parsed and was taken. */
  private errorRun = 0;
  /** T lines seen before HELLO (only the first is answered). */
  private timeBeforeHello = 0;

  constructor(private readonly deps: RefusalDeps) {}

  /**
   * Handles a line that parsed: it resets the error run, unless it was refused itself (a PING
   * before HELLO).
   */
  parsed(handle: () => void): void {
    const run = this.errorRun;
    handle();
    if (this.errorRun === run) this.errorRun = 0;
  }

  /**
   * Refuses a message the connection does not take in its state; true when it did. Before HELLO
   * nothing but HELLO and BYE, and one T: boards sync their clock while they connect (section 8's
   * transcript), so the first T is answered and any further one waits for authentication like
   * everything else; an unauthenticated peer gets no free replies. After HELLO, another HELLO.
   */
  outOfPlace(msg: Message): boolean {
    if (this.deps.authenticated()) {
      if (msg.verb !== 'HELLO') return false;
      const text = 'HELLO was already accepted on this connection';
      this.refuse({ scope: 'err', code: 'ALREADY_HELLO', text });
      return true;
    }
    if (msg.verb === 'HELLO' || msg.verb === 'BYE') return false;
    if (msg.verb === 'T' && this.timeBeforeHello++ === 0) return false;
    this.refuse(NOT_AUTHENTICATED);
    return true;
  }

  /**
   * Answers a refused line, counted: a NAK (before HELLO it becomes ERR NOT_AUTHENTICATED) or an
   * ERR. An ERR whose code closes ends the connection; so does a run of maxErrorRun refusals.
   */
  refuse(refusal: Refusal): void {
    const d = this.deps;
    if (refusal.scope === 'nak' && !d.authenticated()) refusal = NOT_AUTHENTICATED;
    d.session.refused(refusal);
    if (refusal.scope === 'nak') {
      d.acks.settle(d.acks.add(refusal.seq), false);
      d.send(reply.nak(refusal.seq, refusal.code, refusal.text));
    } else {
      if (CLOSING_ERR_CODES.has(refusal.code)) {
        d.drain(reply.err(refusal.code, refusal.text));
        return;
      }
      d.send(reply.err(refusal.code, refusal.text));
    }
    if (++this.errorRun >= d.maxErrorRun) {
      this.closeOnLimit('TOO_MANY_ERRORS', `${this.errorRun} errors in a row`);
    }
  }

  /** A connection-level error that ends the connection (after acknowledging what was received). */
  refuseConnection(code: ErrCode, text: string): void {
    if (this.deps.ending()) return;
    this.deps.session.closedWith(code);
    this.deps.drain(reply.err(code, text));
  }

  /** A limit that ends the connection, named in the ERR the board gets. */
  closeOnLimit(code: LimitName & ErrCode, text: string): void {
    this.deps.session.limit(code);
    this.refuseConnection(code, text);
  }
}
