/**
 * The board's side of docs/PROTOCOL.md v1 as pure functions: encoders for the lines a board sends
 * (without the terminating '\n', which the link adds) and a decoder for the gateway's replies.
 * Encoders throw on input the grammar forbids: that is a bug in the caller, never a runtime state.
 */
import { CLOSING_ERR_CODES as GATEWAY_CLOSING_ERR_CODES } from '../gateway/protocol/codes.js';

export type FieldValue = number | boolean | string;

export type Timestamp =
  | { kind: 'gateway' } // `-`
  | { kind: 'epoch'; ms: number } // epoch milliseconds from the board's clock
  | { kind: 'uptime'; millis: number }; // `u<millis>`

export interface Hello {
  deviceId: string;
  token: string;
  boot?: number;
  up?: number;
  fw?: string;
  board?: string;
  /**
   * MQTT: the lowest seq the board still holds (it holds nothing unacknowledged below). HELLO's
   * grammar allows other keys; the gateway's MQTT side uses this one to close gaps the board gave up.
   */
  low?: number;
}

export interface Reading {
  seq: number;
  ts: Timestamp;
  fields: ReadonlyArray<readonly [string, FieldValue]>;
}

export interface TimeRequestLine {
  deviceMillis: number;
  rttMs?: number;
  offMs?: number;
}

export const MAX_LINE_BYTES = 512;
export const MAX_FIELDS = 32;
export const MAX_STRING_BYTES = 200;
const DEVICE_ID = /^[A-Za-z0-9_.-]{1,64}$/;
const TOKEN = /^[A-Za-z0-9_.\-~+/=]{1,128}$/;
const WORD = /^[\x21-\x7e]{1,32}$/;
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/;
const U32_MAX = 0xffffffff;

const isU32 = (n: number) => Number.isInteger(n) && n >= 0 && n <= U32_MAX;

function check(ok: boolean, message: string): void {
  if (!ok) throw new TypeError(message);
}

export function isDeviceId(id: string): boolean {
  return DEVICE_ID.test(id);
}

export function isToken(token: string): boolean {
  return TOKEN.test(token);
}

export function encodeHello(hello: Hello): string {
  check(isDeviceId(hello.deviceId), `bad device id ${JSON.stringify(hello.deviceId)}`);
  check(isToken(hello.token), 'bad token');
  const parts = ['HELLO', hello.deviceId, hello.token];
  if (hello.boot !== undefined) {
    check(isU32(hello.boot), `boot must be a u32, got ${hello.boot}`);
    parts.push(`boot=${hello.boot}`);
  }
  if (hello.up !== undefined) {
    check(isU32(hello.up), `up must be a u32, got ${hello.up}`);
    parts.push(`up=${hello.up}`);
  }
  for (const [key, value] of [['fw', hello.fw], ['board', hello.board]] as const) {
    if (value === undefined) continue;
    check(WORD.test(value), `${key} must be 1-32 printable ASCII characters`);
    parts.push(`${key}=${value}`);
  }
  if (hello.low !== undefined) {
    check(isU32(hello.low), `low must be a u32, got ${hello.low}`);
    parts.push(`low=${hello.low}`);
  }
  return parts.join(' ');
}

export function encodeTimestamp(ts: Timestamp): string {
  switch (ts.kind) {
    case 'gateway':
      return '-';
    case 'epoch':
      check(Number.isInteger(ts.ms) && ts.ms >= 0 && ts.ms < 1e15, `epoch ms out of range: ${ts.ms}`);
      return String(ts.ms);
    case 'uptime':
      check(isU32(ts.millis), `uptime millis must be a u32, got ${ts.millis}`);
      return `u${ts.millis}`;
  }
}

export function encodeValue(value: FieldValue): string {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    check(Number.isFinite(value), `number must be finite, got ${value}`);
    // JSON.stringify gives JSON number syntax (and turns -0 into 0).
    return JSON.stringify(value);
  }
  // A string may not hold a line break or NUL: the line would end (or be refused) there.
  check(!/[\n\r\0]/.test(value), 'string values may not contain CR, LF or NUL');
  check(Buffer.byteLength(value, 'utf8') <= MAX_STRING_BYTES, `string longer than ${MAX_STRING_BYTES} bytes`);
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export function encodeReading(reading: Reading): string {
  check(isU32(reading.seq) && reading.seq > 0, `seq must be a non-zero u32, got ${reading.seq}`);
  check(reading.fields.length > 0 && reading.fields.length <= MAX_FIELDS, `1-${MAX_FIELDS} fields required`);
  const names = new Set<string>();
  const fields = reading.fields.map(([name, value]) => {
    check(FIELD_NAME.test(name), `bad field name ${JSON.stringify(name)}`);
    check(!names.has(name), `duplicate field ${name}`);
    names.add(name);
    return `${name}=${encodeValue(value)}`;
  });
  const line = `R ${reading.seq} ${encodeTimestamp(reading.ts)} ${fields.join(' ')}`;
  check(Buffer.byteLength(line, 'utf8') <= MAX_LINE_BYTES, `reading line longer than ${MAX_LINE_BYTES} bytes`);
  return line;
}

