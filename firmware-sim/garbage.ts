import { TCP_TRAITS, type TransportTraits } from './link.js';
import { intBelow, type Rng } from './rng.js';

/**
 * Malformed lines for the `--garbage` fault, each with the reply PROTOCOL.md section 7 prescribes.
 * Malformed readings use a fresh seq from the board's counter (so the gateway can NAK them and the
 * board's ACK bookkeeping stays in order); the others are connection-level errors.
 */
export type GarbageExpectation = { kind: 'nak'; seq: number; code: string } | { kind: 'err'; code: string };

export interface Garbage {
  /** The line without its '\n' (raw bytes, since some kinds are not valid UTF-8). */
  bytes: Buffer;
  expect: GarbageExpectation;
  /** Short name of the kind, for statistics. */
  name: string;
}

/** `long`: how many filler bytes make a line longer than the transport's limit. */
type ReadingGarbage = { name: string; code: string; body: (seq: number, long: number) => Buffer };
type LineGarbage = { name: string; code: string; bytes: (long: number) => Buffer };

const text = (s: string) => Buffer.from(s, 'utf8');

const READING_KINDS: readonly ReadingGarbage[] = [
  { name: 'empty-value', code: 'BAD_VALUE', body: (seq) => text(`R ${seq} - temp_c=`) },
  { name: 'nan-value', code: 'BAD_VALUE', body: (seq) => text(`R ${seq} - temp_c=NaN`) },
  { name: 'open-string', code: 'BAD_VALUE', body: (seq) => text(`R ${seq} - note="unterminated`) },
  { name: 'bad-ts', code: 'BAD_TS', body: (seq) => text(`R ${seq} yesterday temp_c=21.5`) },
  { name: 'no-fields', code: 'NO_FIELDS', body: (seq) => text(`R ${seq} -`) },
  { name: 'bad-field-name', code: 'BAD_FIELD', body: (seq) => text(`R ${seq} - 9lives=1`) },
  { name: 'dup-field', code: 'DUP_FIELD', body: (seq) => text(`R ${seq} - temp_c=1 temp_c=2`) },
  {
    name: 'too-many-fields',
    code: 'TOO_MANY_FIELDS',
    body: (seq) => text(`R ${seq} - ${Array.from({ length: 33 }, (_, i) => `f${i}=${i}`).join(' ')}`),
  },
  { name: 'long-reading', code: 'LINE_TOO_LONG', body: (seq, long) => text(`R ${seq} - note="${'x'.repeat(long)}"`) },
  {
    name: 'bad-utf8-reading',
    code: 'BAD_UTF8',
    body: (seq) => Buffer.concat([text(`R ${seq} - note="`), Buffer.from([0xff, 0xfe]), text('"')]),
  },
];

const LINE_KINDS: readonly LineGarbage[] = [
  { name: 'unknown-verb', code: 'UNKNOWN_VERB', bytes: () => text('XYZZY 42') },
  { name: 'bad-time-request', code: 'BAD_TIME_REQUEST', bytes: () => text('T soon') },
  { name: 'zero-seq', code: 'BAD_SEQ', bytes: () => text('R 0 - temp_c=1') },
  { name: 'long-line', code: 'LINE_TOO_LONG', bytes: (long) => text(`X${'y'.repeat(long)}`) },
  { name: 'bad-utf8-line', code: 'BAD_UTF8', bytes: () => Buffer.from([0x58, 0x20, 0xc3, 0x28]) },
];

/**
 * Kinds that need a seq (the board draws one only when the pick says so). Over-long lines are
 * 600 bytes on TCP and 100 bytes past the limit where it is higher (MQTT payloads); a second
 * HELLO is an error only where the gateway holds a connection (not on MQTT).
 */
export function pickGarbage(rng: Rng, nextSeq: () => number, helloLine: string, traits: TransportTraits = TCP_TRAITS): Garbage {
  const total = READING_KINDS.length + LINE_KINDS.length + (traits.connectionless ? 0 : 1);
  const pick = intBelow(rng, total);
  const long = Math.max(600, traits.maxLineBytes + 100);
  const reading = READING_KINDS[pick];
  if (reading) {
    const seq = nextSeq();
    return { bytes: reading.body(seq, long), expect: { kind: 'nak', seq, code: reading.code }, name: reading.name };
  }
  const line = LINE_KINDS[pick - READING_KINDS.length];
  if (line) return { bytes: line.bytes(long), expect: { kind: 'err', code: line.code }, name: line.name };
  return { bytes: text(helloLine), expect: { kind: 'err', code: 'ALREADY_HELLO' }, name: 'second-hello' };
}

export const GARBAGE_KIND_NAMES: readonly string[] = [
  ...READING_KINDS.map((k) => k.name),
  ...LINE_KINDS.map((k) => k.name),
  'second-hello',
];
