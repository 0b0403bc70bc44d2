import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReadingRow } from '../../gateway/store/ops.js';
import { DEVICE_TOTALS_FOLD_MS } from '../../gateway/store/device-totals.js';
import { RETENTION_CHUNK_ROWS } from '../../gateway/store/retention.js';
import { startTestApp } from '../helpers/app.js';
import { ManualTimers } from '../helpers/manual-timers.js';

test('the gateway prunes a backlog a chunk per timer turn, not all in one, and logs the round once', async (t) => {
  // Timers that number the turns they run callbacks in: each chunk must come in a turn of its own.
  let turn = 0;
  const timers = new (class extends ManualTimers {
    override after(ms: number, fn: () => void) {
      return super.after(ms, () => {
        turn++;
        fn();
      });
    }
  })();
  const gw = await startTestApp({ store: { retentionHours: 0, pruneIntervalMs: 60_000 } }, timers);
  t.after(() => gw.stop());
  const store = gw.app.store;
  const row = (device: string, seq: number): ReadingRow => ({ device, boot: 1, seq, ts: timers.now(), tsSource: 'gateway', deviceTs: null, received: timers.now(), fields: '{"x":1}', bytes: 10, clockUntrusted: false });
  const total = 3 * RETENTION_CHUNK_ROWS + 1;
  for (let seq = 1; seq <= total; seq++) store.committer.enqueue({ kind: 'reading', row: row('a', seq), done: () => {} });
  store.committer.flush();
  timers.advance(DEVICE_TOTALS_FOLD_MS);
  store.committer.enqueue({ kind: 'reading', row: row('b', 1), done: () => {} });
  store.committer.flush();
  // As the sinks report it once every reading is delivered.
  for (const sink of ['csv']) store.advanceCursor(sink, store.highestId);
  const steps: { deleted: number; more: boolean; turn: number }[] = [];
  const step = store.pruneStep.bind(store);
  store.pruneStep = () => {
    const s = step();
    steps.push({ ...s, turn });
    return s;
  };
  timers.advance(60_000);
  assert.deepEqual(steps.map((s) => s.deleted), [RETENTION_CHUNK_ROWS, RETENTION_CHUNK_ROWS, RETENTION_CHUNK_ROWS, 1]);
  assert.equal(steps.length, 4, 'three full chunks, then the last reading but one');
  assert.equal(new Set(steps.map((s) => s.turn)).size, steps.length, 'each chunk in a timer turn of its own');
  assert.equal(store.readings.count(), 1, "all but b's reading, the newest");
  const rounds = gw.logs.filter((l) => l.msg === 'retention pruned delivered rows');
  assert.deepEqual(rounds.map((l) => l.rows), [total], 'one line for the round');
});
