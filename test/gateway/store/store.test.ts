import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Store, type StoreSettings } from '../../../gateway/store/store.js';
import { openDatabase, schemaVersion } from '../../../gateway/store/database.js';
import type { ReadingOutcome, ReadingRow, RegisterOutcome } from '../../../gateway/store/ops.js';
import { DEVICE_TOTALS_FOLD_MS, TOTALS_THROUGH_KEY } from '../../../gateway/store/device-totals.js';
import { StoreError } from '../../../gateway/store/errors.js';
import { RETENTION_CHUNK_ROWS } from '../../../gateway/store/retention.js';
import { tempDir } from '../../helpers/app.js';
import { TEST_STORE_SETTINGS } from '../../helpers/store-settings.js';
import { ManualTimers } from '../../helpers/manual-timers.js';

const SETTINGS: StoreSettings = TEST_STORE_SETTINGS;

function open(t: { after: (fn: () => void) => void }, settings: Partial<StoreSettings> = {}) {
  const dir = tempDir();
  const timers = new ManualTimers();
  const store = Store.open(dir, { ...SETTINGS, ...settings }, timers);
  t.after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { store, timers, dir };
}

function row(device: string, boot: number, seq: number, received = 0): ReadingRow {
  return { device, boot, seq, ts: received, tsSource: 'gateway', deviceTs: null, received, fields: '{"x":1}', bytes: 12, clockUntrusted: false };
}

function enqueueReading(store: Store, r: ReadingRow, outcomes: ReadingOutcome[]): void {
  store.committer.enqueue({ kind: 'reading', row: r, done: (o) => outcomes.push(o) });
}

test('group commit: nothing is reported before the commit; the delay or the row count triggers it', (t) => {
  const { store, timers } = open(t, { commitMaxRows: 3 });
  const outcomes: ReadingOutcome[] = [];
  enqueueReading(store, row('a', 1, 1), outcomes);
  enqueueReading(store, row('a', 1, 2), outcomes);
  assert.deepEqual(outcomes, [], 'no outcome before the commit');
  assert.equal(store.readings.count(), 0, 'and nothing committed yet');
  timers.advance(5);
  assert.deepEqual(outcomes, ['stored', 'stored']);
  enqueueReading(store, row('a', 1, 3), outcomes);
  enqueueReading(store, row('a', 1, 4), outcomes);
  enqueueReading(store, row('a', 1, 5), outcomes); // the third op fills the batch: committed at once
  assert.equal(outcomes.length, 5);
  assert.equal(store.readings.count(), 5);
});

test('(device, boot, seq) is stored once; the same seq in another boot is a new reading', (t) => {
  const { store } = open(t);
  const outcomes: ReadingOutcome[] = [];
  enqueueReading(store, row('a', 1, 1), outcomes);
  enqueueReading(store, row('a', 1, 1), outcomes); // duplicate inside one batch
  store.committer.flush();
  enqueueReading(store, row('a', 1, 1), outcomes); // duplicate in a later batch
  enqueueReading(store, row('a', 2, 1), outcomes);
  enqueueReading(store, row('b', 1, 1), outcomes);
  store.committer.flush();
  assert.deepEqual(outcomes, ['stored', 'duplicate', 'duplicate', 'stored', 'stored']);
  assert.equal(store.readings.count(), 3);
  assert.equal(store.readings.highestSeq('a', 1), 1);
  const a = store.devices.get('a')!;
  assert.equal(a.readings, 2);
  assert.equal(a.duplicates, 2);
});

test('a failed transaction rolls back the whole batch and reports every reading failed', (t) => {
  const { store } = open(t);
  const outcomes: ReadingOutcome[] = [];
  enqueueReading(store, row('a', 1, 1), outcomes);
  // Sabotage: a trigger makes the second insert fail, as a full disk would.
  store.db.exec("CREATE TRIGGER boom BEFORE INSERT ON readings WHEN NEW.seq = 2 BEGIN SELECT RAISE(ABORT, 'disk full'); END");
  enqueueReading(store, row('a', 1, 2), outcomes);
  store.committer.flush();
  assert.deepEqual(outcomes, ['failed', 'failed']);
  assert.equal(store.readings.count(), 0, 'reading 1 was rolled back with its batch');
  store.db.exec('DROP TRIGGER boom');
  enqueueReading(store, row('a', 1, 1), outcomes);
  store.committer.flush();
  assert.equal(outcomes[2], 'stored', 'the committer keeps working after a failure');
});

