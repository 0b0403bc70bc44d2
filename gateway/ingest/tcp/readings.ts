import type { ReadingMessage, Refusal } from '../../protocol/messages.js';
import { reply } from '../../protocol/replies.js';
import { tooManyGaps } from '../session/store-refusals.js';
import type { ReadingOutcome } from '../../store/ops.js';
import type { IngestSession } from '../session/session.js';
import type { AckBatch } from './ack-batch.js';
import type { ConnectionSocket, ConnectionState } from './connection-deps.js';
import type { ConnectionDeadlines } from './deadlines.js';
import type { FlowControl } from './flow-control.js';
import type { InputGate } from './input-gate.js';
import type { ReplyOutput } from './reply-output.js';

export interface ReadingDeps {
  /** Decides: BUSY (and why), the field rules' verdict, the reading's commit; counts disk full. */
  readonly session: Pick<IngestSession, 'busy' | 'busyReason' | 'screen' | 'accept' | 'diskFull'>;
  /** A ticket per reading in arrival order; the cumulative ACK passes it once it is settled. */
  readonly acks: Pick<AckBatch, 'add' | 'settle' | 'unsettled'>;
  /** Backpressure: too many readings await their commit. A held connection ends it. */
  readonly flow: Pick<FlowControl, 'unsettled' | 'endBackpressure'>;
  /** Writes BUSY or the failed commit's ERR as is: the connection takes no more lines after it. */
  readonly out: Pick<ReplyOutput, 'send'>;
  /** Read again (and discarded) when held; destroyed after a failed commit. */
  readonly socket: Pick<ConnectionSocket, 'resume' | 'destroy'>;
  readonly deadlines: Pick<ConnectionDeadlines, 'helloDone'>;
  /** What was read and not handled yet is dropped when the connection is held. */
  readonly input: Pick<InputGate, 'clear'>;
  /** The connection's state (a commit may come in after it closed). */
  state(): ConnectionState;
  /** Moves the connection to held. */
  enter(state: 'held'): void;
  /** Refuses a reading the field rules NAK, counted (refusals.ts). */
  refuse(refusal: Refusal): void;
  /** Stops taking input; closes, without a last reply, once every reading is acknowledged. */
  drain(): void;
}

/**
 * The readings of one TCP connection: BUSY while the store takes none (its buffer is full: the
 * connection drains; the disk is full: it is held), the field rules' NAK, and for each accepted
 * reading a ticket that its commit settles, so the cumulative ACK passes it only once it is
 * durable. A reading whose commit failed is never acknowledged.
 */
export class Readings {
  constructor(private readonly deps: ReadingDeps) {}

  /** A reading of the authenticated device, read at `now`. */
  accept(msg: ReadingMessage, bytes: number, now: number): void {
    const d = this.deps;
    const retryAfterMs = d.session.busy();
    if (retryAfterMs !== null) {
      if (d.session.busyReason() === 'disk') {
        this.hold(retryAfterMs);
        return;
      }
      d.out.send(reply.busy(retryAfterMs));
      d.drain();
      return;
    }
    const refusal = d.session.screen(msg);
    if (refusal !== null) {
      d.refuse(refusal);
      return;
    }
    const ticket = d.acks.add(msg.seq);
    d.session.accept(msg, bytes, now, (outcome) => this.committed(ticket, msg.seq, outcome));
    d.flow.unsettled(d.acks.unsettled);
  }

  /**
   * The disk is full: answers BUSY once (to a reading, or to a HELLO whose registration could not
   * be committed) and takes no more lines, but keeps the connection open (a closed one makes
   * boards reconnect at once, over and over). What was stored before is still acknowledged; the
   * idle timeout ends a connection the board leaves open.
   */
  hold(retryAfterMs: number): void {
    const d = this.deps;
    const state = d.state();
    if (state === 'held' || state === 'draining' || state === 'closed') return;
    // A HELLO whose registration could not be committed is held too: the hello timeout no longer
    // applies, the idle timeout ends a connection the board leaves open.
    d.enter('held');
    d.deadlines.helloDone();
    d.input.clear();
    d.out.send(reply.busy(retryAfterMs));
    // Keep reading (and discarding) so neither side's buffers fill and the peer's FIN is seen.
    if (d.flow.endBackpressure() || state === 'authenticating') d.socket.resume();
  }

  private committed(ticket: number, seq: number, outcome: ReadingOutcome): void {
    const d = this.deps;
    if (d.state() === 'closed') return;
    if (outcome === 'gaps') {
      // Refused by the store, for good: NAKed like a refusal of the field rules, counted.
      d.acks.settle(ticket, false);
      d.refuse(tooManyGaps(seq));
      return;
    }
    if (outcome === 'full') {
      // The disk is full: not stored, so never ACKed, and no later reading of this connection is
      // either. BUSY tells the board to keep its readings and come back after the retry-after time.
      d.acks.settle(ticket, 'failed');
      this.hold(d.session.diskFull());
      return;
    }
    if (outcome === 'failed') {
      // Nothing of this batch is durable: never ACK it. The board resends after reconnecting.
      d.out.send(reply.err('INTERNAL', 'store write failed; reconnect and resend'));
      d.socket.destroy();
      return;
    }
    d.acks.settle(ticket, true);
  }
}
