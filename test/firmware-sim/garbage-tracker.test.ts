import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyCounters } from '../../firmware-sim/device-stats.js';
import { GarbageTracker } from '../../firmware-sim/garbage-tracker.js';
import type { Garbage } from '../../firmware-sim/garbage.js';

const line = (name: string, code: string): Garbage => ({ bytes: Buffer.from(name), expect: { kind: 'err', code }, name });

test('ERR answers are matched by the code they name, not by arrival order (MQTT topics may reorder them)', () => {
  const counters = emptyCounters();
  const tracker = new GarbageTracker(counters);
  tracker.sent(line('unknown-verb', 'UNKNOWN_VERB'));
  tracker.sent(line('bad-time-request', 'BAD_TIME_REQUEST'));
  assert.equal(tracker.err('BAD_TIME_REQUEST'), true);
  assert.equal(tracker.err('UNKNOWN_VERB'), true);
  assert.equal(counters.garbageAnswered, 2);
  assert.equal(counters.garbageMismatched, 0);
  assert.equal(tracker.err('UNKNOWN_VERB'), false, 'nothing is outstanding');
});

test('an ERR with a code no outstanding line expects is a mismatch against the oldest line', () => {
  const counters = emptyCounters();
  const tracker = new GarbageTracker(counters);
  tracker.sent(line('unknown-verb', 'UNKNOWN_VERB'));
  tracker.sent(line('zero-seq', 'BAD_SEQ'));
  assert.equal(tracker.err('BAD_UTF8'), true);
  assert.deepEqual(counters.garbageMismatches, { 'unknown-verb: expected UNKNOWN_VERB, got BAD_UTF8': 1 });
  tracker.connectionClosed();
  assert.equal(counters.garbageUnanswered, 1);
});

test('NAKs are matched by seq; an ACK past an outstanding malformed reading counts it accepted', () => {
  const counters = emptyCounters();
  const tracker = new GarbageTracker(counters);
  tracker.sent({ bytes: Buffer.from('R 5 -'), expect: { kind: 'nak', seq: 5, code: 'NO_FIELDS' }, name: 'no-fields' });
  tracker.sent({ bytes: Buffer.from('R 7 -'), expect: { kind: 'nak', seq: 7, code: 'NO_FIELDS' }, name: 'no-fields' });
  assert.equal(tracker.nak(7, 'NO_FIELDS'), true);
  assert.equal(tracker.nak(6, 'NO_FIELDS'), false);
  tracker.ack(6);
  assert.equal(counters.garbageAccepted, 1);
  assert.equal(counters.garbageAnswered, 1);
});