test('boots and device counters of many boards in one commit; a gap filled later is stored without lowering max_seq', (t) => {
  const { store } = open(t);
  const outcomes: ReadingOutcome[] = [];
  for (let b = 0; b < 50; b++) for (const seq of [1, 3]) enqueueReading(store, row(`b${b}`, 4, seq, 1000 + b), outcomes);
  enqueueReading(store, row('b7', 4, 3), outcomes); // a duplicate in the same commit
  store.committer.flush();
  assert.equal(outcomes.filter((o) => o === 'stored').length, 100);
  for (let b = 0; b < 50; b++) {
    assert.equal(store.readings.highestSeq(`b${b}`, 4), 3, `b${b}`);
    const d = store.devices.get(`b${b}`)!;
    assert.deepEqual([d.readings, d.duplicates, d.lastSeen], [2, b === 7 ? 1 : 0, 1000 + b], `b${b}`);
  }
  enqueueReading(store, row('b0', 4, 2), outcomes); // below the highest seq: looked up, stored
  enqueueReading(store, row('b0', 4, 3), outcomes);
  store.committer.flush();
  assert.deepEqual(outcomes.slice(-2), ['stored', 'duplicate']);
  assert.equal(store.readings.highestSeq('b0', 4), 3);
});

test('a rolled-back batch does not leave its seqs taken: resent, they are stored and raise max_seq', (t) => {
  const { store } = open(t);
  const outcomes: ReadingOutcome[] = [];
  enqueueReading(store, row('a', 1, 1), outcomes);
  store.committer.flush();
  store.db.exec("CREATE TRIGGER boom BEFORE INSERT ON readings WHEN NEW.seq = 3 BEGIN SELECT RAISE(ABORT, 'disk full'); END");
  enqueueReading(store, row('a', 1, 2), outcomes);
  enqueueReading(store, row('a', 1, 3), outcomes);
  store.committer.flush();
  assert.deepEqual(outcomes, ['stored', 'failed', 'failed']);
  store.db.exec('DROP TRIGGER boom');
  enqueueReading(store, row('a', 1, 2), outcomes);
  store.committer.flush();
  assert.equal(outcomes.at(-1), 'stored');
  assert.equal(store.readings.highestSeq('a', 1), 2, 'max_seq follows what was stored, not what was tried');
});

test('trust on first use: two HELLOs racing for a new id in one batch; the second token loses', (t) => {
  const { store } = open(t);
  const results: RegisterOutcome[] = [];
  for (const token of ['first', 'first', 'other']) {
    store.committer.enqueue({ kind: 'register', device: 'new-1', token, origin: 'tofu', at: 1, done: (o) => results.push(o) });
  }
  store.committer.flush();
  assert.deepEqual(results, ['registered', 'accepted', 'conflict']);
  const creds = store.devices.find('new-1')!;
  assert.ok(creds.hash && creds.hash.length === 32, 'a hash is stored');
  const raw = store.db.prepare('SELECT * FROM devices').all();
  assert.ok(!JSON.stringify(raw).includes('first'), 'the token itself is never stored');
});

