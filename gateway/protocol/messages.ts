import type { ErrCode, NakCode } from './codes.js';

/** A reading's value: protocol v1 allows numbers, booleans and strings. */
export type FieldValue = number | boolean | string;
/** Field name → value, in the order the board sent them (null prototype: names are data). */
export type Fields = Record<string, FieldValue>;

/** How the board stamped a reading. */
export type TimeStamp =
  | { kind: 'gateway' }
  | { kind: 'epoch'; ms: number }
  | { kind: 'uptime'; millis: number };

export interface HelloMessage {
  verb: 'HELLO';
  deviceId: string;
  token: string;
  boot?: number;
  up?: number;
  fw?: string;
  board?: string;
  /** Why the board last (re)started (`reset=`: power, watchdog, software, pin, ...). */
  reset?: string;
  /** Samples the board could not take on time during this boot (`missed=`). */
  missed?: number;
}

export interface ReadingMessage {
  verb: 'R';
  seq: number;
  ts: TimeStamp;
  fields: Fields;
}

export interface TimeRequestMessage {
  verb: 'T';
  millis: number;
  rtt?: number;
  off?: number;
}

export type Message =
  | HelloMessage
  | ReadingMessage
  | TimeRequestMessage
  | { verb: 'PING' }
  | { verb: 'BYE' };

/** A line the gateway refuses: a NAK names the reading, an ERR the connection. */
export type Refusal =
  | { scope: 'nak'; seq: number; code: NakCode; text: string }
  | { scope: 'err'; code: ErrCode; text: string };

export type ParseResult = { ok: true; message: Message } | { ok: false; refusal: Refusal };
