import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SyncWorker, type WorkerSettings } from '../../../gateway/sync/worker.js';
import { SyncService } from '../../../gateway/sync/service.js';
import { ManualTimers } from '../../helpers/manual-timers.js';
import { waitFor } from '../../helpers/wait.js';
import { MemorySink } from '../sinks/memory-sink.js';
import { memoryLog } from '../../helpers/memory-log.js';
import { FakeStore } from './fake-store.js';

const SETTINGS: WorkerSettings = { maxBatchRows: 100, maxBatchBytes: 1_000_000, lingerMs: 250, idlePollMs: 1000, backoffBaseMs: 1000, backoffMaxMs: 60000 };

function setup(settings: Partial<WorkerSettings> = {}) {
  const timers = new ManualTimers();
  const store = new FakeStore();
  const sink = new MemorySink();
  const { log, records } = memoryLog();
  const worker = new SyncWorker(sink, { ...SETTINGS, ...settings }, { store, timers, log, random: () => 0.5 });
  return { timers, store, sink, worker, records };
}

/** Lets the worker's promise chain run until it is parked on a timer. */
const settle = async (timers: ManualTimers) => waitFor(() => timers.scheduled > 0, 'the worker to wait on a timer');

test('rows go out in order and the cursor moves only after the sink confirms', async (t) => {
  const { timers, store, sink, worker } = setup();
  t.after(() => worker.stop(0));
  store.add(5);
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  sink.script = () => held;
  worker.start();
  await waitFor(() => sink.batches.length === 1, 'the first write');
  assert.equal(store.cursors.get('memory'), 0, 'nothing confirmed yet');
  assert.equal(worker.status().state, 'pushing');
  release();
  await settle(timers);
  assert.deepEqual(sink.ids(), [1, 2, 3, 4, 5]);
  assert.equal(store.cursors.get('memory'), 5);
  const st = worker.status();
  assert.equal(st.rowsWritten, 5);
  assert.equal(st.pendingRows, 0);
  assert.equal(st.lastPushAt, timers.now());
});

test('idle: a commit notification sends new rows at once; without one the poll finds them', async (t) => {
  const { timers, store, sink, worker } = setup();
  t.after(() => worker.stop(0));
  worker.start();
  await settle(timers);
  assert.equal(worker.status().state, 'idle');
  store.add(1);
  worker.notify();
  await waitFor(() => sink.rows.length === 1, 'the notified row');
  await settle(timers);
  timers.advance(SETTINGS.lingerMs);
  await settle(timers);
  store.add(1); // no notification this time
  timers.advance(SETTINGS.idlePollMs - 1);
  await settle(timers);
  assert.equal(sink.rows.length, 1, 'not before the poll');
  timers.advance(1);
  await waitFor(() => sink.rows.length === 2, 'the polled row');
});

test('a rate-limited sink: the batch is taken when the sink says it can send, with every row that came by then', async (t) => {
  const { timers, store, sink, worker } = setup({ lingerMs: 0 });
  t.after(() => worker.stop(0));
  let readyAt = 0;
  Object.assign(sink, { readyInMs: () => Math.max(0, readyAt - timers.now()) });
  worker.start();
  await settle(timers);
  store.add(1);
  worker.notify();
  await waitFor(() => sink.batches.length === 1, 'a row after a quiet spell goes at once');
  readyAt = timers.now() + 1200;
  await settle(timers);
  store.add(2);
  worker.notify();
  await settle(timers);
  timers.advance(600);
  store.add(2);
  await settle(timers);
  assert.equal(sink.batches.length, 1, 'nothing before the sink is ready');
  timers.advance(600);
  await waitFor(() => sink.batches.length === 2, 'the paced batch');
  assert.deepEqual(sink.batches, [[1], [2, 3, 4, 5]], 'one batch with everything that came while it waited');
});

