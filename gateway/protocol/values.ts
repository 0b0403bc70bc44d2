import type { FieldValue } from './messages.js';

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/;
export const MAX_STRING_BYTES = 200;

export function isFieldName(name: string): boolean {
  return NAME.test(name);
}

/** Decodes one value token of an `R` line; returns an error text instead of throwing. */
export function decodeValue(raw: string): { value: FieldValue } | { error: string } {
  if (raw.length === 0) return { error: 'empty value' };
  if (raw === 'true') return { value: true };
  if (raw === 'false') return { value: false };
  if (raw.charCodeAt(0) === 0x22) return decodeString(raw);
  if (!NUMBER.test(raw)) return { error: `not a number, true, false or "string": ${clip(raw)}` };
  const n = Number(raw);
  if (!Number.isFinite(n)) return { error: `number out of range: ${clip(raw)}` };
  return { value: n };
}

function decodeString(raw: string): { value: string } | { error: string } {
  if (raw.length < 2 || raw.charCodeAt(raw.length - 1) !== 0x22) return { error: 'unterminated string' };
  const inner = raw.slice(1, -1);
  let out = '';
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (c === '\\') {
      const next = inner[i + 1];
      if (next !== '"' && next !== '\\') return { error: 'bad escape in string (only \\" and \\\\)' };
      out += next;
      i++;
    } else if (c === '"') {
      return { error: 'unescaped quote in string' };
    } else {
      out += c;
    }
  }
  if (Buffer.byteLength(out, 'utf8') > MAX_STRING_BYTES) return { error: `string longer than ${MAX_STRING_BYTES} bytes` };
  return { value: out };
}

function clip(s: string): string {
  return s.length > 24 ? `${s.slice(0, 24)}…` : s;
}
