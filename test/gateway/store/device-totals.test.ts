import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { schemaVersion } from '../../../gateway/store/database.js';
import { MIGRATIONS } from '../../../gateway/store/schema.js';
import type { ReadingOutcome, ReadingRow } from '../../../gateway/store/ops.js';
import { RecentReadings } from '../../../gateway/store/recent-readings.js';
import { Store, type StoreSettings } from '../../../gateway/store/store.js';
import { DEVICE_TOTALS_FOLD_MS, TOTALS_THROUGH_KEY } from '../../../gateway/store/device-totals.js';
import { tempDir } from '../../helpers/app.js';
import { TEST_STORE_SETTINGS } from '../../helpers/store-settings.js';
import { ManualTimers } from '../../helpers/manual-timers.js';
import { seededRandom } from '../../sheets-emulator/faults.js';
import { drainReadings } from '../../helpers/drain-readings.js';

const SETTINGS: StoreSettings = TEST_STORE_SETTINGS;

interface Counts {
  readings: number;
  duplicates: number;
  bytes: number;
  untrusted: number;
  lastSeen: number;
}

/**
 * Device counters are read from the readings above `totals_through` and from `device_deltas`
 * until a fold every 250 ms (store/device-totals.ts): whatever the order of commits, failed
 * commits, clock steps, retention and crashes, what a reader sees must be what was acknowledged.
 * A model counts the outcomes the store reported; after every step the registry must agree with
 * it, device by device.
 */
