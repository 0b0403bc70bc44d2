import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../../gateway/store/database.js';
import { ReadingsQueries } from '../../../gateway/store/readings.js';
import { tempDir } from '../../helpers/app.js';

test('readings.within: id order, limit, byte cut (the first row always), and the same rows as after()', (t) => {
  const dir = tempDir();
  const db = openDatabase({ path: join(dir, 'x.db'), synchronous: 'NORMAL', busyTimeoutMs: 100 });
  t.after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const insert = db.prepare(`INSERT INTO readings (device, boot, seq, ts, ts_source, device_ts, received, fields, bytes) VALUES (?, 1, ?, ?, 'device', ?, ?, ?, 10)`);
  for (let seq = 1; seq <= 10; seq++) insert.run('d', seq, 1000 + seq, seq === 2 ? 5 : null, 2000 + seq, `{"v":${'9'.repeat(seq)}}`);
  const q = new ReadingsQueries(db);
  const all = q.within(0, 100, Infinity, 0);
  assert.equal(all.rows.length, 10);
  assert.equal(all.cut, false);
  assert.deepEqual(all.rows[1], { id: 2, device: 'd', boot: 1, seq: 2, ts: 1002, tsSource: 'device', deviceTs: 5, received: 2002, fields: '{"v":99}' });
  assert.deepEqual(q.after(3, 4), q.within(3, 4, Infinity, 0).rows);
  assert.equal(q.within(3, 4, Infinity, 0).cut, true, 'a full batch says more may wait');
  // fields of rows 1..3 are 7, 8, 9 chars; with 1 byte overhead: 8 + 9 = 17 ≤ 17 < 27.
  const cut = q.within(0, 100, 17, 1);
  assert.deepEqual(cut.rows.map((r) => r.id), [1, 2]);
  assert.equal(cut.cut, true);
  assert.deepEqual(q.within(0, 100, 1, 0).rows.map((r) => r.id), [1], 'the first row even when larger than the limit');
  assert.deepEqual(q.within(10, 100, Infinity, 0), { rows: [], cut: false });
});
