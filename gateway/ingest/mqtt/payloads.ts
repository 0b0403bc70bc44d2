import { isUtf8 } from 'node:buffer';
import { parseEnvelopedReading, type EnvelopeResult, type ReadingMeta } from '../../protocol/envelope.js';
import { parseJsonReading } from '../../protocol/json-reading.js';
import type { HelloMessage, Refusal, TimeRequestMessage } from '../../protocol/messages.js';
import { parseLine, readingSeqOf } from '../../protocol/parse.js';

/** Decoding of MQTT payloads into protocol messages (pure). docs/PROTOCOL.md, MQTT. */

export function parseReadingPayload(payload: Buffer, maxBytes: number): EnvelopeResult {
  const text = payload.subarray(0, 64).toString('latin1');
  if (payload.length > maxBytes) {
    const seq = seqHint(text);
    const msg = `payload longer than ${maxBytes} bytes`;
    return { ok: false, refusal: seq !== null ? { scope: 'nak', seq, code: 'LINE_TOO_LONG', text: msg } : { scope: 'err', code: 'LINE_TOO_LONG', text: msg }, meta: {} };
  }
  if (!isUtf8(payload)) {
    const seq = seqHint(text);
    const msg = 'payload is not valid UTF-8';
    return { ok: false, refusal: seq !== null ? { scope: 'nak', seq, code: 'BAD_UTF8', text: msg } : { scope: 'err', code: 'BAD_UTF8', text: msg }, meta: {} };
  }
  const body = trimLineEnd(payload.toString('utf8'));
  return body.trimStart().startsWith('{') ? parseJsonReading(body) : parseEnvelopedReading(body);
}

/** `hasToken`: the board sent a token (checked like TCP's); without one the broker vouches for it. */
export type HelloResult = { ok: true; hello: HelloMessage; hasToken: boolean; low?: number } | { ok: false; refusal: Refusal };

/**
 * A hello payload: `boot=<u32> [up=<millis>] [fw=..] [board=..] [low=<seq>] [token=<token>]`, the
 * TCP line `HELLO <device> <token> key=value ...`, or a JSON object with the same keys.
 */
export function parseHelloPayload(device: string, payload: Buffer): HelloResult {
  if (payload.length > 512 || !isUtf8(payload)) return badHello('hello payload must be UTF-8 text of at most 512 bytes');
  const body = trimLineEnd(payload.toString('utf8')).trim();
  let keys: string;
  if (body.startsWith('{')) {
    const fromJson = jsonKeys(body);
    if (fromJson === null) return badHello('hello JSON must be an object of numbers and words');
    keys = fromJson;
  } else if (body.startsWith('HELLO ')) {
    const parsed = parseLine(body);
    if (!parsed.ok) return { ok: false, refusal: parsed.refusal };
    if (parsed.message.verb !== 'HELLO' || parsed.message.deviceId !== device) return badHello('the HELLO line names another device than the topic');
    return withLow(parsed.message, true, body);
  } else {
    keys = body;
  }
  const token = /(?:^| )token=(\S+)/.exec(keys)?.[1];
  const parsed = parseLine(`HELLO ${device} ${token ?? '-'} ${keys.replace(/(?:^| )token=\S+/, '')}`.trimEnd());
  if (!parsed.ok) return { ok: false, refusal: parsed.refusal };
  if (parsed.message.verb !== 'HELLO') return badHello('not a hello');
  return withLow(parsed.message, token !== undefined, keys);
}

/** A time request: `<device-millis> [rtt=..] [off=..]`, with or without the leading `T`. */
export function parseTimePayload(payload: Buffer): { ok: true; request: TimeRequestMessage } | { ok: false; refusal: Refusal } {
  if (payload.length > 128 || !isUtf8(payload)) return { ok: false, refusal: { scope: 'err', code: 'BAD_TIME_REQUEST', text: 'time request must be short UTF-8 text' } };
  const body = trimLineEnd(payload.toString('utf8')).trim();
  const parsed = parseLine(body.startsWith('T ') ? body : `T ${body}`);
  if (!parsed.ok) return { ok: false, refusal: parsed.refusal };
  if (parsed.message.verb !== 'T') return { ok: false, refusal: { scope: 'err', code: 'BAD_TIME_REQUEST', text: 'not a time request' } };
  return { ok: true, request: parsed.message };
}

export type Status = 'online' | 'offline' | 'lost';

export function parseStatusPayload(payload: Buffer): Status | null {
  const s = payload.toString('latin1').trim();
  return s === 'online' || s === 'offline' || s === 'lost' ? s : null;
}

function withLow(hello: HelloMessage, hasToken: boolean, keys: string): HelloResult {
  const low = /(?:^| )low=(\d{1,10})(?: |$)/.exec(keys)?.[1];
  const n = low === undefined ? undefined : Number(low);
  return n !== undefined && n <= 0xffffffff ? { ok: true, hello, hasToken, low: n } : { ok: true, hello, hasToken };
}

function jsonKeys(body: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if ((typeof v !== 'number' && typeof v !== 'string') || /\s/.test(String(v)) || !/^[a-z]{1,16}$/.test(k)) return null;
    parts.push(`${k}=${v}`);
  }
  return parts.join(' ');
}

function badHello(text: string): HelloResult {
  return { ok: false, refusal: { scope: 'err', code: 'BAD_HELLO', text } };
}

/** Payloads are single messages; a trailing line end (from `echo` or a serial console) is ignored. */
function trimLineEnd(s: string): string {
  return s.replace(/\r?\n$/, '');
}

/** The seq of a refused payload, when its start shows one (text or JSON form). */
function seqHint(head: string): number | null {
  const text = head.replace(/^(?:\s*\S+=\S+ +)*/, '');
  const fromLine = readingSeqOf(text);
  if (fromLine !== null) return fromLine;
  const json = /"seq"\s*:\s*(\d{1,10})\D/.exec(head)?.[1];
  const n = json === undefined ? 0 : Number(json);
  return n >= 1 && n <= 0xffffffff ? n : null;
}

export type { ReadingMeta };
