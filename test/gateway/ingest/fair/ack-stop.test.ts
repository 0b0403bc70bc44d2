import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AckTracker } from '../../../../gateway/ingest/ack-tracker.js';

test('a reading that failed (disk full) stops the cumulative ACK before it, for good, and is not left unsettled', () => {
  const t = new AckTracker();
  const a = t.add(1);
  const b = t.add(2);
  const c = t.add(3);
  const d = t.add(4);
  t.settle(a, true);
  t.settle(b, 'failed');
  t.settle(c, true);
  assert.equal(t.advance(), 1, 'ACK 1: reading 2 was not stored, so nothing past it is acknowledged');
  assert.equal(t.unsettled, 1);
  t.settle(d, true);
  assert.equal(t.advance(), null, 'readings 3 and 4 are stored, but an ACK 4 would claim 2 as well');
  assert.equal(t.unsettled, 0);
  assert.equal(t.failed, true);
});