export function encodeTimeRequest(request: TimeRequestLine): string {
  check(isU32(request.deviceMillis), `device millis must be a u32, got ${request.deviceMillis}`);
  let line = `T ${request.deviceMillis}`;
  if (request.rttMs !== undefined) {
    check(isU32(request.rttMs), `rtt must be a u32, got ${request.rttMs}`);
    line += ` rtt=${request.rttMs}`;
  }
  if (request.offMs !== undefined) {
    check(Number.isInteger(request.offMs) && Math.abs(request.offMs) < 1e16, `off out of range: ${request.offMs}`);
    line += ` off=${request.offMs}`;
  }
  return line;
}

export const PING_LINE = 'PING';
export const BYE_LINE = 'BYE';

/** A gateway reply, decoded. `invalid` is a line the protocol does not allow. */
export type GatewayMessage =
  | { kind: 'hello-ok'; gatewayEpochMs: number; ackedSeq: number }
  | { kind: 'ack'; seq: number }
  | { kind: 'nak'; seq: number; code: string; text: string }
  | { kind: 'time'; deviceMillis: number; gatewayEpochMs: number }
  | { kind: 'busy'; retryAfterMs: number }
  | { kind: 'err'; code: string; text: string }
  | { kind: 'pong' }
  | { kind: 'bye' }
  | { kind: 'invalid'; line: string };

const DIGITS = /^\d{1,16}$/;
const CODE = /^[A-Z][A-Z0-9_]*$/;

function u32(word: string | undefined): number | null {
  if (word === undefined || !/^\d{1,10}$/.test(word)) return null;
  const n = Number(word);
  return n <= U32_MAX ? n : null;
}

function epoch(word: string | undefined): number | null {
  return word !== undefined && DIGITS.test(word) ? Number(word) : null;
}

/** Everything after the first `skip` space-separated words (the human text of NAK/ERR). */
function rest(line: string, skip: number): string {
  const match = new RegExp(`^(?:\\S+ +){${skip}}`).exec(line);
  return match ? line.slice(match[0].length) : '';
}

export function parseGatewayLine(line: string): GatewayMessage {
  const words = line.split(/ +/).filter((w) => w !== '');
  const [verb, a, b, c] = words;
  const invalid: GatewayMessage = { kind: 'invalid', line };
  switch (verb) {
    case 'HELLO': {
      const gatewayEpochMs = epoch(b);
      const ackedSeq = u32(c);
      if (a !== 'OK' || gatewayEpochMs === null || ackedSeq === null || words.length !== 4) return invalid;
      return { kind: 'hello-ok', gatewayEpochMs, ackedSeq };
    }
    case 'ACK': {
      const seq = u32(a);
      return seq !== null && words.length === 2 ? { kind: 'ack', seq } : invalid;
    }
    case 'NAK': {
      const seq = u32(a);
      if (seq === null || b === undefined || !CODE.test(b)) return invalid;
      return { kind: 'nak', seq, code: b, text: rest(line.trimStart(), 3) };
    }
    case 'T': {
      const deviceMillis = u32(a);
      const gatewayEpochMs = epoch(b);
      if (deviceMillis === null || gatewayEpochMs === null || words.length !== 3) return invalid;
      return { kind: 'time', deviceMillis, gatewayEpochMs };
    }
    case 'BUSY': {
      const retryAfterMs = epoch(a);
      return retryAfterMs !== null && words.length === 2 ? { kind: 'busy', retryAfterMs } : invalid;
    }
    case 'ERR':
      if (a === undefined || !CODE.test(a)) return invalid;
      return { kind: 'err', code: a, text: rest(line.trimStart(), 2) };
    case 'PONG':
      return words.length === 1 ? { kind: 'pong' } : invalid;
    case 'BYE':
      return words.length === 1 ? { kind: 'bye' } : invalid;
    default:
      return invalid;
  }
}

/** ERR codes after which the gateway closes the connection (PROTOCOL.md section 7): the gateway's own list. */
export const CLOSING_ERR_CODES: ReadonlySet<string> = GATEWAY_CLOSING_ERR_CODES;

/** ERR codes after which reconnecting cannot help: the board stops. */
export const FATAL_ERR_CODES: ReadonlySet<string> = new Set(['AUTH_FAILED', 'UNKNOWN_DEVICE', 'REVOKED']);
