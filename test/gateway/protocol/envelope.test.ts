import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEnvelopedReading } from '../../../gateway/protocol/envelope.js';
import { parseJsonReading } from '../../../gateway/protocol/json-reading.js';
import { parseLine } from '../../../gateway/protocol/parse.js';

test('envelope: boot= and low= before an R line; the line itself is parsed by the TCP parser', () => {
  const r = parseEnvelopedReading('boot=2849101 low=3 R 5 u1200 temp_c=21.5 note="a b"');
  assert.ok(r.ok);
  assert.deepEqual(r.meta, { boot: 2849101, low: 3 });
  assert.deepEqual(r.message, parseLine('R 5 u1200 temp_c=21.5 note="a b"').ok && (parseLine('R 5 u1200 temp_c=21.5 note="a b"') as { message: unknown }).message);
  const bare = parseEnvelopedReading('R 1 - x=1');
  assert.ok(bare.ok);
  assert.deepEqual(bare.meta, {});
  const unknownKey = parseEnvelopedReading('fw=2 boot=1 R 1 - x=1');
  assert.ok(unknownKey.ok, 'unknown keys are ignored, as in HELLO');
});

test('envelope: refusals keep the codes of the line parser; a bad boot= is BAD_HELLO', () => {
  const cases: [string, string, string][] = [
    ['boot=1 R 4 - temp_c=', 'nak', 'BAD_VALUE'],
    ['boot=1 R 4 - a=1 a=2', 'nak', 'DUP_FIELD'],
    ['boot=1 R x - a=1', 'err', 'BAD_SEQ'],
    ['boot=99999999999 R 1 - a=1', 'err', 'BAD_HELLO'],
    ['low=-1 R 1 - a=1', 'err', 'BAD_HELLO'],
    ['boot=1 HELLO a b', 'err', 'UNKNOWN_VERB'],
    ['boot=1', 'err', 'UNKNOWN_VERB'],
  ];
  for (const [text, scope, code] of cases) {
    const r = parseEnvelopedReading(text);
    assert.ok(!r.ok, text);
    assert.deepEqual([r.refusal.scope, r.refusal.code], [scope, code], text);
  }
  const nak = parseEnvelopedReading('boot=7 R 4 - temp_c=');
  assert.ok(!nak.ok && nak.meta.boot === 7, 'the boot is known even when the reading is refused');
});

test('JSON readings become the same message as the equivalent R line', () => {
  const json = parseJsonReading(JSON.stringify({ boot: 1, low: 2, seq: 3, ts: 'u1200', fields: { t: -0.5, ok: true, s: 'say "hi" \\ bye' } }));
  const line = parseLine('R 3 u1200 t=-0.5 ok=true s="say \\"hi\\" \\\\ bye"');
  assert.ok(json.ok && line.ok);
  assert.deepEqual(json.message, line.message);
  assert.deepEqual(json.meta, { boot: 1, low: 2 });
  const epoch = parseJsonReading('{"seq":1,"ts":1795232400000,"fields":{"x":1e21}}');
  assert.ok(epoch.ok);
  assert.deepEqual(epoch.message.ts, { kind: 'epoch', ms: 1795232400000 });
  assert.equal(epoch.message.fields.x, 1e21);
  const noTs = parseJsonReading('{"seq":1,"fields":{"x":1}}');
  assert.ok(noTs.ok && noTs.message.ts.kind === 'gateway', 'ts may be omitted: gateway time');
});

test('JSON readings are refused with the line codes', () => {
  const cases: [string, string, string][] = [
    ['[1]', 'err', 'BAD_SEQ'],
    ['{"seq":"1","fields":{"x":1}}', 'err', 'BAD_SEQ'],
    ['{"seq":1,"ts":1.5,"fields":{"x":1}}', 'nak', 'BAD_TS'],
    ['{"seq":1,"ts":"soon","fields":{"x":1}}', 'nak', 'BAD_TS'],
    ['{"seq":1,"fields":{}}', 'nak', 'NO_FIELDS'],
    ['{"seq":1,"fields":[1]}', 'nak', 'NO_FIELDS'],
    ['{"seq":1,"fields":{"9x":1}}', 'nak', 'BAD_FIELD'],
    ['{"seq":1,"fields":{"x":{"y":1}}}', 'nak', 'BAD_VALUE'],
    [`{"seq":1,"fields":{"x":"${'y'.repeat(201)}"}}`, 'nak', 'BAD_VALUE'],
    [JSON.stringify({ seq: 1, fields: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`f${i}`, i])) }), 'nak', 'TOO_MANY_FIELDS'],
    ['{"boot":-1,"seq":1,"fields":{"x":1}}', 'err', 'BAD_HELLO'],
  ];
  for (const [text, scope, code] of cases) {
    const r = parseJsonReading(text);
    assert.ok(!r.ok, text);
    assert.deepEqual([r.refusal.scope, r.refusal.code], [scope, code], text);
  }
});