test('behind: full batches follow each other at once, each with the backlog behind it; a partial one lingers before the next', async (t) => {
  const { timers, store, sink, worker } = setup({ maxBatchRows: 4 });
  t.after(() => worker.stop(0));
  store.add(10);
  const pending: (number | undefined)[] = [];
  sink.script = (batch) => void pending.push(batch.pending);
  worker.start();
  await waitFor(() => sink.rows.length === 10, 'all rows');
  assert.deepEqual(sink.batches, [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10]]);
  assert.deepEqual(pending, [6, 2, 0], 'each batch tells the sink how many readings wait behind it');
  await settle(timers);
  store.add(1);
  worker.notify(); // lingering, not idle: the notification does not cut the pause short
  await settle(timers);
  assert.equal(sink.batches.length, 3);
  timers.advance(SETTINGS.lingerMs);
  await waitFor(() => sink.batches.length === 4, 'the batch after the linger');
});

test('a sink\'s own batch limit caps its batches when lower than sync.maxBatchRows, never raises them', async (t) => {
  const run = async (settingsRows: number, sinkRows: number) => {
    const timers = new ManualTimers();
    const store = new FakeStore();
    const sink = Object.assign(new MemorySink(), { maxBatchRows: sinkRows });
    const worker = new SyncWorker(sink, { ...SETTINGS, maxBatchRows: settingsRows }, { store, timers, log: memoryLog().log, random: () => 0.5 });
    t.after(() => worker.stop(0));
    store.add(10);
    worker.start();
    await waitFor(() => sink.rows.length === 10, 'all rows');
    return sink.batches.map((b) => b.length);
  };
  assert.deepEqual(await run(100, 3), [3, 3, 3, 1], 'the sink\'s 3 under the setting\'s 100');
  assert.deepEqual(await run(4, 50), [4, 4, 2], 'the setting\'s 4 under the sink\'s 50');
  const bad = Object.assign(new MemorySink(), { maxBatchRows: 0 });
  assert.throws(() => new SyncWorker(bad, SETTINGS, { store: new FakeStore(), timers: new ManualTimers(), log: memoryLog().log }), RangeError);
});

test('batches are bounded by bytes as well as rows', async (t) => {
  const { store, sink, worker } = setup({ maxBatchBytes: 2000 });
  t.after(() => worker.stop(0));
  store.add(30);
  worker.start();
  await waitFor(() => sink.rows.length === 30, 'all rows');
  assert.ok(sink.batches.length > 1 && sink.batches.every((b) => b.length < 30), JSON.stringify(sink.batches.map((b) => b.length)));
});

test('retry-later: jittered exponential backoff, the hint as a floor, 429s counted, then resume', async (t) => {
  const { timers, store, sink, worker, records } = setup();
  t.after(() => worker.stop(0));
  store.add(3);
  const answers = [
    { kind: 'retry-later', code: 'RATE_LIMITED', reason: 'quota', delayMs: 30000 },
    { kind: 'retry-later', code: 'UNAVAILABLE', reason: '503' },
    { kind: 'retry-later', code: 'UNAVAILABLE', reason: '503' },
  ] as const;
  sink.script = () => answers[sink.batches.length - 1];
  worker.start();
  await settle(timers);
  let st = worker.status();
  assert.equal(st.state, 'backoff');
  assert.equal(st.throttled, 1);
  assert.equal(st.backoffUntil, timers.now() + 30000, 'the hint (30 s) beats attempt 1 (0.5-1 s)');
  timers.advance(30000);
  await waitFor(() => sink.batches.length === 2, 'attempt 2');
  await settle(timers);
  assert.equal(worker.status().backoffUntil, timers.now() + 1500, 'attempt 2: base·2 with jitter 0.5 → 1.5 s');
  timers.advance(1500);
  await waitFor(() => sink.batches.length === 3, 'attempt 3');
  await settle(timers);
  assert.equal(worker.status().backoffUntil, timers.now() + 3000);
  timers.advance(3000);
  await waitFor(() => store.cursors.get('memory') === 3, 'delivery');
  st = worker.status();
  assert.equal(st.failing, false);
  assert.equal(st.errors, 3);
  assert.equal(st.lastError?.code, 'UNAVAILABLE');
  assert.ok(records.some((r) => r.msg === 'sync resumed'));
  // One warning per kind of trouble, repeats at debug.
  assert.equal(records.filter((r) => r.level === 40 && String(r.msg).includes('failed: 503')).length, 1);
});