test('retention prunes delivered old rows, and a resent pruned reading is still a duplicate', (t) => {
  const { store, timers } = open(t, { retentionHours: 1 });
  store.useSinks(['csv']);
  const outcomes: ReadingOutcome[] = [];
  const t0 = timers.now();
  for (let seq = 1; seq <= 10; seq++) enqueueReading(store, row('a', 7, seq, t0), outcomes);
  store.committer.flush();
  assert.equal(store.bufferedRows(), 10);
  store.advanceCursor('csv', 6);
  assert.equal(store.bufferedRows(), 4);
  assert.equal(store.prune(), 0, 'too young to prune');
  timers.advance(2 * 3_600_000);
  assert.equal(store.prune(), 6, 'only delivered rows are pruned');
  assert.equal(store.readings.count(), 4);
  enqueueReading(store, row('a', 7, 3, timers.now()), outcomes);
  store.committer.flush();
  assert.equal(outcomes.at(-1), 'duplicate');
  assert.equal(store.readings.count(), 4);
  assert.equal(store.readings.highestSeq('a', 7), 10);
});

test('retention deletes in short transactions: a step prunes at most a chunk and says whether more wait; prune() takes every step', (t) => {
  const { store, timers } = open(t, { retentionHours: 0 });
  store.useSinks(['csv']);
  const outcomes: ReadingOutcome[] = [];
  const total = 2 * RETENTION_CHUNK_ROWS + 500;
  for (let seq = 1; seq <= total; seq++) enqueueReading(store, row('a', 1, seq, timers.now()), outcomes);
  store.committer.flush();
  // The next commit folds the counts (retention prunes only counted readings).
  timers.advance(DEVICE_TOTALS_FOLD_MS);
  enqueueReading(store, row('b', 1, 1, timers.now()), outcomes);
  store.committer.flush();
  timers.advance(1);
  store.advanceCursor('csv', total + 1);
  assert.deepEqual(store.pruneStep(), { deleted: RETENTION_CHUNK_ROWS, more: true });
  assert.deepEqual(store.pruneStep(), { deleted: RETENTION_CHUNK_ROWS, more: true });
  assert.deepEqual(store.pruneStep(), { deleted: 500, more: false }, "the rest; b's reading, the newest, stays");
  assert.deepEqual(store.pruneStep(), { deleted: 0, more: false });
  assert.equal(store.readings.count(), 1);
  for (let seq = 2; seq <= RETENTION_CHUNK_ROWS + 10; seq++) enqueueReading(store, row('b', 1, seq, timers.now()), outcomes);
  store.committer.flush();
  timers.advance(DEVICE_TOTALS_FOLD_MS);
  enqueueReading(store, row('c', 1, 1, timers.now()), outcomes);
  store.committer.flush();
  timers.advance(1);
  store.advanceCursor('csv', store.highestId);
  assert.equal(store.prune(), RETENTION_CHUNK_ROWS + 10, 'every step at once');
  assert.equal(store.readings.count(), 1);
});

test('retention keeps the newest reading, so ids only increase: a reading after all were delivered and pruned is above the cursors, also after a restart', (t) => {
  const { store, timers, dir } = open(t, { retentionHours: 0 });
  store.useSinks(['csv']);
  const outcomes: ReadingOutcome[] = [];
  for (let seq = 1; seq <= 5; seq++) enqueueReading(store, row('a', 1, seq, timers.now()), outcomes);
  store.committer.flush();
  store.advanceCursor('csv', 5);
  timers.advance(1);
  assert.equal(store.prune(), 4);
  assert.deepEqual(store.db.prepare('SELECT id FROM readings').pluck().all(), [5], 'the newest stays');
  assert.equal(store.prune(), 0, 'and stays at the next round');
  enqueueReading(store, row('a', 1, 6, timers.now()), outcomes);
  store.committer.flush();
  assert.deepEqual(store.readings.after(5, 10).map((r) => [r.id, r.seq]), [[6, 6]], 'the new reading is above the cursor');
  assert.equal(store.bufferedRows(), 1);
  store.advanceCursor('csv', 6);
  timers.advance(1);
  assert.equal(store.prune(), 1);
  store.close();
  const again = Store.open(dir, { ...SETTINGS, retentionHours: 0 }, timers);
  t.after(() => again.close());
  again.useSinks(['csv']);
  again.committer.enqueue({ kind: 'reading', row: row('a', 1, 7, timers.now()), done: (o) => outcomes.push(o) });
  again.committer.flush();
  assert.deepEqual(again.readings.after(6, 10).map((r) => [r.id, r.seq]), [[7, 7]], 'after a restart too');
  assert.equal(again.bufferedRows(), 1);
  assert.ok(outcomes.every((o) => o === 'stored'));
});

