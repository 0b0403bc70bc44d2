import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { BatchWriter } from '../../../gateway/store/batch-writer.js';
import { openDatabase, schemaVersion, type Db } from '../../../gateway/store/database.js';
import type { ReadingRow, WriteOp } from '../../../gateway/store/ops.js';
import { ReadingsQueries } from '../../../gateway/store/readings.js';
import { Retention } from '../../../gateway/store/retention.js';
import { MIGRATIONS } from '../../../gateway/store/schema.js';
import { MAX_RANGES_PER_BOOT, SEQ_FLUSH_MS, SEQ_FLUSH_ROWS } from '../../../gateway/store/seq-ledger.js';
import { tempDir } from '../../helpers/app.js';

/*
 * Resends are recognised by the writer's ledger of stored seqs (store/seq-ledger.ts), not by a
 * unique index: what it writes to `boots.stored` in bulk, plus the readings committed since, must
 * always give the exact stored seqs: after a crash, a writer replaced, a rollback, a migration.
 */

function open(path = join(tempDir(), 'x.db')): Db {
  return openDatabase({ path, synchronous: 'FULL', busyTimeoutMs: 1000 });
}

function row(device: string, boot: number, seq: number): ReadingRow {
  return { device, boot, seq, ts: seq, tsSource: 'gateway', deviceTs: null, received: seq, fields: '{"x":1}', bytes: 12, clockUntrusted: false };
}

/** Applies one batch of readings; returns their outcomes. */
function apply(w: BatchWriter, now: number, ...rows: ReadingRow[]): string[] {
  const ops: WriteOp[] = rows.map((r) => ({ kind: 'reading', row: r, done: () => {} }));
  return w.apply(ops, now).map(String);
}

const count = (db: Db) => db.prepare('SELECT count(*) FROM readings').pluck().get() as number;
const storedText = (db: Db, device: string, boot: number) => db.prepare('SELECT stored FROM boots WHERE device = ? AND boot = ?').pluck().get(device, boot) as string | null;

test('a resend is a duplicate in the same batch, in a later one, and after the ranges were written', (t) => {
  const db = open();
  t.after(() => db.close());
  const w = new BatchWriter(db);
  assert.deepEqual(apply(w, 0, row('a', 1, 1), row('a', 1, 2), row('a', 1, 2), row('b', 1, 1)), ['stored', 'stored', 'duplicate', 'stored']);
  assert.equal(storedText(db, 'a', 1), '[[1,2]]', 'the first commit writes the ranges');
  assert.deepEqual(apply(w, 1, row('a', 1, 2), row('a', 1, 4), row('a', 1, 3)), ['duplicate', 'stored', 'stored']);
  assert.equal(storedText(db, 'a', 1), '[[1,2]]', 'not written again before SEQ_FLUSH_MS');
  assert.deepEqual(apply(w, 1 + SEQ_FLUSH_MS, row('b', 1, 3)), ['stored']);
  assert.equal(storedText(db, 'a', 1), '[[1,4]]');
  assert.equal(storedText(db, 'b', 1), '[[1,1],[3,3]]');
  assert.equal(count(db), 6);
  // SQLite's answer (any thread or process) and the writer's ledger (its own thread) agree.
  for (const q of [new ReadingsQueries(db), new ReadingsQueries(db, w.ledger)]) {
    assert.equal(q.highestSeq('a', 1), 4);
    assert.deepEqual(q.contiguousSeq('b', 1, 0), { prefix: 1, more: true });
    assert.deepEqual(q.contiguousSeq('b', 1, 2), { prefix: 3, more: false });
    assert.equal(q.highestSeq('a', 2), 0, 'another boot is another reading');
  }
  apply(w, 2 + SEQ_FLUSH_MS, row('b', 1, 2));
  for (const q of [new ReadingsQueries(db), new ReadingsQueries(db, w.ledger)]) {
    assert.deepEqual(q.contiguousSeq('b', 1, 0), { prefix: 3, more: false }, 'also before the ranges are written again');
  }
});