test('a lost confirmation: the same rows are offered again and the cursor never skips', async (t) => {
  const { timers, store, sink, worker } = setup();
  t.after(() => worker.stop(0));
  store.add(4);
  sink.script = () => (sink.batches.length === 1 ? 'apply-then-lose' : undefined);
  worker.start();
  await settle(timers);
  assert.equal(store.cursors.get('memory'), 0);
  timers.advance(1000);
  await waitFor(() => store.cursors.get('memory') === 4, 'delivery');
  assert.deepEqual(sink.batches, [[1, 2, 3, 4], [1, 2, 3, 4]]);
  assert.deepEqual(sink.ids(), [1, 2, 3, 4]);
});

test('needs-a-person failures show as failed, transient ones as backoff', async (t) => {
  const { timers, store, sink, worker } = setup();
  t.after(() => worker.stop(0));
  store.add(1);
  sink.script = () => ({ kind: 'retry-later', code: 'AUTH', reason: 'invalid_grant', delayMs: 60000 });
  worker.start();
  await settle(timers);
  const st = worker.status();
  assert.equal(st.state, 'failed');
  assert.equal(st.lastError?.code, 'AUTH');
  assert.equal(st.pendingRows, 1);
  assert.equal(st.oldestPendingAt, store.rowsById[0]!.received);
});

test('rejected: the batch is halved until the bad reading is alone, which is quarantined and logged', async (t) => {
  const { timers, store, sink, worker, records } = setup();
  t.after(() => worker.stop(0));
  store.add(8);
  sink.script = (b) => (b.rows.some((r) => r.id === 6) ? { kind: 'rejected', code: 'BAD_REQUEST', reason: 'cell too long' } : undefined);
  worker.start();
  await waitFor(() => store.cursors.get('memory') === 8, 'the rest delivered');
  await settle(timers);
  assert.deepEqual(sink.ids(), [1, 2, 3, 4, 5, 7, 8]);
  assert.equal(worker.status().rejectedRows, 1);
  assert.equal(worker.status().quarantinedRows, 1);
  assert.deepEqual(store.held.map((h) => [h.sink, h.row.id, h.code, h.reason]), [['memory', 6, 'BAD_REQUEST', 'cell too long']]);
  assert.ok(records.some((r) => r.level === 50 && r.id === 6 && /quarantined/.test(String(r.msg))));
});

test('rejected naming the row: no halving; the rows before it go first, then it alone is quarantined', async (t) => {
  const { timers, store, sink, worker } = setup();
  t.after(() => worker.stop(0));
  store.add(8);
  sink.script = (b) => (b.rows.some((r) => r.id === 5) ? { kind: 'rejected', code: 'BAD_ROW', reason: 'time 1e16', rowId: 5 } : undefined);
  worker.start();
  await waitFor(() => store.cursors.get('memory') === 8, 'the rest delivered');
  await settle(timers);
  assert.deepEqual(sink.ids(), [1, 2, 3, 4, 6, 7, 8]);
  assert.deepEqual(sink.batches.map((b) => b.length), [8, 4, 4, 3], 'the whole batch, the prefix, the batch the bad row starts, the rest');
  assert.deepEqual(store.held.map((h) => [h.row.id, h.code]), [[5, 'BAD_ROW']]);
  assert.deepEqual(worker.status().quarantinedByDevice, { [store.rowsById[4]!.device]: 1 });
});

test('rejected with a code that is no row problem is a sink bug: retried, nothing quarantined', async (t) => {
  const { timers, store, sink, worker } = setup();
  t.after(() => worker.stop(0));
  store.add(2);
  sink.script = () => ({ kind: 'rejected', code: 'UNAVAILABLE', reason: 'down' });
  worker.start();
  await settle(timers);
  assert.equal(store.cursors.get('memory'), 0);
  assert.equal(store.held.length, 0);
  assert.equal(worker.status().state, 'backoff');
});

test('readings the sink must pass over (a retried reading it already holds) are never handed to it', async (t) => {
  const { timers, store, sink, worker } = setup();
  t.after(() => worker.stop(0));
  store.add(6);
  store.skips.set('memory', new Set([1, 2, 4, 6]));
  worker.start();
  await waitFor(() => store.cursors.get('memory') === 6, 'all passed');
  await settle(timers);
  assert.deepEqual(sink.ids(), [3, 5]);
});

