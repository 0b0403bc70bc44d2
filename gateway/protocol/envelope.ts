import type { ParseResult, ReadingMessage, Refusal } from './messages.js';
import { parseLine } from './parse.js';

/**
 * Keys that may precede an `R` line where there is no connection to carry them (MQTT payloads,
 * UDP lines): `boot=<u32>` names the sequence space like HELLO's key, `low=<u32>` is the lowest seq
 * the board still holds (it has dropped, or had acknowledged, everything below). docs/PROTOCOL.md.
 */
export interface ReadingMeta {
  boot?: number;
  low?: number;
}

export type EnvelopeResult =
  | { ok: true; message: ReadingMessage; meta: ReadingMeta }
  | { ok: false; refusal: Refusal; meta: ReadingMeta };

const U32 = /^\d{1,10}$/;
const U32_MAX = 0xffffffff;

/**
 * Parses `[key=value ...] R <seq> <ts> <field>=<value> ...` (pure). Unknown keys are ignored, as
 * in HELLO. Anything but an `R` line after the keys is refused like a line of that verb would be.
 */
export function parseEnvelopedReading(text: string): EnvelopeResult {
  const meta: ReadingMeta = {};
  let rest = text;
  for (;;) {
    rest = rest.replace(/^ +/, '');
    const space = rest.indexOf(' ');
    const word = space === -1 ? rest : rest.slice(0, space);
    const eq = word.indexOf('=');
    if (eq <= 0 || word.includes('"')) break;
    const key = word.slice(0, eq);
    const value = word.slice(eq + 1);
    if (key === 'boot' || key === 'low') {
      const n = U32.test(value) ? Number(value) : -1;
      if (n < 0 || n > U32_MAX) return refuse({ scope: 'err', code: 'BAD_HELLO', text: `${key} must be 0..${U32_MAX}` }, meta);
      meta[key] = n;
    }
    rest = space === -1 ? '' : rest.slice(space + 1);
  }
  const parsed: ParseResult = parseLine(rest);
  if (!parsed.ok) return refuse(parsed.refusal, meta);
  if (parsed.message.verb !== 'R') {
    return refuse({ scope: 'err', code: 'UNKNOWN_VERB', text: `expected a reading (R), got ${parsed.message.verb}` }, meta);
  }
  return { ok: true, message: parsed.message, meta };
}

function refuse(refusal: Refusal, meta: ReadingMeta): EnvelopeResult {
  return { ok: false, refusal, meta };
}