for (const seed of [1, 2, 3]) {
  test(`device counters match the acknowledged outcomes through commits, rollbacks, folds, retention and crashes (seed ${seed})`, (t) => {
    const random = seededRandom(seed);
    const pick = (n: number) => Math.floor(random() * n);
    const timers = new ManualTimers();
    const dirs: string[] = [];
    let dir = tempDir();
    dirs.push(dir);
    // Retention prunes every delivered reading (those counted in `devices`, all but the newest).
    const settings: StoreSettings = { ...SETTINGS, retentionHours: 0 };
    const reopen = () => {
      const s = Store.open(dir, settings, timers);
      s.useSinks(['csv']);
      return s;
    };
    let store = reopen();
    t.after(() => {
      store.close();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });
    const model = new Map<string, Counts>();
    let crashes = 0;
    let failures = 0;
    let folds = 0;
    let pruned = 0;
    /** Whether a device's query ever started at its newest reading (devices.last_id set). */
    let startedAtNewest = 0;
    /** Pages the scan budget cut (a budget of a few ids, below). */
    let cutPages = 0;
    for (let step = 0; step < 150; step++) {
      const action = pick(11);
      if (action < 6) {
        // A commit of a few readings; seqs drawn from a small range, so duplicates happen.
        const fail = action === 0;
        if (fail) {
          store.db.exec("CREATE TRIGGER boom BEFORE INSERT ON device_deltas BEGIN SELECT RAISE(ABORT, 'disk full'); END");
          store.db.exec("CREATE TRIGGER boom2 BEFORE INSERT ON readings BEGIN SELECT RAISE(ABORT, 'disk full'); END");
        }
        const batch: { row: ReadingRow; outcome?: ReadingOutcome }[] = [];
        for (let k = 1 + pick(8); k > 0; k--) {
          const row: ReadingRow = {
            device: `d${pick(6)}`, boot: 1, seq: 1 + pick(40), ts: timers.now(), tsSource: 'gateway', deviceTs: null,
            received: timers.now(), fields: '{"x":1}', bytes: 10 + pick(5), clockUntrusted: pick(4) === 0,
          };
          const entry: { row: ReadingRow; outcome?: ReadingOutcome } = { row };
          batch.push(entry);
          store.committer.enqueue({ kind: 'reading', row, done: (o) => (entry.outcome = o) });
        }
        const through = () => store.db.prepare(`SELECT value FROM meta WHERE key = '${TOTALS_THROUGH_KEY}'`).pluck().get();
        const throughBefore = through();
        store.committer.flush();
        if (fail) {
          store.db.exec('DROP TRIGGER boom');
          store.db.exec('DROP TRIGGER boom2');
          failures++;
        }
        for (const { row, outcome } of batch) {
          if (outcome === 'failed') continue;
          const m = model.get(row.device) ?? { readings: 0, duplicates: 0, bytes: 0, untrusted: 0, lastSeen: 0 };
          if (outcome === 'stored') m.readings++;
          else if (outcome === 'duplicate') m.duplicates++;
          else assert.fail(`unexpected outcome ${outcome}`);
          m.bytes += row.bytes;
          if (row.clockUntrusted) m.untrusted++;
          m.lastSeen = Math.max(m.lastSeen, row.received);
          model.set(row.device, m);
        }
        if (!fail && through() !== throughBefore) folds++;
      } else if (action < 9) {
        timers.advance(pick(DEVICE_TOTALS_FOLD_MS * 1.6));
      } else if (action === 9) {
        // A crash: the files as they are (the WAL holds every commit), opened by a new store.
        const crashed = tempDir();
        dirs.push(crashed);
        for (const f of ['sheetlog.db', 'sheetlog.db-wal']) copyFileSync(join(dir, f), join(crashed, f));
        store.close();
        dir = crashed;
        store = reopen();
        crashes++;
      } else {
        store.advanceCursor('csv', store.db.prepare('SELECT coalesce(max(id), 0) FROM readings').pluck().get() as number);
        pruned += store.prune();
      }
      const seen = new Map(store.devices.list().map((d) => [d.id, { readings: d.readings, duplicates: d.duplicates, bytes: d.bytes, untrusted: d.clockUntrusted, lastSeen: d.lastSeen ?? 0 }]));
      // A device's readings start at its newest (devices.last_id, store/recent-readings.ts): the
      // same as the plain scan, whole and in pages.
      const recent = new RecentReadings(store.db);
      const plain = store.db.prepare('SELECT id FROM readings WHERE device = ? AND id < ? ORDER BY id DESC LIMIT ?').pluck();
      for (const id of model.keys()) {
        const all = plain.all(id, Number.MAX_SAFE_INTEGER, 1000) as number[];
        assert.deepEqual(recent.query({ device: id, limit: 1000 }).map((r) => r.id), all, `step ${step}: ${id}'s readings`);
        const middle = all[Math.floor(all.length / 2)];
        if (middle !== undefined) assert.deepEqual(recent.query({ device: id, limit: 2, beforeId: middle }).map((r) => r.id), plain.all(id, middle, 2), `step ${step}: a page of ${id}'s`);
        // With a budget of a few ids per query, paging on from where each page stopped finds the same.
        const small = new RecentReadings(store.db, { ids: 3, sensorIds: 2 });
        const drained = drainReadings(small, { device: id }, 2);
        assert.deepEqual(drained.ids, all, `step ${step}: ${id}'s readings, paged under a budget`);
        cutPages += drained.cut;
        if (all.length > 0) startedAtNewest = Math.max(startedAtNewest, (store.db.prepare('SELECT last_id FROM devices WHERE id = ?').pluck().get(id) as number | null) ?? 0);
      }
      const small = new RecentReadings(store.db, { ids: 3, sensorIds: 2 });
      const everything = store.db.prepare('SELECT id FROM readings ORDER BY id DESC').pluck().all() as number[];
      assert.deepEqual(drainReadings(small, { sensor: 'x' }, 3).ids, everything, `step ${step}: every reading carries x`);
      assert.deepEqual(drainReadings(small, { sensor: 'nope' }, 3).ids, [], `step ${step}: none carries nope`);
      for (const id of model.keys()) {
        const d = store.devices.get(id);
        assert.deepEqual(d && [d.readings, d.duplicates, d.bytes, d.clockUntrusted], [seen.get(id)?.readings, seen.get(id)?.duplicates, seen.get(id)?.bytes, seen.get(id)?.untrusted], `step ${step}: get agrees with list`);
      }
      assert.deepEqual(seen, model, `step ${step}`);
    }
    assert.ok(crashes > 0 && failures > 0 && folds > 1 && pruned > 0 && startedAtNewest > 0 && cutPages > 0, `the run covered crashes (${crashes}), failed commits (${failures}), folds (${folds}), retention (${pruned} pruned), queries from a device's newest reading and pages the budget cut (${cutPages})`);
  });
}

