import type { ErrCode, NakCode } from './codes.js';
import type { Fields, HelloMessage, ParseResult, ReadingMessage, TimeStamp } from './messages.js';
import { splitTokens } from './tokens.js';
import { decodeValue, isFieldName } from './values.js';

export const MAX_FIELDS = 32;
const U32_MAX = 0xffffffff;
const DEVICE_ID = /^[A-Za-z0-9_.-]{1,64}$/;
const TOKEN = /^[A-Za-z0-9_.~+/=-]{1,128}$/;
const WORD = /^[\x21-\x7e]{1,32}$/;
const DIGITS = /^\d{1,10}$/;
const EPOCH = /^\d{1,15}$/;
/** `off=`: a signed integer of at most 15 digits (the window check needs the receive time: ingest/clock-anchor.ts). */
const OFFSET = /^-?\d{1,15}$/;
/** Largest `rtt=` accepted: a round trip longer than ten minutes says nothing about the clock. */
export const MAX_RTT_MS = 600_000;

/** Parses one complete line (already framed and decoded) into a message or a refusal. Pure. */
export function parseLine(line: string): ParseResult {
  const tokens = splitTokens(line);
  const verb = tokens === null ? firstWord(line) : tokens[0];
  switch (verb) {
    case 'R':
      return parseReading(line, tokens);
    case 'HELLO':
      return tokens === null ? err('BAD_HELLO', 'unterminated quote') : parseHello(tokens);
    case 'T':
      return tokens === null ? err('BAD_TIME_REQUEST', 'unterminated quote') : parseTimeRequest(tokens);
    case 'PING':
    case 'BYE':
      return tokens !== null && tokens.length === 1
        ? { ok: true, message: { verb } }
        : err('UNKNOWN_VERB', `${verb} takes no arguments`);
    default:
      return err('UNKNOWN_VERB', `unknown verb: ${clip(verb ?? '')}`);
  }
}

/**
 * Reads `<seq>` from the start of an `R` line that could not be framed (too long, bad UTF-8), so
 * the refusal can be a NAK the board can act on. Returns null when the line is not `R <seq> `.
 */
export function readingSeqOf(head: string): number | null {
  const m = /^R +(\d{1,10})(?: |$)/.exec(head);
  if (!m) return null;
  const seq = Number(m[1]);
  return seq >= 1 && seq <= U32_MAX ? seq : null;
}

function parseReading(line: string, tokens: string[] | null): ParseResult {
  const seqToken = tokens ? tokens[1] : /^R +(\S+)/.exec(line)?.[1];
  const seq = parseU32(seqToken);
  if (seq === null || seq === 0) return err('BAD_SEQ', `R needs a sequence number 1..${U32_MAX}`);
  if (tokens === null) return nak(seq, 'BAD_VALUE', 'unterminated string');
  const ts = parseTimeStamp(tokens[2]);
  if (ts === null) return nak(seq, 'BAD_TS', "ts must be '-', epoch milliseconds or u<millis>");
  if (tokens.length <= 3) return nak(seq, 'NO_FIELDS', 'a reading needs at least one field=value');
  if (tokens.length - 3 > MAX_FIELDS) return nak(seq, 'TOO_MANY_FIELDS', `at most ${MAX_FIELDS} fields`);
  const fields: Fields = Object.create(null) as Fields;
  for (let i = 3; i < tokens.length; i++) {
    const token = tokens[i] as string;
    const eq = token.indexOf('=');
    const name = eq === -1 ? token : token.slice(0, eq);
    if (eq === -1 || !isFieldName(name)) return nak(seq, 'BAD_FIELD', `not name=value: ${clip(token)}`);
    if (name in fields) return nak(seq, 'DUP_FIELD', `field ${name} given twice`);
    const decoded = decodeValue(token.slice(eq + 1));
    if ('error' in decoded) return nak(seq, 'BAD_VALUE', `field ${name}: ${decoded.error}`);
    fields[name] = decoded.value;
  }
  const message: ReadingMessage = { verb: 'R', seq, ts, fields };
  return { ok: true, message };
}

function parseTimeStamp(token: string | undefined): TimeStamp | null {
  if (token === undefined) return null;
  if (token === '-') return { kind: 'gateway' };
  if (token.charCodeAt(0) === 0x75 /* u */) {
    const millis = parseU32(token.slice(1));
    return millis === null ? null : { kind: 'uptime', millis };
  }
  return EPOCH.test(token) ? { kind: 'epoch', ms: Number(token) } : null;
}

function parseHello(tokens: string[]): ParseResult {
  const [, deviceId, token, ...keys] = tokens;
  if (deviceId === undefined || !DEVICE_ID.test(deviceId)) return err('BAD_HELLO', 'device id must match [A-Za-z0-9_.-]{1,64}');
  if (token === undefined || !TOKEN.test(token)) return err('BAD_HELLO', 'missing or malformed token');
  const hello: HelloMessage = { verb: 'HELLO', deviceId, token };
  for (const kv of keys) {
    const eq = kv.indexOf('=');
    if (eq <= 0) return err('BAD_HELLO', `not key=value: ${clip(kv)}`);
    const key = kv.slice(0, eq);
    const value = kv.slice(eq + 1);
    if (key === 'boot' || key === 'up' || key === 'missed') {
      const n = parseU32(value);
      if (n === null) return err('BAD_HELLO', `${key} must be 0..${U32_MAX}`);
      hello[key] = n;
    } else if (key === 'fw' || key === 'board' || key === 'reset') {
      if (!WORD.test(value)) return err('BAD_HELLO', `${key} must be 1-32 printable characters`);
      hello[key] = value;
    }
    // Unknown keys are ignored: later firmware may send more.
  }
  return { ok: true, message: hello };
}

function parseTimeRequest(tokens: string[]): ParseResult {
  const millis = parseU32(tokens[1]);
  if (millis === null) return err('BAD_TIME_REQUEST', 'T needs the device millis 0..4294967295');
  const message: { verb: 'T'; millis: number; rtt?: number; off?: number } = { verb: 'T', millis };
  for (const kv of tokens.slice(2)) {
    const eq = kv.indexOf('=');
    const key = kv.slice(0, eq);
    const value = kv.slice(eq + 1);
    if (key === 'rtt') {
      const n = parseU32(value);
      if (n === null || n > MAX_RTT_MS) return err('BAD_TIME_REQUEST', `rtt must be 0..${MAX_RTT_MS}`);
      message.rtt = n;
    } else if (key === 'off') {
      if (!OFFSET.test(value)) return err('BAD_TIME_REQUEST', 'off must be a signed integer of at most 15 digits');
      message.off = Number(value);
    } else if (eq <= 0) {
      return err('BAD_TIME_REQUEST', `not key=value: ${clip(kv)}`);
    }
  }
  return { ok: true, message };
}

function parseU32(token: string | undefined): number | null {
  if (token === undefined || !DIGITS.test(token)) return null;
  const n = Number(token);
  return n <= U32_MAX ? n : null;
}

function firstWord(line: string): string | undefined {
  return line.split(' ').find((w) => w.length > 0);
}

function nak(seq: number, code: NakCode, text: string): ParseResult {
  return { ok: false, refusal: { scope: 'nak', seq, code, text } };
}

function err(code: ErrCode, text: string): ParseResult {
  return { ok: false, refusal: { scope: 'err', code, text } };
}

function clip(s: string): string {
  return s.length > 24 ? `${s.slice(0, 24)}…` : s;
}