test('a boot\'s row is written with its first stored reading and not rewritten by later commits; its highest seq survives pruning and a restart', (t) => {
  const { store, timers, dir } = open(t, { retentionHours: 1 });
  store.useSinks(['csv']);
  const outcomes: ReadingOutcome[] = [];
  const t0 = timers.now();
  enqueueReading(store, row('a', 7, 1, t0), outcomes);
  store.committer.flush();
  const bootRow = () => store.db.prepare('SELECT max_seq AS maxSeq, first_seen AS firstSeen FROM boots WHERE device = ? AND boot = ?').get('a', 7);
  assert.deepEqual(bootRow(), { maxSeq: 1, firstSeen: t0 }, 'written with the first reading');
  assert.equal(store.readings.bootExists('a', 7), true);
  for (let seq = 2; seq <= 10; seq++) enqueueReading(store, row('a', 7, seq, t0), outcomes);
  store.committer.flush();
  assert.deepEqual(bootRow(), { maxSeq: 1, firstSeen: t0 }, 'later commits leave the row alone');
  assert.equal(store.readings.highestSeq('a', 7), 10, 'read from the stored readings');
  store.advanceCursor('csv', 10);
  timers.advance(2 * 3_600_000);
  // Another board's reading: the newest one, which retention keeps; its commit folds the counts.
  enqueueReading(store, row('c', 1, 1, timers.now()), outcomes);
  store.committer.flush();
  assert.equal(store.prune(), 10, 'every reading of the boot');
  assert.equal(store.readings.count(), 1);
  assert.equal(store.readings.highestSeq('a', 7), 10, 'retention raised max_seq before it pruned');
  store.close();
  const again = Store.open(dir, { ...SETTINGS, retentionHours: 1 }, timers);
  t.after(() => again.close());
  for (const seq of [10, 11]) again.committer.enqueue({ kind: 'reading', row: row('a', 7, seq, timers.now()), done: (o) => outcomes.push(o) });
  again.committer.flush();
  assert.deepEqual(outcomes.slice(-2), ['duplicate', 'stored'], 'a new writer reads the highest seq, pruned included');
  assert.equal(again.readings.highestSeq('a', 7), 11);
  enqueueReading(again, row('b', 1, 5, timers.now()), outcomes);
  again.committer.flush();
  assert.equal(again.readings.bootExists('b', 1), true, 'a new boot gets its row in the commit of its first reading');
});

