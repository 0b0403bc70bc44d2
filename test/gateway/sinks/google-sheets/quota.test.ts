import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter } from '../../../../gateway/sinks/rate-limiter.js';
import { SheetsSink } from '../../../../gateway/sinks/google-sheets/sheets-sink.js';
import type { WriteOutcome } from '../../../../gateway/sinks/contract.js';
import { ManualTimers } from '../../../helpers/manual-timers.js';
import { memoryLog } from '../../../helpers/memory-log.js';
import { longKeys, readings } from '../readings.js';
import { keysOfTab, sheetsHarness } from './harness.js';

/** Google's real per-minute quotas in the emulator, on the same injected clock as the limiter. */
async function run(writesPerMinute: number, batches: number) {
  // Starts at the real time: the auth library signs its JWT grants with the real clock.
  const timers = new ManualTimers(Date.now());
  const h = await sheetsHarness({ now: () => timers.now(), quotas: { readsPerUser: 60, writesPerUser: 60, readsPerProject: 300, writesPerProject: 300 } });
  const limiter = new RateLimiter({ readsPerWindow: writesPerMinute, writesPerWindow: writesPerMinute, windowMs: 60_000 }, timers);
  const sink = new SheetsSink(h.options(), { state: h.state, limiter, timers, log: memoryLog().log });
  await sink.start();
  const outcomes: WriteOutcome[] = [];
  const all = readings(batches);
  for (const r of all) {
    for (;;) {
      let done: WriteOutcome | null = null;
      const p = sink.write({ rows: [r] }).then((o) => (done = o));
      // Drive the clock while the limiter holds the request back; nothing sleeps.
      while (done === null) {
        await new Promise((res) => setImmediate(res));
        if (done === null && timers.scheduled > 0) timers.advance(250);
      }
      await p;
      outcomes.push(done);
      if ((done as WriteOutcome).kind === 'delivered') break;
      if (outcomes.length > 10 * batches) throw new Error(`stuck: ${JSON.stringify(done)}`);
      timers.advance(1000);
    }
  }
  return { h, sink, outcomes, all, timers };
}

test('the limiter keeps the sink under Google\'s 60 requests per minute: no 429 at all', async (t) => {
  const { h, sink, outcomes, all } = await run(50, 70);
  t.after(() => h.close());
  const statuses = h.emu.requests().map((r) => r.status);
  assert.equal(statuses.filter((s) => s === 429).length, 0);
  assert.ok(outcomes.every((o) => o.kind === 'delivered'));
  assert.deepEqual(keysOfTab(h.tab('readings')), longKeys(all));
  const q = sink.quota();
  assert.equal(q.writesLimit, 50);
  assert.ok(q.writesUsed > 0 && q.writesUsed <= 50, JSON.stringify(q));
});

test('without it (limit set above Google\'s), the quota answers 429 RATE_LIMITED, and nothing is lost', async (t) => {
  const { h, outcomes, all } = await run(1000, 70);
  t.after(() => h.close());
  const limited = outcomes.filter((o) => o.kind === 'retry-later' && o.code === 'RATE_LIMITED');
  assert.ok(limited.length > 0);
  assert.deepEqual(keysOfTab(h.tab('readings')), longKeys(all));
});
