import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../../gateway/store/database.js';
import { BOOT_SEQ_INDEX, DEVICE_TIME_INDEX, keepDeviceTimeIndex } from '../../../gateway/store/readings-indexes.js';
import { startTestApp, tempDir } from '../../helpers/app.js';

const hasIndex = (db: Db, name = DEVICE_TIME_INDEX) => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?").get(name) !== undefined;
const SAMPLES = "SELECT ts FROM readings WHERE device = 'd1' AND ts >= 0 AND ts < 100 ORDER BY ts";

test('the (device, time) index: dropped when nothing reads by it, built again from the stored readings when summaries or bills come back', (t) => {
  const db = openDatabase({ path: join(tempDir(), 'x.db'), synchronous: 'FULL', busyTimeoutMs: 1000 });
  t.after(() => db.close());
  assert.ok(hasIndex(db), 'a new file has it (migration 8)');
  const insert = db.prepare("INSERT INTO readings (device, boot, seq, ts, ts_source, received, fields, bytes) VALUES (?, 1, ?, ?, 'gateway', 0, '{}', 2)");
  for (let i = 1; i <= 50; i++) insert.run(`d${i % 5}`, i, i);
  assert.equal(keepDeviceTimeIndex(db, false), 'dropped');
  assert.ok(!hasIndex(db));
  assert.equal(keepDeviceTimeIndex(db, false), null, 'nothing to do');
  assert.equal(keepDeviceTimeIndex(db, true), 'created');
  assert.equal(keepDeviceTimeIndex(db, true), null);
  const plan = db.prepare(`EXPLAIN QUERY PLAN ${SAMPLES}`).all() as { detail: string }[];
  assert.ok(plan.some((p) => p.detail.includes(DEVICE_TIME_INDEX)), `a span of one device is read through it: ${JSON.stringify(plan)}`);
  assert.deepEqual(db.prepare(SAMPLES).pluck().all(), [1, 6, 11, 16, 21, 26, 31, 36, 41, 46]);
});

test('a gateway keeps the index only with summaries or bills configured, and logs the change', async () => {
  const dataDir = tempDir();
  const index = async (overrides: Record<string, unknown>) => {
    const gw = await startTestApp(overrides, undefined, dataDir);
    const kept = hasIndex(gw.app.store.db);
    const logged = gw.logs.filter((l) => l.index === DEVICE_TIME_INDEX).map((l) => l.change);
    await gw.app.stop();
    return { kept, logged };
  };
  assert.deepEqual(await index({}), { kept: false, logged: ['dropped'] }, 'the defaults: no summaries, no bills');
  assert.deepEqual(await index({}), { kept: false, logged: [] }, 'nothing to change');
  assert.deepEqual(await index({ summaries: { periods: ['1h'] } }), { kept: true, logged: ['created'] });
  assert.deepEqual(
    await index({ billing: { field: 'energy', tiers: [{ upTo: null, price: 0.3 }] }, fields: [{ match: 'energy', kind: 'counter' }] }),
    { kept: true, logged: [] },
    'bills read by it too',
  );
});

test('a gateway keeps the (device, boot, seq) index only with a counter rule, and nothing else indexes readings by board', async () => {
  const dataDir = tempDir();
  const COUNTER = { fields: [{ match: 'energy', kind: 'counter' }] };
  const index = async (overrides: Record<string, unknown>) => {
    const gw = await startTestApp(overrides, undefined, dataDir);
    const db = gw.app.store.db;
    const kept = hasIndex(db, BOOT_SEQ_INDEX);
    const onReadings = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'readings'").pluck().all();
    const logged = gw.logs.filter((l) => l.index === BOOT_SEQ_INDEX).map((l) => l.change);
    await gw.app.stop();
    return { kept, logged, onReadings };
  };
  assert.deepEqual(await index({}), { kept: false, logged: [], onReadings: [] }, 'the defaults: readings has no index but its rowid');
  assert.deepEqual(await index(COUNTER), { kept: true, logged: ['created'], onReadings: [BOOT_SEQ_INDEX] });
  assert.deepEqual(await index(COUNTER), { kept: true, logged: [], onReadings: [BOOT_SEQ_INDEX] }, 'nothing to change');
  assert.deepEqual(await index({}), { kept: false, logged: ['dropped'], onReadings: [] });
});