test('device counters: a stored reading is counted from its row until the fold every 250 ms, duplicates and untrusted clocks through device_deltas; readers see the sum at any moment, also after a crash', (t) => {
  const { store, timers, dir } = open(t);
  const outcomes: ReadingOutcome[] = [];
  const stored = () => store.db.prepare('SELECT readings FROM devices WHERE id = ?').pluck().get('a');
  const pending = () => store.db.prepare('SELECT count(*) FROM device_deltas').pluck().get();
  const through = () => Number(store.db.prepare(`SELECT value FROM meta WHERE key = '${TOTALS_THROUGH_KEY}'`).pluck().get());
  enqueueReading(store, row('a', 1, 1, timers.now()), outcomes);
  store.committer.flush();
  assert.deepEqual([stored(), pending(), through()], [1, 0, 1], 'the first commit folds at once');
  enqueueReading(store, row('a', 1, 2, timers.now()), outcomes);
  store.committer.flush();
  assert.deepEqual([stored(), pending(), through()], [1, 0, 1], 'before the next fold: a commit of stored readings writes no counters');
  let d = store.devices.get('a')!;
  assert.deepEqual([d.readings, d.bytes, d.lastSeen], [2, 24, timers.now()], 'a reader counts the reading from its row');
  timers.advance(10);
  enqueueReading(store, row('a', 1, 2, timers.now()), outcomes);
  enqueueReading(store, { ...row('a', 1, 3, timers.now()), clockUntrusted: true }, outcomes);
  store.committer.flush();
  assert.deepEqual([stored(), pending()], [1, 1], 'a duplicate and an untrusted clock: one row for the commit');
  assert.deepEqual(store.db.prepare('SELECT rows FROM device_deltas').pluck().get(), JSON.stringify([['a', 0, 1, 12, 1, timers.now(), 0]]), 'what the readings do not tell');
  d = store.devices.get('a')!;
  assert.deepEqual([d.readings, d.duplicates, d.bytes, d.clockUntrusted, d.lastSeen], [3, 1, 48, 1, timers.now()], 'a reader adds what waits');
  assert.deepEqual(store.devices.list().map((x) => [x.readings, x.duplicates, x.bytes, x.clockUntrusted]), [[3, 1, 48, 1]]);
  timers.advance(DEVICE_TOTALS_FOLD_MS);
  enqueueReading(store, row('a', 1, 4, timers.now()), outcomes);
  store.committer.flush();
  assert.deepEqual([stored(), pending(), through()], [4, 0, 4], '250 ms later the commit folds');
  enqueueReading(store, row('a', 1, 5, timers.now()), outcomes);
  enqueueReading(store, row('a', 1, 5, timers.now()), outcomes);
  store.committer.flush();
  // A crash: the files as they are now (the WAL holds the commits), nothing folded since.
  const crashed = tempDir();
  for (const f of ['sheetlog.db', 'sheetlog.db-wal']) copyFileSync(join(dir, f), join(crashed, f));
  assert.deepEqual([pending(), through()], [1, 4]);
  store.close();
  const stopped = new Database(join(dir, 'sheetlog.db'), { readonly: true });
  assert.deepEqual(
    stopped.prepare(`SELECT readings, duplicates, (SELECT count(*) FROM device_deltas) AS pending, (SELECT value FROM meta WHERE key = '${TOTALS_THROUGH_KEY}') AS through FROM devices WHERE id = 'a'`).get(),
    { readings: 5, duplicates: 2, pending: 0, through: '5' },
    'a clean stop folds',
  );
  stopped.close();
  const again = Store.open(crashed, SETTINGS, timers);
  t.after(() => {
    again.close();
    rmSync(crashed, { recursive: true, force: true });
  });
  assert.equal(again.db.prepare('SELECT count(*) FROM device_deltas').pluck().get(), 1, 'the crash left the delta');
  d = again.devices.get('a')!;
  assert.deepEqual([d.readings, d.duplicates, d.lastSeen], [5, 2, timers.now()], 'counted after a restart');
  again.committer.enqueue({ kind: 'reading', row: row('b', 1, 1, timers.now()), done: (o) => outcomes.push(o) });
  again.committer.flush();
  assert.equal(again.db.prepare('SELECT count(*) FROM device_deltas').pluck().get(), 0, 'the next writer folds at its first commit');
  assert.deepEqual(again.db.prepare("SELECT readings, duplicates FROM devices WHERE id = 'a'").get(), { readings: 5, duplicates: 2 }, 'once');
  assert.equal(again.devices.get('a')?.readings, 5);
});

test('device counters: a rolled-back commit adds nothing to the sums the writer folds', (t) => {
  const { store, timers } = open(t);
  const outcomes: ReadingOutcome[] = [];
  const commit = (seq: number) => {
    enqueueReading(store, row('a', 1, seq, timers.now()), outcomes);
    store.committer.flush();
  };
  commit(1); // folds at once
  commit(2); // waits
  store.db.exec("CREATE TRIGGER boom BEFORE INSERT ON readings WHEN NEW.seq = 3 BEGIN SELECT RAISE(ABORT, 'disk full'); END");
  commit(3);
  store.db.exec('DROP TRIGGER boom');
  assert.deepEqual(outcomes, ['stored', 'stored', 'failed']);
  timers.advance(DEVICE_TOTALS_FOLD_MS);
  commit(4); // folds the sums it kept: 2 and 4
  assert.deepEqual(store.db.prepare("SELECT readings, bytes, (SELECT count(*) FROM device_deltas) AS pending FROM devices WHERE id = 'a'").get(), { readings: 3, bytes: 36, pending: 0 });
  assert.equal(store.devices.get('a')?.readings, 3);
});

