import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { configSchema, type Config } from '../../../../gateway/config/schema.js';
import { createLogger } from '../../../../gateway/log.js';
import { parseCsv } from '../../../../gateway/sinks/csv/rfc4180.js';
import { Store } from '../../../../gateway/store/store.js';
import { SyncThreadHost } from '../../../../gateway/sync/thread/host.js';
import type { ThreadInit } from '../../../../gateway/sync/thread/messages.js';
import { EarlySyncThread, spawnSyncThread } from '../../../../gateway/sync/thread/spawn.js';
import { sinkNamesFor } from '../../../../gateway/sinks/create.js';
import { systemTimers } from '../../../../gateway/time/timers.js';
import { tempDir } from '../../../helpers/app.js';
import { waitFor } from '../../../helpers/wait.js';

interface Rig {
  config: Config;
  store: Store;
  host: SyncThreadHost;
  threads: Worker[];
  logs: Record<string, unknown>[];
  write(from: number, to: number): Promise<void>;
}

/** A real Store and a host whose threads the test can reach; everything is closed after the test. */
function rig(t: { after: (fn: () => Promise<void> | void) => void }, overrides: Record<string, unknown> = {}, spawn = spawnSyncThread): Rig {
  // systemTimers are unref'd and the host unrefs its thread: in the App, listening sockets hold the loop.
  const hold = setInterval(() => {}, 1000);
  const dir = tempDir();
  const config = configSchema.parse({ dataDir: dir, csv: { timeZone: 'UTC' }, sync: { lingerMs: 0, backoffBaseMs: 20, backoffMaxMs: 40, stopTimeoutMs: 500 }, ...overrides });
  const logs: Record<string, unknown>[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  const log = createLogger('debug', out);
  let host: SyncThreadHost | null = null;
  const store = Store.open(dir, config.store, systemTimers, { committed: (r) => r.stored > 0 && host?.notify() });
  const threads: Worker[] = [];
  host = new SyncThreadHost(config, {
    sinkNames: sinkNamesFor(config),
    store,
    timers: systemTimers,
    log,
    spawn: (init) => {
      const w = spawn(init);
      threads.push(w);
      return w;
    },
  });
  store.useSinks(host.names);
  const h = host;
  t.after(async () => {
    await h.stop(config.sync.stopTimeoutMs);
    store.close();
    rmSync(dir, { recursive: true, force: true });
    clearInterval(hold);
  });
  const write = (from: number, to: number) =>
    new Promise<void>((resolve) => {
      let left = to - from + 1;
      for (let seq = from; seq <= to; seq++) {
        store.committer.enqueue({
          kind: 'reading',
          row: { device: 'dev', boot: 1, seq, ts: Date.UTC(2026, 0, 1), tsSource: 'gateway', deviceTs: null, received: Date.UTC(2026, 0, 1), fields: `{"temp_c":${seq}}`, bytes: 20, clockUntrusted: false },
          done: () => --left === 0 && resolve(),
        });
      }
    });
  return { config, store, host, threads, logs, write };
}

function csvRows(config: Config): string[][] {
  const { records } = parseCsv(readFileSync(join(config.dataDir, 'csv', 'readings.csv'), 'utf8'));
  return records.slice(1);
}

test('sync thread: rows reach the CSV files, cursor advances reach the main Store, status comes from snapshots, logs through the main logger', async (t) => {
  const r = rig(t);
  await r.host.start();
  assert.equal(r.threads.length, 1);
  assert.ok(r.logs.some((l) => l.msg === 'sync thread started' && l.part === 'sync'), 'the thread logs through the main logger');
  await r.write(1, 50);
  assert.equal(r.store.bufferedRows(), 50);
  await waitFor(() => r.store.bufferedRows() === 0, 'the main Store to learn the cursor');
  await waitFor(() => r.host.status()[0]?.cursor === 50, 'a status snapshot');
  const [st] = r.host.status();
  assert.equal(st?.name, 'csv');
  assert.equal(st?.rowsWritten, 50);
  assert.equal(st?.pendingRows, 0);
  assert.equal(st?.state, 'idle');
  assert.deepEqual(csvRows(r.config).map((row) => row[4]), Array.from({ length: 50 }, (_, i) => String(i + 1)));
  await r.write(51, 60);
  assert.equal(r.host.status()[0]?.pendingRows, 10, "pending rows follow the main thread's commits at once");
  await waitFor(() => r.store.bufferedRows() === 0, 'the next batch');
  await r.host.stop(500);
  const [after] = r.host.status();
  assert.equal(after?.state, 'stopped');
  assert.equal(after?.cursor, 60);
  assert.equal(r.threads[0]?.threadId, -1, 'the thread has ended');
});

test('sync thread started early: it waits for its init, the host takes it as its first thread, restarts spawn new ones', async (t) => {
  // Its modules load now; it opens nothing (no store exists yet) until it is given its init.
  const early = new EarlySyncThread();
  t.after(() => early.dispose());
  const r = rig(t, {}, (init) => early.take(init) ?? spawnSyncThread(init));
  await r.host.start();
  assert.equal(r.threads.length, 1);
  await r.write(1, 20);
  await waitFor(() => r.store.bufferedRows() === 0, 'the early thread to deliver');
  assert.deepEqual(csvRows(r.config).map((row) => row[4]), Array.from({ length: 20 }, (_, i) => String(i + 1)));
  assert.equal(early.take({ config: r.config, logLevel: 'info', highestId: 0 }), null, 'taken once');
  // A thread that dies is replaced by a new one, not by the early one again.
  await r.threads[0]!.terminate();
  await waitFor(() => r.threads.length === 2 && r.logs.some((l) => l.msg === 'sync thread started again'), 'a new thread');
  await r.write(21, 25);
  await waitFor(() => r.store.bufferedRows() === 0, 'the new thread to deliver');
  assert.equal(csvRows(r.config).length, 25);
});

test('sync thread started early that ended before it was taken: the host starts one as usual; unused, it is ended', async (t) => {
  // The early thread does not hold the event loop (the rig's interval does, once it exists).
  const hold = setInterval(() => {}, 1000);
  t.after(() => clearInterval(hold));
  let dying!: Worker;
  const doomed = new EarlySyncThread(() => (dying = new Worker('process.exit(3)', { eval: true })));
  await once(dying, 'exit');
  const r = rig(t, {}, (init) => doomed.take(init) ?? spawnSyncThread(init));
  await r.host.start();
  await r.write(1, 5);
  await waitFor(() => r.store.bufferedRows() === 0, 'a thread started as usual to deliver');
  let worker!: Worker;
  const unused = new EarlySyncThread(() => (worker = new Worker('setInterval(() => {}, 1000)', { eval: true })));
  const ended = once(worker, 'exit');
  unused.dispose();
  await ended;
});

test('sync thread: a thread that dies is logged, shown in the status, and started again; nothing is lost or written twice', async (t) => {
  const r = rig(t);
  await r.host.start();
  await r.write(1, 20);
  await waitFor(() => r.store.bufferedRows() === 0, 'the first rows');
  r.threads[0]!.ref(); // the host unrefs its thread; this test waits for its end
  await r.threads[0]!.terminate();
  await waitFor(() => r.host.status()[0]?.lastError?.code === 'INTERNAL', 'the death in the status');
  const [st] = r.host.status();
  assert.equal(st?.failing, true);
  assert.match(st?.lastError?.message ?? '', /sync thread stopped unexpectedly/);
  assert.ok(r.logs.some((l) => l.level === 50 && /sync thread stopped unexpectedly/.test(String(l.msg))));
  await r.write(21, 30);
  await waitFor(() => r.threads.length === 2 && r.store.bufferedRows() === 0, 'a new thread to deliver the rest');
  assert.ok(r.logs.some((l) => l.msg === 'sync thread started again'));
  assert.deepEqual(csvRows(r.config).map((row) => row[4]), Array.from({ length: 30 }, (_, i) => String(i + 1)));
});

test('sync thread: a sink that cannot start fails start() with its reason, as in process', async (t) => {
  const r = rig(t, { csv: { dir: 'not-a-dir/csv', timeZone: 'UTC' } });
  writeFileSync(join(r.config.dataDir, 'not-a-dir'), 'x');
  await assert.rejects(r.host.start(), /sync thread: .*(ENOTDIR|EEXIST|not a directory)/);
  assert.ok(r.logs.some((l) => l.msg === 'sync thread could not start its sinks'));
});

test('sync thread: one that does not answer the stop is terminated after the stop timeout', async (t) => {
  const deaf = (init: ThreadInit) =>
    new Worker(
      `const { parentPort } = require('node:worker_threads');
       parentPort.postMessage({ type: 'ready', status: [] });
       parentPort.on('message', () => {});`,
      { eval: true, workerData: init },
    );
  const r = rig(t, {}, deaf);
  await r.host.start();
  const started = Date.now();
  await r.host.stop(100);
  assert.ok(Date.now() - started < 5000);
  assert.equal(r.threads[0]?.threadId, -1, 'terminated');
  assert.ok(r.logs.some((l) => l.msg === 'the sync thread did not stop in time; terminating it'));
});
