import type { Socket } from 'node:net';
import type { Timers } from '../../time/timers.js';
import type { SessionContext } from '../session/session.js';

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
}

/** What a connection uses of its socket (a net.Socket; tests hand in a fake). */
export type ConnectionSocket = Pick<
  Socket,
  'on' | 'pause' | 'resume' | 'cork' | 'uncork' | 'write' | 'end' | 'destroy' | 'destroyed' | 'writable' | 'writableLength' | 'remoteAddress' | 'remotePort'
>;
