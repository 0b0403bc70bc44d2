import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AckTracker } from '../../../gateway/ingest/ack-tracker.js';

test('ACK waits for the oldest unsettled reading, then covers the whole settled prefix', () => {
  const t = new AckTracker();
  const a = t.add(1);
  const b = t.add(2);
  const c = t.add(3);
  t.settle(c, true);
  t.settle(b, true);
  assert.equal(t.advance(), null, 'reading 1 is not durable yet');
  t.settle(a, true);
  assert.equal(t.advance(), 3);
  assert.equal(t.advance(), null, 'nothing new');
  assert.equal(t.unsettled, 0);
});

test('a gap in the board numbering never stalls acknowledgements', () => {
  const t = new AckTracker();
  t.settle(t.add(1), true);
  t.settle(t.add(7), true); // the board dropped 2..6 when its buffer overflowed
  assert.equal(t.advance(), 7);
});

test('NAKed readings settle the prefix but alone send no ACK', () => {
  const t = new AckTracker();
  const a = t.add(1);
  t.settle(t.add(2), false);
  assert.equal(t.advance(), null);
  t.settle(a, true);
  assert.equal(t.advance(), 2, 'ACK 2: 1 is durable and 2 was NAKed');
  t.settle(t.add(3), false);
  assert.equal(t.advance(), null);
});

test('a resent lower seq after a higher ACK does not move the ACK back', () => {
  const t = new AckTracker();
  t.settle(t.add(5), true);
  assert.equal(t.advance(), 5);
  t.settle(t.add(3), true);
  assert.equal(t.advance(), null);
  t.settle(t.add(6), true);
  assert.equal(t.advance(), 6);
});

test('tickets stay valid across compaction of a long stream', () => {
  const t = new AckTracker();
  const tickets: number[] = [];
  for (let seq = 1; seq <= 5000; seq++) tickets.push(t.add(seq));
  for (let i = 0; i < 4000; i++) t.settle(tickets[i]!, true);
  assert.equal(t.advance(), 4000);
  for (let seq = 5001; seq <= 6000; seq++) tickets.push(t.add(seq));
  for (let i = 4000; i < 6000; i++) t.settle(tickets[i]!, true);
  assert.equal(t.advance(), 6000);
  assert.equal(t.unsettled, 0);
});
