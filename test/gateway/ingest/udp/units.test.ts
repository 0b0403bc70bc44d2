import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDatagram } from '../../../../gateway/ingest/udp/datagram.js';
import { SourceRateLimit } from '../../../../gateway/ingest/udp/rate-limit.js';

test('datagram: lines with device id, token and optional boot=; refusals per line', () => {
  const lines = parseDatagram(Buffer.from('d1 tok boot=4 R 1 - x=1\r\n\n  d1 tok R 2 - x=2\nd1 R 3 - x=3\nd1 tok R 4 - x=\n'));
  assert.ok(Array.isArray(lines));
  assert.equal(lines.length, 4);
  assert.deepEqual(lines.map((l) => l.kind), ['reading', 'reading', 'refused', 'refused']);
  const [a, b, c, d] = lines;
  assert.ok(a!.kind === 'reading' && a!.boot === 4 && a!.token === 'tok' && a!.message.seq === 1);
  assert.ok(b!.kind === 'reading' && b!.boot === undefined);
  assert.ok(c!.kind === 'refused' && c!.refusal.code === 'UNKNOWN_VERB', 'without a token the words shift: R is taken as the token');
  assert.ok(d!.kind === 'refused' && d!.refusal.scope === 'nak' && d!.refusal.code === 'BAD_VALUE');
  const bad = parseDatagram(Buffer.from([0x64, 0xc3]));
  assert.ok(!Array.isArray(bad) && bad.refusal.code === 'BAD_UTF8');
});

test('rate limit: a burst, then the rate; the wait says when; the least recent source is forgotten', () => {
  const rl = new SourceRateLimit(10, 5, 2);
  assert.equal(rl.take('a', 5, 0), 0);
  assert.equal(rl.take('a', 1, 0), 100);
  assert.equal(rl.take('a', 1, 100), 0);
  assert.equal(rl.take('a', 3, 100), 300);
  assert.equal(rl.take('b', 5, 100), 0);
  assert.equal(rl.take('c', 5, 100), 0);
  assert.equal(rl.size, 2);
  assert.equal(rl.take('a', 5, 100), 0, 'a was forgotten: it starts with a full bucket');
});

test('rate limit: a datagram with more lines than the burst passes on a full bucket and is charged in full', () => {
  const rl = new SourceRateLimit(10, 5, 10);
  assert.equal(rl.take('a', 8, 0), 0, 'full bucket: 8 lines pass although the burst is 5');
  assert.equal(rl.take('a', 1, 0), 400, 'the debt of 3 is paid first (it used to pass free: nothing was charged)');
  assert.equal(rl.take('a', 1, 400), 0);
  assert.equal(rl.take('a', 8, 400), 500, 'the wait is until the bucket is full again');
  assert.equal(rl.take('a', 8, 900), 0, 'and then it passes, as promised');
});

test('rate limit: a source over the rate is told BUSY once per wait, not once per datagram', () => {
  const rl = new SourceRateLimit(10, 2, 10);
  assert.equal(rl.take('a', 2, 0), 0);
  const wait = rl.take('a', 1, 0);
  assert.equal(wait, 100);
  assert.equal(rl.tell('a', 0, wait), true, 'the first refusal is answered');
  assert.equal(rl.tell('a', 50, rl.take('a', 1, 50)), false, 'later ones within the wait are not');
  assert.equal(rl.tell('a', 100, 100), true, 'after the wait BUSY is said again');
  assert.equal(rl.tell('b', 0, 100), true, 'per source');
});
