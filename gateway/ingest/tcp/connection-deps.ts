import type { Socket } from 'node:net';
import type { Timers } from '../../time/timers.js';
import type { SessionContext } from '../session/session.js';
import type { TurnShare } from '../turn-share.js';
import type { ReadSlots } from '../read-slots.js';

export interface TcpLimits {
  maxLineBytes: number;
  helloTimeoutMs: number;
  idleTimeoutMs: number;
  maxUnackedPerConnection: number;
  maxErrorRun: number;
  maxWriteBufferBytes: number;
  maxLinesPerSecond: number;
  lineBurst: number;
  overBudgetCloseMs: number;
  maxLinesPerTurn: number;
  slowReaderTimeoutMs: number;
}

/** What every TCP connection of a gateway is given: the session context, its limits and clock. */
export interface ConnectionDeps extends SessionContext {
  limits: TcpLimits;
  timers: Timers;
  /**
   * Lines per event-loop turn for all connections still greeting (before HELLO OK), shared: made
   * by the TCP listener (absent: no shared bound, as in unit tests of one connection).
   */
  greetings?: TurnShare;
  /**
   * Places for new connections whose sockets are read before their first bytes arrive, shared:
   * made by the TCP listener (absent: every new connection is read at once).
   */
  readers?: ReadSlots;
}

/**
 * A connection's states. greeting: waiting for HELLO; authenticating: a HELLO is being
 * registered, or its refusal waits out the guessing throttle's delay (input is held); ready:
 * streaming readings; held: answered BUSY because the disk is full (later lines are read and
 * discarded, the connection stays open until the board closes it or goes idle); draining: no more
 * input, finishing ACKs before a last reply and close.
 */
export type ConnectionState =
  'greeting' | 'authenticating' | 'ready' | 'held' | 'draining' | 'closed';

/** What a connection uses of its socket (a net.Socket; tests hand in a fake). */
export type ConnectionSocket = Pick<
  Socket,
  'on' | 'pause' | 'resume' | 'cork' | 'uncork' | 'write' | 'end' | 'destroy' | 'destroyed' | 'writable' | 'writableLength' | 'remoteAddress' | 'remotePort'
>;
