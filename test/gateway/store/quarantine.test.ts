import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../../gateway/store/database.js';
import { TOTALS_THROUGH_KEY } from '../../../gateway/store/device-totals.js';
import { Quarantine } from '../../../gateway/store/quarantine.js';
import { ReadingsQueries, type StoredReading } from '../../../gateway/store/readings.js';
import { Retention } from '../../../gateway/store/retention.js';
import { SinkCursors } from '../../../gateway/store/cursors.js';
import { tempDir } from '../../helpers/app.js';

function rig(t: { after(fn: () => void): void }): { db: Db; q: Quarantine; cursors: SinkCursors; readings: ReadingsQueries; add(n: number): void } {
  const dir = tempDir();
  const db = openDatabase({ path: join(dir, 'q.db'), synchronous: 'NORMAL', busyTimeoutMs: 1000 });
  t.after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  let seq = 0;
  const insert = db.prepare(`INSERT INTO readings (device, boot, seq, ts, ts_source, received, fields, bytes) VALUES ('d', 1, ?, ?, 'device', ?, '{"v":1}', 9)`);
  const setCounted = db.prepare(`INSERT INTO meta (key, value) VALUES ('${TOTALS_THROUGH_KEY}', (SELECT max(id) FROM readings)) ON CONFLICT (key) DO UPDATE SET value = excluded.value`);
  return {
    db,
    q: new Quarantine(db),
    cursors: new SinkCursors(db),
    readings: new ReadingsQueries(db),
    add: (n) => {
      for (let i = 0; i < n; i++) insert.run(++seq, 1_700_000_000_000 + seq, 1000 + seq);
      // As the writer's fold leaves it: `devices` counts these (retention prunes only counted readings).
      setCounted.run();
    },
  };
}

const row = (r: ReadingsQueries, id: number) => r.after(id - 1, 1)[0] as StoredReading;

test('hold: the entry and the cursor move together; counts per sink and device', (t) => {
  const { q, cursors, readings, add } = rig(t);
  add(3);
  q.hold('csv', row(readings, 2), 'BAD_ROW', 'time', 10);
  assert.equal(cursors.get('csv'), 2);
  const counts = q.counts('csv');
  assert.deepEqual([counts.rows, { ...counts.byDevice }], [1, { d: 1 }]);
  assert.equal(q.counts('google-sheets').rows, 0);
});

test('retry: the reading gets an id above every cursor; sinks that hold it skip it, the retried sink gets it once', (t) => {
  const { db, q, cursors, readings, add } = rig(t);
  add(5);
  // csv quarantined reading 3 and went on to 5; sheets delivered everything; a third sink quarantined it too.
  q.hold('csv', row(readings, 3), 'BAD_ROW', 'x', 1);
  cursors.advance('csv', 5, 1);
  cursors.advance('google-sheets', 5, 1);
  q.hold('other', row(readings, 3), 'BAD_REQUEST', 'y', 1);
  cursors.advance('other', 5, 1);
  const [csvEntry] = q.list({ sink: 'csv' });
  assert.deepEqual(q.retry({ ids: [csvEntry!.id] }, 2), { retried: 1, missing: [], waiting: [] });
  const moved = readings.after(5, 10);
  assert.deepEqual(moved.map((r) => [r.id, r.seq]), [[6, 3]], 'the same reading (device, boot, seq), new id 6');
  assert.equal(db.prepare('SELECT 1 FROM readings WHERE id = 3').get(), undefined);
  assert.deepEqual([...q.skipped('csv', 6, 6)], []);
  assert.deepEqual([...q.skipped('google-sheets', 6, 6)], [6], 'delivered it already');
  assert.deepEqual([...q.skipped('other', 6, 6)], [6], 'still holds it in quarantine');
  assert.deepEqual(q.list({ sink: 'other' }).map((e) => e.readingId), [6], 'its entry follows the reading');
  assert.deepEqual(q.counts('csv').rows, 0);

  // Later 'other' retries too; csv (not yet past 6) must still get it, sheets must not.
  const [otherEntry] = q.list({ sink: 'other' });
  assert.deepEqual(q.retry({ ids: [otherEntry!.id] }, 3), { retried: 0, missing: [], waiting: [otherEntry!.id] }, 'csv is behind it: wait');
  cursors.advance('csv', 6, 3);
  assert.deepEqual(q.retry({ ids: [otherEntry!.id] }, 3), { retried: 1, missing: [], waiting: [] });
  assert.deepEqual(readings.after(6, 10).map((r) => r.id), [7]);
  assert.deepEqual([...q.skipped('csv', 7, 7)], [7]);
  assert.deepEqual([...q.skipped('google-sheets', 7, 7)], [7]);
  assert.deepEqual([...q.skipped('other', 7, 7)], []);
  assert.deepEqual(q.list({}, ['retried']).map((e) => e.sink).sort(), ['csv', 'other']);
});

test('drop keeps the record; retention keeps held readings, prunes dropped ones and their skips', (t) => {
  const { db, q, cursors, readings, add } = rig(t);
  add(5); // 5: the newest reading, which retention never prunes (store/retention.ts)
  q.hold('csv', row(readings, 2), 'BAD_ROW', 'x', 1);
  q.hold('csv', row(readings, 3), 'BAD_ROW', 'x', 1);
  cursors.advance('csv', 4, 1);
  const retention = new Retention(db);
  assert.equal(retention.prune(4, 1e15), 2, 'rows 1 and 4');
  assert.deepEqual(readings.after(0, 10).map((r) => r.id), [2, 3, 5]);
  assert.equal(q.drop({ ids: [q.list().find((e) => e.seq === 2)!.id] }, 5), 1);
  assert.equal(retention.prune(4, 1e15), 1);
  assert.deepEqual(readings.after(0, 10).map((r) => r.id), [3, 5]);
  assert.deepEqual(q.list({}, ['dropped']).map((e) => [e.seq, e.fields, e.settledAt]), [[2, '{"v":1}', 5]], 'the record outlives the reading');
  const gone = q.list({}, ['dropped'])[0]!;
  db.prepare("UPDATE quarantine SET state = 'held' WHERE id = ?").run(gone.id);
  assert.deepEqual(q.retry({ ids: [gone.id] }, 6), { retried: 0, missing: [gone.id], waiting: [] });
});