test('a partial delivery moves the cursor to what was confirmed and continues with the rest', async (t) => {
  const { timers, store, sink, worker } = setup();
  t.after(() => worker.stop(0));
  store.add(6);
  sink.script = (b) => (sink.batches.length === 1 ? { kind: 'delivered', throughId: b.rows[2]!.id } : undefined);
  worker.start();
  await waitFor(() => store.cursors.get('memory') === 6, 'all');
  assert.deepEqual(store.advances, [['memory', 3], ['memory', 6]]);
  await settle(timers);
});

test('a sink confirming ids outside its batch is a bug: nothing moves', async (t) => {
  const { timers, store, sink, worker } = setup();
  t.after(() => worker.stop(0));
  store.add(2);
  sink.script = () => ({ kind: 'delivered', throughId: 99 });
  worker.start();
  await settle(timers);
  assert.equal(store.cursors.get('memory'), 0);
  assert.equal(worker.status().lastError?.code, 'INTERNAL');
});

test('a sink that throws does not kill the worker', async (t) => {
  const { timers, store, sink, worker } = setup();
  t.after(() => worker.stop(0));
  store.add(2);
  sink.script = () => {
    if (sink.batches.length === 1) throw new Error('boom');
    return undefined;
  };
  worker.start();
  await settle(timers);
  assert.equal(worker.status().lastError?.code, 'INTERNAL');
  timers.advance(1000);
  await waitFor(() => store.cursors.get('memory') === 2, 'delivery after the bug');
});

test('restart resumes from the cursor: delivered rows are never offered again', async (t) => {
  const { timers, store, sink, worker } = setup();
  store.add(3);
  worker.start();
  await waitFor(() => store.cursors.get('memory') === 3, 'first run');
  await worker.stop(1000);
  assert.equal(worker.status().state, 'stopped');
  store.add(2);
  const again = new SyncWorker(sink, SETTINGS, { store, timers, log: memoryLog().log });
  t.after(() => again.stop(0));
  again.start();
  await waitFor(() => store.cursors.get('memory') === 5, 'second run');
  assert.deepEqual(sink.batches, [[1, 2, 3], [4, 5]]);
});

test('stop waits for the write in flight; past its timeout it detaches and ignores the late answer', async () => {
  const { timers, store, sink, worker } = setup();
  store.add(2);
  let release!: () => void;
  sink.script = () => new Promise<void>((r) => (release = r));
  worker.start();
  await waitFor(() => sink.batches.length === 1, 'the write');
  const stopping = worker.stop(5000);
  timers.advance(5000);
  await stopping;
  release();
  await new Promise((r) => setImmediate(r));
  assert.equal(store.cursors.get('memory'), 0, 'the late confirmation did not touch the store');
});

test('several sinks, each with its own cursor: a failing one does not hold back the other', async (t) => {
  const timers = new ManualTimers();
  const store = new FakeStore();
  const good = new MemorySink('good');
  const bad = new MemorySink('bad');
  bad.script = () => ({ kind: 'retry-later', code: 'UNAVAILABLE', reason: 'down' });
  const service = new SyncService([good, bad], SETTINGS, { store, timers, log: memoryLog().log, random: () => 0 });
  t.after(() => service.stop(0));
  assert.deepEqual(service.names, ['good', 'bad']);
  store.add(4);
  await service.start();
  await waitFor(() => store.cursors.get('good') === 4, 'the good sink');
  assert.equal(store.cursors.get('bad'), 0);
  const [g, b] = service.status();
  assert.equal(g?.pendingRows, 0);
  assert.equal(b?.pendingRows, 4);
  assert.equal(b?.state, 'backoff');
  assert.equal(good.started, 1);
  await service.stop(0);
  assert.equal(good.closed, 1);
  assert.equal(bad.closed, 1);
  assert.throws(() => new SyncService([good, new MemorySink('good')], SETTINGS, { store, timers, log: memoryLog().log }), /unique/);
});
