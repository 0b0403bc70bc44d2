import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../../gateway/store/database.js';
import { StoreError } from '../../../gateway/store/errors.js';
import type { SinkStateSpec } from '../../../gateway/store/sink-state/port.js';
import { outOfScope, tablesNamed } from '../../../gateway/store/sink-state/scope.js';
import { SqliteSinkStateStore } from '../../../gateway/store/sink-state/sqlite.js';
import { tempDir } from '../../helpers/app.js';

function withDb(t: { after(fn: () => void): void }): { db: Db; path: string; reopen(): Db } {
  const dir = tempDir('sheetlog-state-');
  const path = join(dir, 'sheetlog.db');
  const open = () => openDatabase({ path, synchronous: 'NORMAL', busyTimeoutMs: 1000 });
  const dbs: Db[] = [open()];
  t.after(() => {
    for (const d of dbs) if (d.open) d.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { db: dbs[0] as Db, path, reopen: () => (dbs.push(open()), dbs[dbs.length - 1] as Db) };
}

const V1: SinkStateSpec = {
  owner: 'test-sink',
  tables: ['ts_marks'],
  migrations: [{ name: '1-marks', sql: 'CREATE TABLE ts_marks (k TEXT PRIMARY KEY, v INTEGER NOT NULL);' }],
};

test('a sink\'s migrations are applied once, in order, recorded by name; a later one is added on the next open', (t) => {
  const { db, reopen } = withDb(t);
  let now = 1000;
  const states = new SqliteSinkStateStore(db, () => now);
  const s = states.open(V1);
  s.run('INSERT INTO ts_marks (k, v) VALUES (?, ?)', 'a', 1);
  assert.deepEqual(db.prepare('SELECT owner, name, applied_at FROM sink_migrations').all(), [{ owner: 'test-sink', name: '1-marks', applied_at: 1000 }]);

  // Opening again (another connection, a restart) applies nothing twice.
  const again = new SqliteSinkStateStore(reopen(), () => 2000).open(V1);
  assert.deepEqual(again.all('SELECT k, v FROM ts_marks'), [{ k: 'a', v: 1 }]);

  now = 3000;
  const v2: SinkStateSpec = { ...V1, tables: ['ts_marks', 'ts_notes'], migrations: [...V1.migrations, { name: '2-notes', sql: 'ALTER TABLE ts_marks ADD COLUMN note TEXT; CREATE TABLE ts_notes (n TEXT);' }] };
  const s2 = states.open(v2);
  assert.deepEqual(s2.all('SELECT k, v, note FROM ts_marks'), [{ k: 'a', v: 1, note: null }], 'rows kept across the sink\'s own migration');
  assert.deepEqual(db.prepare('SELECT name, applied_at FROM sink_migrations ORDER BY name').all(), [{ name: '1-marks', applied_at: 1000 }, { name: '2-notes', applied_at: 3000 }]);
});

test('a migration this sheetlog does not know (a newer one wrote it) is STORE_TOO_NEW, and nothing is applied', (t) => {
  const { db } = withDb(t);
  db.prepare('INSERT INTO sink_migrations (owner, name, applied_at) VALUES (?, ?, ?)').run('test-sink', '9-future', 1);
  assert.throws(() => new SqliteSinkStateStore(db, () => 1).open(V1), (e: unknown) => e instanceof StoreError && e.code === 'STORE_TOO_NEW' && /9-future/.test(e.message));
  assert.equal(db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'ts_marks'").get(), undefined);
});

test('a failing migration leaves nothing behind: not its tables, not its record', (t) => {
  const { db } = withDb(t);
  const broken: SinkStateSpec = { ...V1, migrations: [...V1.migrations, { name: '2-broken', sql: 'CREATE TABLE ts_marks (x);' }] };
  assert.throws(() => new SqliteSinkStateStore(db, () => 1).open(broken), /already exists/);
  assert.equal(db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'ts_marks'").get(), undefined);
  assert.deepEqual(db.prepare('SELECT * FROM sink_migrations').all(), []);
});

test('the handle reaches only the sink\'s own tables: statements and migrations naming others are refused', (t) => {
  const { db } = withDb(t);
  const states = new SqliteSinkStateStore(db, () => 1);
  const s = states.open(V1);
  assert.throws(() => s.all('SELECT * FROM readings'), /test-sink: a statement names tables it does not own \(readings\)/);
  assert.throws(() => s.run('DELETE FROM devices'), /devices/);
  assert.throws(() => s.get('SELECT v FROM ts_marks JOIN sink_cursors ON 1'), /sink_cursors/);
  assert.throws(() => states.open({ ...V1, migrations: [{ name: '1-x', sql: 'CREATE INDEX ix ON readings (ts);' }] }), /migration "1-x" names tables it does not own \(readings\)/);
  assert.throws(() => states.open({ ...V1, migrations: [...V1.migrations, ...V1.migrations] }), /listed twice/);
  // Its own tables, upserts included.
  s.run('INSERT INTO ts_marks (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v', 'a', 1);
  s.run('INSERT INTO ts_marks (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v', 'a', 2);
  assert.equal(s.get<{ v: number }>('SELECT v FROM ts_marks WHERE k = ?', 'a')?.v, 2);
});

test('transaction: all or nothing; a nested one joins it', (t) => {
  const { db } = withDb(t);
  const s = new SqliteSinkStateStore(db, () => 1).open(V1);
  assert.throws(() =>
    s.transaction(() => {
      s.run('INSERT INTO ts_marks (k, v) VALUES (?, ?)', 'a', 1);
      s.transaction(() => s.run('INSERT INTO ts_marks (k, v) VALUES (?, ?)', 'b', 2));
      throw new Error('crash between the two');
    }),
  );
  assert.deepEqual(s.all('SELECT * FROM ts_marks'), []);
  s.transaction(() => {
    s.run('INSERT INTO ts_marks (k, v) VALUES (?, ?)', 'a', 1);
    s.transaction(() => s.run('INSERT INTO ts_marks (k, v) VALUES (?, ?)', 'b', 2));
  });
  assert.equal(s.all('SELECT * FROM ts_marks').length, 2);
});

test('scope: the tables a statement names, outside strings and comments', () => {
  assert.deepEqual(tablesNamed('SELECT a FROM t1 JOIN "t2" ON t1.x = t2.y WHERE b = \'FROM t3\' -- FROM t4'), ['t1', 't2']);
  assert.deepEqual(tablesNamed('INSERT INTO t (a) VALUES (?) ON CONFLICT (a) DO UPDATE SET a = excluded.a'), ['t']);
  assert.deepEqual(tablesNamed('UPDATE t SET a = 1'), ['t']);
  assert.deepEqual(tablesNamed('CREATE TABLE IF NOT EXISTS t (a INTEGER REFERENCES u (id)); CREATE UNIQUE INDEX IF NOT EXISTS ix ON t (a)').sort(), ['t', 'u']);
  assert.deepEqual(outOfScope('SELECT * FROM Sheet_Tabs', ['sheet_tabs']), [], 'names compare without case, as SQLite does');
});
