import assert from 'node:assert/strict';
import { test } from 'node:test';
import { oneFieldLine, readingLine } from '../../firmware-sim/loadgen.js';
import { parseLine } from '../../gateway/protocol/parse.js';

// The benchmarks measure what the gateway does with these lines: each must be a reading it accepts,
// with the fields the benchmark's docs say it carries.

test('the load generator\'s usual reading parses as three fields with an uptime stamp', () => {
  const line = readingLine(7);
  assert.ok(line.endsWith('\n'));
  const parsed = parseLine(line.slice(0, -1));
  assert.ok(parsed.ok, JSON.stringify(parsed));
  assert.equal(parsed.message.verb, 'R');
  if (parsed.message.verb !== 'R') return;
  assert.equal(parsed.message.seq, 7);
  assert.deepEqual(Object.keys(parsed.message.fields), ['temp_c', 'humidity', 'battery']);
  assert.equal(parsed.message.ts.kind, 'uptime');
});

test('the one-field reading parses as temp_c=21.5 without a device time', () => {
  const line = oneFieldLine(42);
  assert.equal(line, 'R 42 - temp_c=21.5\n');
  const parsed = parseLine(line.slice(0, -1));
  assert.ok(parsed.ok, JSON.stringify(parsed));
  if (parsed.message.verb !== 'R') return assert.fail(`not a reading: ${parsed.message.verb}`);
  assert.equal(parsed.message.seq, 42);
  assert.deepEqual({ ...parsed.message.fields }, { temp_c: 21.5 });
  assert.equal(parsed.message.ts.kind, 'gateway');
});