test('a reading moved above every other by `quarantine retry` is not counted twice, whether or not it was folded, and a query of its device finds it', (t) => {
  const timers = new ManualTimers();
  const dir = tempDir();
  const store = Store.open(dir, SETTINGS, timers);
  store.useSinks(['csv']);
  t.after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const commit = (seq: number) => {
    store.committer.enqueue({ kind: 'reading', row: { device: 'a', boot: 1, seq, ts: timers.now(), tsSource: 'gateway', deviceTs: null, received: timers.now(), fields: '{"x":1}', bytes: 10, clockUntrusted: false }, done: () => {} });
    store.committer.flush();
  };
  const counts = () => {
    const d = store.devices.get('a')!;
    return [d.readings, d.bytes];
  };
  const retry = (id: number) => {
    store.quarantineRow('csv', store.readings.after(id - 1, 1)[0]!, 'BAD_ROW', 'x');
    const [entry] = store.quarantine.list({ sink: 'csv' }, ['held']);
    assert.deepEqual(store.quarantine.retry({ ids: [entry!.id] }, timers.now()), { retried: 1, missing: [], waiting: [] });
  };
  commit(1); // folded at once: `totals_through` 1
  commit(2); // waits among the readings above it
  retry(1); // counted in `devices`: moved to id 3
  assert.deepEqual(counts(), [2, 20], 'a folded reading moved');
  assert.deepEqual(store.readings.after(0, 10).map((r) => [r.id, r.seq]), [[2, 2], [3, 1]]);
  retry(2); // not folded yet: moved to id 4, still above `totals_through`
  assert.deepEqual(counts(), [2, 20], 'a waiting reading moved');
  commit(3);
  assert.deepEqual(counts(), [3, 30]);
  timers.advance(DEVICE_TOTALS_FOLD_MS);
  commit(4); // the writer folds the sums it kept and drops the correction
  assert.deepEqual(store.db.prepare("SELECT readings, bytes, (SELECT count(*) FROM device_deltas) AS pending FROM devices WHERE id = 'a'").get(), { readings: 4, bytes: 40, pending: 0 });
  assert.deepEqual(counts(), [4, 40]);
  retry(5);
  assert.deepEqual(counts(), [4, 40], 'moved after the fold');
  const ids = store.db.prepare("SELECT id FROM readings WHERE device = 'a' ORDER BY id DESC").pluck().all();
  assert.deepEqual(new RecentReadings(store.db).query({ device: 'a', limit: 10 }).map((r) => r.id), ids, 'a moved reading is found above the folded ones');
  // 'a' sends no more; another board's commit folds, past the moved reading.
  timers.advance(DEVICE_TOTALS_FOLD_MS);
  store.committer.enqueue({ kind: 'reading', row: { device: 'b', boot: 1, seq: 1, ts: timers.now(), tsSource: 'gateway', deviceTs: null, received: timers.now(), fields: '{"x":1}', bytes: 10, clockUntrusted: false }, done: () => {} });
  store.committer.flush();
  assert.ok(Number(store.db.prepare(`SELECT value FROM meta WHERE key = '${TOTALS_THROUGH_KEY}'`).pluck().get()) > (ids[0] as number), 'folded past it');
  assert.deepEqual(new RecentReadings(store.db).query({ device: 'a', limit: 10 }).map((r) => r.id), ids, 'still found after the fold');
  assert.deepEqual(counts(), [4, 40]);
  store.close();
  const again = Store.open(dir, SETTINGS, timers);
  t.after(() => again.close());
  assert.deepEqual(again.db.prepare("SELECT readings, bytes FROM devices WHERE id = 'a'").get(), { readings: 4, bytes: 40 }, 'a clean stop folds it once');
});

test('migrations 12 and 13: a file whose counters all went through device_deltas keeps its counts, the next fold adds each reading once, and each device gets its newest reading id', (t) => {
  const dir = tempDir();
  const path = join(dir, 'sheetlog.db');
  const old = new Database(path);
  old.pragma('journal_mode = WAL');
  for (const m of MIGRATIONS) if (m.version <= 11) old.exec(m.sql);
  old.pragma('user_version = 11');
  const insert = old.prepare("INSERT INTO readings (device, boot, seq, ts, ts_source, received, fields, bytes) VALUES ('a', 1, ?, 0, 'gateway', ?, '{}', 10)");
  for (const s of [1, 2, 3]) insert.run(s, 100 + s);
  old.prepare("INSERT INTO devices (id, origin, created_at, readings, bytes, last_seen) VALUES ('a', 'open', 0, 1, 10, 101)").run();
  // Readings 2 and 3 (and a duplicate) were counted by a commit's row, not folded yet.
  old.prepare('INSERT INTO device_deltas (rows) VALUES (?)').run(JSON.stringify([['a', 2, 1, 30, 0, 103]]));
  old.close();
  const timers = new ManualTimers();
  const store = Store.open(dir, SETTINGS, timers);
  t.after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  assert.equal(schemaVersion(store.db), MIGRATIONS[MIGRATIONS.length - 1]?.version);
  assert.equal(store.db.prepare(`SELECT value FROM meta WHERE key = '${TOTALS_THROUGH_KEY}'`).pluck().get(), '3');
  const counts = () => {
    const d = store.devices.get('a')!;
    return [d.readings, d.duplicates, d.bytes, d.lastSeen];
  };
  assert.deepEqual(counts(), [3, 1, 40, 103]);
  const lastId = () => store.db.prepare("SELECT last_id FROM devices WHERE id = 'a'").pluck().get();
  assert.equal(lastId(), 3, 'migration 13: the newest reading id of each device');
  store.committer.enqueue({ kind: 'reading', row: { device: 'a', boot: 1, seq: 4, ts: 0, tsSource: 'gateway', deviceTs: null, received: 104, fields: '{}', bytes: 10, clockUntrusted: false }, done: () => {} });
  store.committer.flush(); // the writer's first commit folds what it finds
  assert.deepEqual(store.db.prepare("SELECT readings, duplicates, bytes, last_seen FROM devices WHERE id = 'a'").raw().get(), [4, 1, 50, 104]);
  assert.deepEqual(counts(), [4, 1, 50, 104]);
  assert.equal(lastId(), 4, 'moved by the fold');
});
