import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLine, readingSeqOf } from '../../../gateway/protocol/parse.js';
import { reply } from '../../../gateway/protocol/replies.js';

function refusal(line: string): string {
  const r = parseLine(line);
  assert.equal(r.ok, false, `expected a refusal for ${line}`);
  if (r.ok) return '';
  return r.refusal.scope === 'nak' ? `NAK ${r.refusal.seq} ${r.refusal.code}` : `ERR ${r.refusal.code}`;
}

test('HELLO with all keys; unknown keys are ignored', () => {
  const r = parseLine('HELLO dev_1.a-b tok+/= boot=4294967295 up=0 fw=1.2.3 board=feather-m0 color=blue');
  assert.deepEqual(r, {
    ok: true,
    message: { verb: 'HELLO', deviceId: 'dev_1.a-b', token: 'tok+/=', boot: 4294967295, up: 0, fw: '1.2.3', board: 'feather-m0' },
  });
});

test('HELLO refusals', () => {
  assert.equal(refusal('HELLO'), 'ERR BAD_HELLO');
  assert.equal(refusal('HELLO dev'), 'ERR BAD_HELLO');
  assert.equal(refusal(`HELLO ${'x'.repeat(65)} t`), 'ERR BAD_HELLO');
  assert.equal(refusal('HELLO d!v t'), 'ERR BAD_HELLO');
  assert.equal(refusal('HELLO dev t boot=4294967296'), 'ERR BAD_HELLO');
  assert.equal(refusal('HELLO dev t boot=-1'), 'ERR BAD_HELLO');
  assert.equal(refusal('HELLO dev t up=abc'), 'ERR BAD_HELLO');
  assert.equal(refusal('HELLO dev t novalue'), 'ERR BAD_HELLO');
});

test('R with every value type and every ts form', () => {
  const r = parseLine('R 12 u4294967295 t=-1.5e3 n=0 ok=true no=false s="a \\"q\\" \\\\ b" z=12.25');
  assert.ok(r.ok && r.message.verb === 'R');
  if (!r.ok || r.message.verb !== 'R') return;
  assert.equal(r.message.seq, 12);
  assert.deepEqual(r.message.ts, { kind: 'uptime', millis: 4294967295 });
  assert.deepEqual({ ...r.message.fields }, { t: -1500, n: 0, ok: true, no: false, s: 'a "q" \\ b', z: 12.25 });
  const e = parseLine('R 1 1795232400000 x=1');
  assert.ok(e.ok && e.message.verb === 'R' && e.message.ts.kind === 'epoch' && e.message.ts.ms === 1795232400000);
  const g = parseLine('R 1 - x=1');
  assert.ok(g.ok && g.message.verb === 'R' && g.message.ts.kind === 'gateway');
});

test('field names are data: __proto__ is an ordinary field', () => {
  const r = parseLine('R 1 - __proto__=1 constructor=2');
  assert.ok(r.ok && r.message.verb === 'R');
  if (r.ok && r.message.verb === 'R') assert.equal(JSON.stringify(r.message.fields), '{"__proto__":1,"constructor":2}');
});