test('a new device\'s row rolled back with its batch is written again when the reading is resent', (t) => {
  const { store } = open(t);
  const outcomes: ReadingOutcome[] = [];
  store.db.exec("CREATE TRIGGER boom BEFORE INSERT ON readings BEGIN SELECT RAISE(ABORT, 'disk full'); END");
  enqueueReading(store, row('z', 1, 1), outcomes);
  store.committer.flush();
  assert.deepEqual(outcomes, ['failed']);
  assert.equal(store.devices.get('z'), undefined, 'rolled back');
  store.db.exec('DROP TRIGGER boom');
  enqueueReading(store, row('z', 1, 1), outcomes);
  store.committer.flush();
  assert.equal(outcomes.at(-1), 'stored');
  assert.equal(store.devices.get('z')?.readings, 1, 'the row is there, counted');
});

test('the buffer limit: isFull once undelivered rows reach maxBufferRows; no sinks means no buffer', (t) => {
  const { store } = open(t, { maxBufferRows: 3 });
  const outcomes: ReadingOutcome[] = [];
  for (let seq = 1; seq <= 3; seq++) enqueueReading(store, row('a', 1, seq), outcomes);
  store.committer.flush();
  assert.equal(store.isFull(), false, 'without sinks nothing waits for delivery');
  store.useSinks(['csv']);
  assert.equal(store.isFull(), true);
  store.advanceCursor('csv', 1);
  assert.equal(store.isFull(), false);
});

test('devices: add prints a token that authenticates, revoke is recorded, list carries statistics', (t) => {
  const { store } = open(t);
  const token = store.devices.add('lab-1', 1000);
  assert.match(token, /^[A-Za-z0-9_-]{24}$/);
  assert.throws(() => store.devices.add('lab-1', 1001), (e: unknown) => e instanceof StoreError && e.code === 'DEVICE_EXISTS');
  assert.throws(() => store.devices.add('bad id', 1001), (e: unknown) => e instanceof StoreError && e.code === 'DEVICE_ID_INVALID');
  store.committer.enqueue({ kind: 'stats', device: 'lab-1', delta: { errors: { BAD_VALUE: 2 }, connects: 1 } });
  store.committer.enqueue({ kind: 'stats', device: 'ghost', delta: { errors: { AUTH_FAILED: 1 } } });
  store.committer.flush();
  const listed = store.devices.list();
  assert.deepEqual(listed.map((d) => d.id), ['lab-1'], 'statistics for an unknown id create no device');
  assert.deepEqual(listed[0]!.errors, { BAD_VALUE: 2 });
  store.devices.revoke('lab-1', 2000);
  store.devices.revoke('lab-1', 3000);
  assert.equal(store.devices.get('lab-1')!.revokedAt, 2000, 'revoke is idempotent');
  assert.throws(() => store.devices.revoke('nope', 1), (e: unknown) => e instanceof StoreError && e.code === 'DEVICE_UNKNOWN');
  const again = store.devices.add('lab-1', 4000);
  assert.notEqual(again, token, 'a revoked device can be provisioned again with a new token');
});

test('migrations: a new file gets the latest schema; a file from a newer sheetlog is refused', () => {
  const dir = tempDir();
  const path = join(dir, 'x.db');
  const db = openDatabase({ path, synchronous: 'FULL', busyTimeoutMs: 100 });
  assert.ok(schemaVersion(db) >= 1);
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  db.close();
  const raw = new Database(path);
  raw.pragma('user_version = 999');
  raw.close();
  assert.throws(() => openDatabase({ path, synchronous: 'FULL', busyTimeoutMs: 100 }), (e: unknown) => e instanceof StoreError && e.code === 'STORE_TOO_NEW');
  rmSync(dir, { recursive: true, force: true });
});
