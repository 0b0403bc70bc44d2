import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PublisherBudgets } from '../../../../gateway/ingest/mqtt/publisher-budget.js';
import { FairShare } from '../../../../gateway/ingest/session/fair-share.js';
import { tokensFor } from '../../../../gateway/ingest/session/input-budget.js';

test('fair share: before authentication 8 messages then 1 a second; after it the configured budget; bytes are charged', () => {
  const f = new FairShare({ perSecond: 100, burst: 10, overBudgetCloseMs: 1000 }, 0);
  for (let i = 0; i < 8; i++) assert.deepEqual(f.charge(0, 5, false), { kind: 'ok' });
  assert.equal(f.charge(0, 5, false).kind, 'pause', 'an unauthenticated peer gets a HELLO and a T, not a flood');
  const g = new FairShare({ perSecond: 100, burst: 10, overBudgetCloseMs: 1000 }, 0);
  assert.deepEqual(g.charge(0, 5 * 512, true), { kind: 'ok' }, '5 tokens');
  assert.deepEqual(g.charge(0, 5 * 512, true), { kind: 'ok' }, '10 tokens');
  assert.equal(g.charge(0, 1, true).kind, 'pause', 'long messages use the budget up faster');
  const slow = new FairShare({ perSecond: 1, burst: 10, overBudgetCloseMs: 1000 }, 0);
  assert.equal(slow.charge(0, 11 * 512, true).kind, 'pause');
  assert.deepEqual(slow.charge(1000, 1, true), { kind: 'close' }, 'over budget for overBudgetCloseMs without the bucket filling up');
  assert.equal(tokensFor(0), 1);
  assert.equal(tokensFor(512), 1);
  assert.equal(tokensFor(513), 2);
});

test('an external broker\'s publishers: over budget, BUSY once per wait and the messages not taken; per device; bounded', () => {
  const b = new PublisherBudgets({ perSecond: 10, burst: 3, overBudgetCloseMs: 0 }, 2);
  for (let i = 0; i < 3; i++) assert.deepEqual(b.charge('a', 10, 0), { take: true });
  const over = b.charge('a', 10, 0);
  assert.equal(over.take, false);
  assert.ok(!over.take && over.busyMs !== null && over.busyMs > 0);
  const ms = !over.take ? (over.busyMs as number) : 0;
  assert.deepEqual(b.charge('a', 10, ms - 1), { take: false, busyMs: null }, 'BUSY is said once per wait');
  assert.deepEqual(b.charge('b', 10, 0), { take: true }, 'another board is not touched');
  assert.deepEqual(b.charge('a', 10, ms), { take: true }, 'after the wait the board is read again');
  b.charge('c', 10, 0);
  assert.equal(b.size, 2, 'at most maxPublishers remembered');
});