test('after a crash the readings committed since the last write of the ranges are still known', (t) => {
  const path = join(tempDir(), 'x.db');
  const db = open(path);
  const w = new BatchWriter(db);
  apply(w, 0, row('a', 1, 1));
  for (let s = 2; s <= 50; s++) apply(w, 10, row('a', 1, s), row('c', 7, s));
  assert.equal(storedText(db, 'a', 1), '[[1,1]]', 'written once, at the first commit');
  // A crash: the writer's memory is gone; nothing else happened to the file.
  const again = open(path);
  t.after(() => (again.close(), db.close()));
  const q = new ReadingsQueries(again);
  assert.equal(q.highestSeq('a', 1), 50, 'a HELLO hears the highest stored seq');
  assert.equal(q.highestSeq('c', 7), 50);
  const w2 = new BatchWriter(again);
  assert.deepEqual(apply(w2, 20, row('a', 1, 30), row('c', 7, 2), row('c', 7, 1), row('a', 1, 51)), ['duplicate', 'duplicate', 'stored', 'stored']);
  assert.equal(count(again), 101);
});

test('a writer that replaced another writes the ranges the other had not written yet', (t) => {
  const path = join(tempDir(), 'x.db');
  const db = open(path);
  const first = new BatchWriter(db);
  apply(first, 0, row('a', 1, 1));
  apply(first, 10, row('a', 1, 2), row('a', 1, 3)); // not written: within SEQ_FLUSH_MS
  const second = new BatchWriter(db);
  // The second writer stores another board and writes its ranges, moving seq_through past a's readings.
  assert.deepEqual(apply(second, 10, row('b', 1, 1)), ['stored']);
  assert.equal(storedText(db, 'a', 1), '[[1,3]]', "a's readings of the first writer were written by the second");
  const third = new BatchWriter(db);
  t.after(() => db.close());
  assert.deepEqual(apply(third, 20, row('a', 1, 3), row('a', 1, 2), row('b', 1, 1)), ['duplicate', 'duplicate', 'duplicate']);
});

test('a rolled-back batch leaves no seq behind, and the boots changed before it stay due for a write', (t) => {
  const path = join(tempDir(), 'x.db');
  const db = open(path);
  t.after(() => db.close());
  // Seq 999 makes the transaction fail after the other readings of its batch were inserted.
  db.exec("CREATE TRIGGER refuse AFTER INSERT ON readings WHEN NEW.seq = 999 BEGIN SELECT RAISE(ABORT, 'refused'); END");
  const w = new BatchWriter(db);
  apply(w, 0, row('a', 1, 1)); // writes the ranges
  apply(w, 10, row('a', 1, 2)); // not written yet
  assert.throws(() => apply(w, 10 + SEQ_FLUSH_MS, row('a', 1, 3), row('b', 1, 999)), /refused/);
  // The next commit stores another board only: the ranges it writes must include a's seq 2.
  assert.deepEqual(apply(w, 20 + SEQ_FLUSH_MS, row('b', 1, 1)), ['stored']);
  assert.equal(storedText(db, 'a', 1), '[[1,2]]');
  assert.deepEqual(apply(w, 30 + SEQ_FLUSH_MS, row('a', 1, 3), row('a', 1, 2)), ['stored', 'duplicate'], 'seq 3 was rolled back; 2 was not');
  db.exec('DROP TRIGGER refuse');
  const again = new BatchWriter(open(path));
  assert.deepEqual(apply(again, 40 + SEQ_FLUSH_MS, row('a', 1, 2), row('a', 1, 3), row('b', 1, 999)), ['duplicate', 'duplicate', 'stored']);
});

test('the ranges are written at the latest every SEQ_FLUSH_ROWS stored readings', (t) => {
  const db = open();
  t.after(() => db.close());
  const w = new BatchWriter(db);
  apply(w, 0, row('a', 1, 1));
  const rows: ReadingRow[] = [];
  for (let s = 2; s <= SEQ_FLUSH_ROWS + 1; s++) rows.push(row('a', 1, s));
  apply(w, 0, ...rows.slice(0, -1));
  assert.equal(storedText(db, 'a', 1), '[[1,1]]');
  apply(w, 0, ...rows.slice(-1));
  assert.equal(storedText(db, 'a', 1), `[[1,${SEQ_FLUSH_ROWS + 1}]]`);
});

