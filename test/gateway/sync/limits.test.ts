import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay } from '../../../gateway/sync/backoff.js';
import { LimiterClosedError, RateLimiter } from '../../../gateway/sync/rate-limiter.js';
import { ManualTimers } from '../../helpers/manual-timers.js';
import { waitFor } from '../../helpers/wait.js';

test('backoff: doubles per attempt within [step/2, step], capped, hint as a floor', () => {
  const s = { baseMs: 1000, maxMs: 8000 };
  assert.deepEqual([1, 2, 3, 4, 5, 9].map((a) => backoffDelay(a, s, () => 0)), [500, 1000, 2000, 4000, 4000, 4000]);
  assert.deepEqual([1, 2, 3, 4, 5].map((a) => backoffDelay(a, s, () => 1)), [1000, 2000, 4000, 8000, 8000]);
  assert.equal(backoffDelay(1, s, () => 0, 30000), 30000);
  assert.equal(backoffDelay(4, s, () => 1, 10), 8000);
});

test('rate limiter: reads and writes counted apart over a sliding window; waiters get the next free slot', async () => {
  const timers = new ManualTimers();
  const limiter = new RateLimiter({ readsPerWindow: 1, writesPerWindow: 2, windowMs: 60000 }, timers);
  await limiter.acquire('write');
  timers.advance(10000);
  await limiter.acquire('write');
  await limiter.acquire('read');
  assert.equal(limiter.used('write'), 2);
  assert.equal(limiter.used('read'), 1);
  assert.equal(limiter.delayFor('write'), 50000);
  let third = false;
  void limiter.acquire('write').then(() => (third = true));
  await waitFor(() => timers.scheduled === 1, 'the waiter');
  timers.advance(49999);
  await new Promise((r) => setImmediate(r));
  assert.equal(third, false, 'not before the first write leaves the window');
  timers.advance(1);
  await waitFor(() => third, 'the third write');
  assert.equal(limiter.used('write'), 2);
  const waiting = limiter.acquire('read');
  limiter.close();
  await assert.rejects(waiting, LimiterClosedError);
  assert.throws(() => new RateLimiter({ readsPerWindow: 0, writesPerWindow: 1, windowMs: 1 }, timers), RangeError);
});
