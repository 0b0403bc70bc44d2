import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay } from '../../../gateway/sync/backoff.js';
import { LimiterClosedError, RateLimiter } from '../../../gateway/sinks/rate-limiter.js';
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

test('rate limiter, even pacing: the same number per window, spread windowMs / limit apart; a request after a quiet spell goes at once', async () => {
  const timers = new ManualTimers();
  const limiter = new RateLimiter({ readsPerWindow: 50, writesPerWindow: 4, windowMs: 60000, pacing: 'even' }, timers);
  const t0 = timers.now();
  await limiter.acquire('write');
  assert.equal(limiter.delayFor('write'), 15000, 'the next write waits a quarter of the window');
  assert.equal(limiter.delayFor('read'), 0, 'reads are paced on their own');
  let granted = 0;
  const sent: number[] = [];
  const more = (async () => {
    for (let i = 0; i < 3; i++) {
      await limiter.acquire('write');
      sent.push(timers.now() - t0);
      granted++;
    }
  })();
  for (let i = 0; i < 3; i++) {
    await waitFor(() => timers.scheduled === 1, 'a paced waiter');
    timers.advance(15000);
    await waitFor(() => granted === i + 1, `write ${i + 2}`);
  }
  await more;
  assert.deepEqual(sent, [15000, 30000, 45000], 'four writes spread over the minute, not four at once and then nothing');
  assert.equal(limiter.used('write'), 4);
  timers.advance(15000 + 60000);
  assert.equal(limiter.delayFor('write'), 0, 'after a quiet spell the next one goes at once');
  const burst = new RateLimiter({ readsPerWindow: 1, writesPerWindow: 4, windowMs: 60000 }, timers);
  for (let i = 0; i < 4; i++) await burst.acquire('write');
  assert.equal(burst.used('write'), 4, 'without pacing (the default) the window may be used at once');
});

test('rate limiter, even pacing with evenBurst 2: two back to back after a quiet spell, then the spacing; the window still holds', async () => {
  const timers = new ManualTimers();
  const limiter = new RateLimiter({ readsPerWindow: 50, writesPerWindow: 4, windowMs: 60000, pacing: 'even', evenBurst: 2 }, timers);
  await limiter.acquire('write');
  assert.equal(limiter.delayFor('write'), 0, 'a second one may follow at once');
  await limiter.acquire('write');
  assert.equal(limiter.delayFor('write'), 15000, 'then the spacing: a quarter of the window');
  timers.advance(15000);
  await limiter.acquire('write');
  assert.equal(limiter.delayFor('write'), 15000, 'under steady demand no credit builds up');
  timers.advance(15000);
  await limiter.acquire('write');
  assert.equal(limiter.used('write'), 4);
  timers.advance(15000);
  assert.equal(limiter.delayFor('write'), 15000, 'four in the last 60 s: the window decides, not the credit');
  timers.advance(15000 + 30000);
  await limiter.acquire('write');
  assert.equal(limiter.delayFor('write'), 0, 'after a quiet spell: two back to back again');
});