test('readings pruned by retention stay known: a resend is a duplicate and the floor bounds the gaps', (t) => {
  const db = open();
  t.after(() => db.close());
  const w = new BatchWriter(db);
  apply(w, 0, row('a', 1, 1), row('a', 1, 2), row('a', 1, 4), row('a', 1, 6));
  assert.equal(new Retention(db).prune(3, 100), 3, 'seqs 1, 2 and 4 pruned');
  assert.equal(count(db), 1);
  const fresh = new BatchWriter(db);
  assert.deepEqual(apply(fresh, 1, row('a', 1, 4), row('a', 1, 3), row('a', 1, 5)), ['duplicate', 'duplicate', 'stored'], '3 is below the pruned floor (4)');
  assert.deepEqual(new ReadingsQueries(db).contiguousSeq('a', 1, 0), { prefix: 6, more: false });
});

test(`a boot holds at most ${MAX_RANGES_PER_BOOT} runs of seqs: a reading opening one more is refused (gaps), one joining a run is stored`, (t) => {
  const db = open();
  t.after(() => db.close());
  const w = new BatchWriter(db);
  const rows: ReadingRow[] = [];
  // 1, then every other seq from 3: MAX_RANGES_PER_BOOT runs above the floor [1, 1].
  for (let i = 0; i <= MAX_RANGES_PER_BOOT; i++) rows.push(row('a', 1, 1 + 2 * i));
  apply(w, 0, ...rows);
  const top = 1 + 2 * MAX_RANGES_PER_BOOT;
  assert.deepEqual(apply(w, 1, row('a', 1, top + 2), row('a', 1, top + 1), row('a', 1, 2), row('b', 1, 5)), ['gaps', 'stored', 'stored', 'stored']);
});

test('migration 11: the ranges of an existing file are computed from its readings, and the unique index goes', (t) => {
  const path = join(tempDir(), 'x.db');
  const old = new Database(path);
  old.pragma('journal_mode = WAL');
  for (const m of MIGRATIONS) if (m.version <= 10) old.exec(m.sql);
  old.pragma('user_version = 10');
  const insert = old.prepare("INSERT INTO readings (device, boot, seq, ts, ts_source, received, fields, bytes) VALUES (?, ?, ?, 0, 'gateway', ?, '{}', 2)");
  for (const s of [1, 2, 3, 5, 9, 10]) insert.run('a', 1, s, 100 + s);
  for (const s of [7, 8]) insert.run('a', 2, s, 200 + s);
  old.prepare("INSERT INTO boots (device, boot, max_seq, pruned_seq, first_seen) VALUES ('p', 1, 40, 40, 0)").run();
  insert.run('p', 1, 42, 300);
  old.close();
  const db = open(path);
  t.after(() => db.close());
  assert.equal(schemaVersion(db), MIGRATIONS[MIGRATIONS.length - 1]?.version);
  assert.equal(db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'readings_key'").get(), undefined);
  const ranges = (device: string, boot: number) => JSON.parse(storedText(db, device, boot) ?? 'null') as number[][];
  assert.deepEqual(ranges('a', 1).sort((x, y) => (x[0] as number) - (y[0] as number)), [[1, 3], [5, 5], [9, 10]]);
  assert.deepEqual(ranges('a', 2), [[7, 8]]);
  assert.deepEqual(db.prepare("SELECT max_seq, first_seen FROM boots WHERE device = 'a' AND boot = 2").raw().get(), [8, 207]);
  assert.deepEqual(ranges('p', 1), [[42, 42]]);
  const w = new BatchWriter(db);
  assert.deepEqual(apply(w, 0, row('a', 1, 5), row('a', 1, 4), row('p', 1, 20), row('p', 1, 41), row('a', 2, 8)), ['duplicate', 'stored', 'duplicate', 'stored', 'duplicate']);
  assert.equal(new ReadingsQueries(db).highestSeq('p', 1), 42);
});
