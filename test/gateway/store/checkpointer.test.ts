import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../../gateway/store/database.js';
import { Checkpointer, FALLBACK_AUTOCHECKPOINT_BYTES } from '../../../gateway/store/checkpointer.js';
import { memoryLog } from '../../helpers/memory-log.js';
import { startTestApp, tempDir } from '../../helpers/app.js';
import { ManualTimers } from '../../helpers/manual-timers.js';

test('the committing connection leaves the WAL to the checkpointer, which copies it into the database file every interval', (t) => {
  const path = join(tempDir(), 'x.db');
  const writer = openDatabase({ path, synchronous: 'FULL', busyTimeoutMs: 1000, autocheckpointBytes: FALLBACK_AUTOCHECKPOINT_BYTES });
  const other = openDatabase({ path, synchronous: 'FULL', busyTimeoutMs: 1000 });
  t.after(() => (writer.close(), other.close()));
  assert.equal(writer.pragma('wal_autocheckpoint', { simple: true }), FALLBACK_AUTOCHECKPOINT_BYTES / 4096);
  const timers = new ManualTimers();
  const { log } = memoryLog();
  const checkpoints = new Checkpointer(other, timers, 1000, log);
  checkpoints.start();
  const dbBytes = () => statSync(path).size;
  const before = dbBytes();
  const insert = writer.prepare("INSERT INTO readings (device, boot, seq, ts, ts_source, received, fields, bytes) VALUES (?, 1, ?, 0, 'gateway', 0, ?, 2)");
  // About 1,500 WAL pages: past SQLite's default of 1,000, which would have checkpointed in a commit.
  for (let c = 0; c < 60; c++) writer.transaction(() => { for (let i = 0; i < 100; i++) insert.run(`d${i}`, c * 100 + i, 'x'.repeat(900)); }).immediate();
  assert.equal(dbBytes(), before, 'no commit copied the WAL into the database file');
  timers.advance(999);
  assert.equal(dbBytes(), before);
  timers.advance(1);
  assert.ok(dbBytes() > before + 5_000_000, `the interval's checkpoint did: ${before} -> ${dbBytes()} bytes`);
  const again = checkpoints.run();
  assert.ok(again !== null && again.checkpointed === again.log, 'everything in the WAL is in the file');
  checkpoints.stop();
});

test('a checkpoint that fails is logged once, never thrown, and its recovery is logged', () => {
  let failing = true;
  // A connection whose checkpoints fail as a full or failing disk makes them fail.
  const db = { pragma: () => { if (failing) throw new Error('SQLITE_FULL: database or disk is full'); return [{ busy: 0, log: 3, checkpointed: 3 }]; } } as unknown as Db;
  const { log, records } = memoryLog();
  const checkpoints = new Checkpointer(db, new ManualTimers(), 1000, log);
  assert.equal(checkpoints.run(), null);
  assert.equal(checkpoints.run(), null);
  failing = false;
  assert.deepEqual(checkpoints.run(), { busy: 0, log: 3, checkpointed: 3 });
  assert.deepEqual(records.map((r) => r.msg), ['WAL checkpoint failed; the WAL keeps every committed row, retried every interval', 'WAL checkpoints work again']);
});

test('a gateway with the sync thread leaves checkpoints to it; without the thread, SQLite checkpoints in the commits', async (t) => {
  const threaded = await startTestApp({ sync: { thread: true } });
  t.after(() => threaded.stop());
  assert.equal(threaded.app.store.db.pragma('wal_autocheckpoint', { simple: true }), FALLBACK_AUTOCHECKPOINT_BYTES / 4096);
  const inProcess = await startTestApp();
  t.after(() => inProcess.stop());
  assert.equal(inProcess.app.store.db.pragma('wal_autocheckpoint', { simple: true }), 1000);
  const off = await startTestApp({ sync: { thread: true }, store: { checkpointIntervalMs: 0 } });
  t.after(() => off.stop());
  assert.equal(off.app.store.db.pragma('wal_autocheckpoint', { simple: true }), 1000);
});
