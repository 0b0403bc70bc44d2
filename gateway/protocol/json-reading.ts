import type { EnvelopeResult, ReadingMeta } from './envelope.js';
import { parseLine } from './parse.js';
import { isFieldName } from './values.js';

const U32_MAX = 0xffffffff;

/**
 * The JSON form of an enveloped reading (docs/PROTOCOL.md, MQTT):
 *
 *   {"boot": 2849101, "low": 5, "seq": 7, "ts": "u1200", "fields": {"temp_c": 21.5, "door": false}}
 *
 * It is turned into the equivalent `R` line and parsed by the one line parser, so both forms are
 * validated by the same code and refused with the same codes. Pure.
 */
export function parseJsonReading(text: string): EnvelopeResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, refusal: { scope: 'err', code: 'BAD_SEQ', text: 'payload is not valid JSON' }, meta: {} };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, refusal: { scope: 'err', code: 'BAD_SEQ', text: 'a JSON reading must be an object' }, meta: {} };
  }
  const obj = value as Record<string, unknown>;
  const meta: ReadingMeta = {};
  for (const key of ['boot', 'low'] as const) {
    if (obj[key] === undefined) continue;
    const n = obj[key];
    if (!isU32(n)) return { ok: false, refusal: { scope: 'err', code: 'BAD_HELLO', text: `${key} must be 0..${U32_MAX}` }, meta };
    meta[key] = n;
  }
  const seq = obj.seq;
  if (!isU32(seq) || seq === 0) return { ok: false, refusal: { scope: 'err', code: 'BAD_SEQ', text: `seq must be 1..${U32_MAX}` }, meta };
  const ts = tsToken(obj.ts);
  if (ts === null) return nak(seq, 'BAD_TS', "ts must be '-', epoch milliseconds or \"u<millis>\"", meta);
  const fields = obj.fields;
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) return nak(seq, 'NO_FIELDS', 'fields must be an object', meta);
  const parts: string[] = [];
  for (const [name, v] of Object.entries(fields as Record<string, unknown>)) {
    if (!isFieldName(name)) return nak(seq, 'BAD_FIELD', `bad field name: ${clip(name)}`, meta);
    const token = valueToken(v);
    if (token === null) return nak(seq, 'BAD_VALUE', `field ${name}: must be a number, true, false or a string`, meta);
    parts.push(`${name}=${token}`);
  }
  const parsed = parseLine(`R ${seq} ${ts}${parts.map((p) => ` ${p}`).join('')}`);
  if (!parsed.ok) return { ok: false, refusal: parsed.refusal, meta };
  if (parsed.message.verb !== 'R') throw new Error('unreachable: a built R line parsed as another verb');
  return { ok: true, message: parsed.message, meta };
}

function isU32(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= U32_MAX;
}

/** `ts` may be omitted (gateway time), a number (epoch ms) or any text the line form allows. */
function tsToken(ts: unknown): string | null {
  if (ts === undefined) return '-';
  if (typeof ts === 'number') return Number.isInteger(ts) && ts >= 0 ? String(ts) : null;
  if (typeof ts === 'string' && /^\S+$/.test(ts)) return ts;
  return null;
}

function valueToken(v: unknown): string | null {
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : null;
  if (typeof v === 'string') return `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  return null;
}

function nak(seq: number, code: 'BAD_TS' | 'NO_FIELDS' | 'BAD_FIELD' | 'BAD_VALUE', text: string, meta: ReadingMeta): EnvelopeResult {
  return { ok: false, refusal: { scope: 'nak', seq, code, text }, meta };
}

function clip(s: string): string {
  return s.length > 24 ? `${s.slice(0, 24)}…` : s;
}