test('every NAK code the parser produces', () => {
  assert.equal(refusal('R 3 yesterday x=1'), 'NAK 3 BAD_TS');
  assert.equal(refusal('R 3 u4294967296 x=1'), 'NAK 3 BAD_TS');
  assert.equal(refusal('R 3 -'), 'NAK 3 NO_FIELDS');
  assert.equal(refusal('R 3 - x'), 'NAK 3 BAD_FIELD');
  assert.equal(refusal('R 3 - 9x=1'), 'NAK 3 BAD_FIELD');
  assert.equal(refusal('R 3 - =1'), 'NAK 3 BAD_FIELD');
  assert.equal(refusal('R 3 - x='), 'NAK 3 BAD_VALUE');
  assert.equal(refusal('R 3 - x=NaN'), 'NAK 3 BAD_VALUE');
  assert.equal(refusal('R 3 - x=1e999'), 'NAK 3 BAD_VALUE');
  assert.equal(refusal('R 3 - x=01'), 'NAK 3 BAD_VALUE');
  assert.equal(refusal('R 3 - x=TRUE'), 'NAK 3 BAD_VALUE');
  assert.equal(refusal('R 3 - x="open'), 'NAK 3 BAD_VALUE');
  assert.equal(refusal('R 3 - x="a\\nb"'), 'NAK 3 BAD_VALUE');
  assert.equal(refusal(`R 3 - x="${'é'.repeat(101)}"`), 'NAK 3 BAD_VALUE');
  assert.equal(refusal('R 3 - x=1 x=2'), 'NAK 3 DUP_FIELD');
  assert.equal(refusal(`R 3 - ${Array.from({ length: 33 }, (_, i) => `f${i}=1`).join(' ')}`), 'NAK 3 TOO_MANY_FIELDS');
});

test('an R line without a usable seq cannot be NAKed: ERR BAD_SEQ', () => {
  assert.equal(refusal('R'), 'ERR BAD_SEQ');
  assert.equal(refusal('R 0 - x=1'), 'ERR BAD_SEQ');
  assert.equal(refusal('R -1 - x=1'), 'ERR BAD_SEQ');
  assert.equal(refusal('R 4294967296 - x=1'), 'ERR BAD_SEQ');
  assert.equal(refusal('R abc - x=1'), 'ERR BAD_SEQ');
});

test('T requests, with the optional report of the previous exchange', () => {
  assert.deepEqual(parseLine('T 123'), { ok: true, message: { verb: 'T', millis: 123 } });
  assert.deepEqual(parseLine('T 123 rtt=40 off=-1795232400000'), {
    ok: true,
    message: { verb: 'T', millis: 123, rtt: 40, off: -1795232400000 },
  });
  assert.equal(refusal('T'), 'ERR BAD_TIME_REQUEST');
  assert.equal(refusal('T x'), 'ERR BAD_TIME_REQUEST');
  assert.equal(refusal('T 1 rtt=x'), 'ERR BAD_TIME_REQUEST');
  assert.equal(refusal('T 1 off=1.5'), 'ERR BAD_TIME_REQUEST');
});

test('verbs are case-sensitive; unknown verbs and arguments to PING are refused', () => {
  assert.deepEqual(parseLine('PING'), { ok: true, message: { verb: 'PING' } });
  assert.deepEqual(parseLine('BYE'), { ok: true, message: { verb: 'BYE' } });
  assert.equal(refusal('ping'), 'ERR UNKNOWN_VERB');
  assert.equal(refusal('GET / HTTP/1.1'), 'ERR UNKNOWN_VERB');
  assert.equal(refusal('PING now'), 'ERR UNKNOWN_VERB');
});

test('repeated spaces separate fields like one', () => {
  const r = parseLine('R  7   -  a=1   b="x  y"');
  assert.ok(r.ok && r.message.verb === 'R');
  if (r.ok && r.message.verb === 'R') assert.deepEqual({ ...r.message.fields }, { a: 1, b: 'x  y' });
});

test('readingSeqOf reads the seq of an R line that could not be framed', () => {
  assert.equal(readingSeqOf('R 42 - x=1111111'), 42);
  assert.equal(readingSeqOf('R 42'), 42);
  assert.equal(readingSeqOf('R 0 - x'), null);
  assert.equal(readingSeqOf('HELLO x'), null);
  assert.equal(readingSeqOf('R 4294967296 -'), null);
});

test('replies are single lines, whatever text an error carries', () => {
  assert.equal(reply.nak(3, 'BAD_VALUE', 'bad\r\nthing'), 'NAK 3 BAD_VALUE bad thing\n');
  assert.equal(reply.helloOk(1795232400140, 0), 'HELLO OK 1795232400140 0\n');
  assert.equal(reply.busy(5000), 'BUSY 5000\n');
});
