import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../../gateway/store/database.js';
import { DEVICE_TOTALS_FOLD_MS } from '../../../gateway/store/device-totals.js';
import { RecentReadings } from '../../../gateway/store/recent-readings.js';
import { Store } from '../../../gateway/store/store.js';
import { tempDir } from '../../helpers/app.js';
import { ManualTimers } from '../../helpers/manual-timers.js';
import { TEST_STORE_SETTINGS } from '../../helpers/store-settings.js';

function insert(db: Db, device: string, count: number, fields = '{"x":1}'): void {
  const row = db.prepare("INSERT INTO readings (device, boot, seq, ts, ts_source, received, fields, bytes) VALUES (?, 1, ?, ?, 'gateway', ?, ?, 10)");
  db.transaction(() => {
    for (let i = 0; i < count; i++) row.run(device, i + 1, 1000 + i, 1000 + i, fields);
  })();
}

test('a filtered query steps through its budget of ids and no more, then says where to go on', (t) => {
  const db = openDatabase({ path: join(tempDir(), 'x.db'), synchronous: 'OFF', busyTimeoutMs: 1000 });
  t.after(() => db.close());
  insert(db, 'busy', 100);
  const recent = new RecentReadings(db, { ids: 10, sensorIds: 4 });
  assert.deepEqual(recent.page({ device: 'rare', limit: 5 }), { rows: [], resumeBefore: 91 }, 'ids 100 to 91');
  assert.deepEqual(recent.page({ device: 'rare', limit: 5, beforeId: 91 }), { rows: [], resumeBefore: 81 }, 'ids 90 to 81');
  assert.deepEqual(recent.page({ sensor: 'nope', limit: 5 }), { rows: [], resumeBefore: 97 }, 'a sensor filter: ids 100 to 97');
  assert.deepEqual(recent.page({ from: 2000, limit: 5, beforeId: 6 }), { rows: [], resumeBefore: null }, 'the oldest reading reached');
  const plain = recent.page({ limit: 5 });
  assert.deepEqual([plain.rows.map((r) => r.id), plain.resumeBefore], [[100, 99, 98, 97, 96], null], 'a page filled within the budget');
  const some = recent.page({ sensor: 'x', limit: 6 });
  assert.deepEqual([some.rows.map((r) => r.id), some.resumeBefore], [[100, 99, 98, 97], 97], 'what the budget found, then where to go on');
  assert.deepEqual(new RecentReadings(db).page({ device: 'rare', limit: 5 }), { rows: [], resumeBefore: null }, 'the default budget covers this table');
});

test("a device's query starts at its newest reading: the ids of busier devices above it cost no budget", (t) => {
  const timers = new ManualTimers();
  const dir = tempDir();
  const store = Store.open(dir, TEST_STORE_SETTINGS, timers);
  t.after(() => store.close());
  const seqs = new Map<string, number>();
  const commit = (device: string, count = 1) => {
    for (let i = 0; i < count; i++) {
      const seq = (seqs.get(device) ?? 0) + 1;
      seqs.set(device, seq);
      store.committer.enqueue({ kind: 'reading', row: { device, boot: 1, seq, ts: timers.now(), tsSource: 'gateway', deviceTs: null, received: timers.now(), fields: '{"x":1}', bytes: 10, clockUntrusted: false }, done: () => {} });
      store.committer.flush();
    }
  };
  commit('rare');
  commit('busy', 10);
  commit('rare');
  commit('busy', 50);
  timers.advance(DEVICE_TOTALS_FOLD_MS);
  commit('busy');
  // Two more, above the fold's mark.
  commit('busy', 2);
  const rare = store.db.prepare("SELECT id FROM readings WHERE device = 'rare' ORDER BY id DESC").pluck().all() as number[];
  assert.equal(store.db.prepare("SELECT last_id FROM devices WHERE id = 'rare'").pluck().get(), rare[0], 'folded: the newest id is known');
  const recent = new RecentReadings(store.db, { ids: 3, sensorIds: 3 });
  const first = recent.page({ device: 'rare', limit: 5 });
  // The two ids above the mark, then one left for the stretch from the newest: that reading.
  assert.deepEqual([first.rows.map((r) => r.id), first.resumeBefore], [[rare[0]], rare[0]], 'the 51 ids between skipped');
  const second = recent.page({ device: 'rare', limit: 5, beforeId: first.resumeBefore! });
  assert.deepEqual([second.rows.map((r) => r.id), second.resumeBefore], [[], rare[0]! - 3], 'a full budget from there');
});

test('every query steps down the id range, also where an index by device exists (which it would read whole and sort)', (t) => {
  const db = openDatabase({ path: join(tempDir(), 'x.db'), synchronous: 'OFF', busyTimeoutMs: 1000 });
  t.after(() => db.close());
  insert(db, 'busy', 10);
  // A database with the (device, time) index (summaries keep it), and every statement the queries prepare.
  assert.ok(db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'readings_by_device_ts'").get(), 'the index is there');
  const prepared: string[] = [];
  const spy = new Proxy(db, { get: (target, key) => (key === 'prepare' ? (sql: string) => (prepared.push(sql), target.prepare(sql)) : Reflect.get(target, key)) });
  const recent = new RecentReadings(spy, { ids: 4, sensorIds: 4 });
  recent.page({ device: 'busy', limit: 3 });
  recent.page({ device: 'busy', sensor: 'x', from: 0, to: 5000, limit: 3, beforeId: 8 });
  const planOf = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...Array.from(sql.matchAll(/\?/g), () => 1)) as { detail: string }[]).map((p) => p.detail);
  for (const sql of prepared) assert.ok(!planOf(sql).some((d) => /^SCAN readings\b/.test(d)), `no statement reads the whole table: ${sql}: ${planOf(sql).join('; ')}`);
  const selects = prepared.filter((sql) => sql.includes('ORDER BY id DESC'));
  assert.equal(selects.length, 2);
  for (const sql of selects) {
    const plan = planOf(sql).join('; ');
    assert.match(plan, /^SEARCH readings USING INTEGER PRIMARY KEY \(rowid>\? AND rowid<\?\)/, `${sql}: ${plan}`);
    assert.doesNotMatch(plan, /readings_by_device_ts/);
  }
});
