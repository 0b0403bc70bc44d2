import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter, type LineEvent } from '../../../gateway/protocol/lines.js';

function feed(max: number, ...chunks: (string | Buffer)[]): LineEvent[] {
  const s = new LineSplitter(max);
  return chunks.flatMap((c) => s.push(typeof c === 'string' ? Buffer.from(c, 'utf8') : c));
}

const texts = (events: LineEvent[]) => events.map((e) => (e.kind === 'line' ? e.text : `<${e.kind}:${e.head}>`));

test('a line split across packets is reassembled; several lines in one packet are split', () => {
  assert.deepEqual(texts(feed(512, 'HEL', 'LO a b\nR 1 - x', '=1\nPING\nBY', 'E\n')), ['HELLO a b', 'R 1 - x=1', 'PING', 'BYE']);
});

test('\\r\\n is accepted, also when \\r and \\n arrive in different packets', () => {
  assert.deepEqual(texts(feed(512, 'PING\r\nBYE\r', '\n')), ['PING', 'BYE']);
});

test('empty lines are skipped, blank CRLF lines too', () => {
  assert.deepEqual(texts(feed(512, '\n\r\n\nPING\n\n')), ['PING']);
});

test('a multi-byte UTF-8 character split across chunks decodes intact', () => {
  const bytes = Buffer.from('R 1 - note="größe 🌡"\n', 'utf8');
  // Split inside the 4-byte emoji and inside the 2-byte ö.
  const emoji = bytes.indexOf(0xf0);
  const events = feed(512, bytes.subarray(0, 13), bytes.subarray(13, emoji + 2), bytes.subarray(emoji + 2));
  assert.deepEqual(texts(events), ['R 1 - note="größe 🌡"']);
});

test('line length counts bytes, excluding the terminator; a line of exactly the limit passes', () => {
  const exact = 'x'.repeat(16);
  assert.deepEqual(texts(feed(16, `${exact}\r\n`)), [exact]);
  const events = feed(16, `${exact}y\n`);
  assert.equal(events[0]?.kind, 'too-long');
});

test('an over-long line is discarded up to its newline and the stream resynchronises', () => {
  const s = new LineSplitter(32);
  const events = [
    ...s.push(Buffer.from(`R 77 - a=${'9'.repeat(40)}`)),
    ...s.push(Buffer.from('9'.repeat(5000))),
    ...s.push(Buffer.from('9\nPING\n')),
  ];
  assert.equal(events.length, 2);
  const first = events[0]!;
  assert.equal(first.kind, 'too-long');
  assert.ok(first.kind === 'too-long' && first.head.startsWith('R 77 '));
  assert.ok(first.bytes > 5000);
  assert.deepEqual(texts([events[1]!]), ['PING']);
  // Memory stays bounded while discarding.
  assert.equal(s.pendingBytes, 0);
});

test('a peer that never sends a newline cannot grow the buffer beyond the limit', () => {
  const s = new LineSplitter(64);
  for (let i = 0; i < 100; i++) s.push(Buffer.alloc(1000, 0x41));
  assert.ok(s.pendingBytes <= 65);
});

test('invalid UTF-8 is reported as bad-utf8 with the head kept for a NAK, and the next line is fine', () => {
  const bad = Buffer.concat([Buffer.from('R 5 - s="'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"\nPING\n')]);
  const events = feed(512, bad);
  assert.equal(events[0]?.kind, 'bad-utf8');
  assert.ok(events[0]?.kind === 'bad-utf8' && events[0].head.startsWith('R 5 '));
  assert.deepEqual(texts([events[1]!]), ['PING']);
});

test('binary garbage never throws and yields only refusals or lines', () => {
  let x = 0x9e3779b9;
  const rand = () => {
    // xorshift32: a fixed, reproducible byte stream.
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) & 0xff;
  };
  const s = new LineSplitter(512);
  let count = 0;
  for (let i = 0; i < 200; i++) {
    const chunk = Buffer.from(Array.from({ length: 300 }, rand));
    for (const e of s.push(chunk)) {
      assert.ok(['line', 'too-long', 'bad-utf8'].includes(e.kind));
      count++;
    }
  }
  assert.ok(count > 0);
});
