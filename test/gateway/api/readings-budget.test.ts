import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../../helpers/app.js';
import { http } from '../../helpers/http.js';
import { DEFAULT_SCAN_BUDGET } from '../../../gateway/store/recent-readings.js';

test('readings.list: a filter that matches little returns short pages whose cursor goes on, and paging finds every match', async (t) => {
  const gw = await startTestApp();
  t.after(() => gw.stop());
  // One old reading with the sensor, then more readings without it than one request steps through.
  const db = gw.app.store.db;
  const row = db.prepare("INSERT INTO readings (device, boot, seq, ts, ts_source, received, fields, bytes) VALUES (?, 1, ?, ?, 'gateway', ?, ?, 10)");
  const above = DEFAULT_SCAN_BUDGET.sensorIds + 5_000;
  db.transaction(() => {
    row.run('old', 1, 1000, 1000, '{"rare":1}');
    for (let i = 0; i < above; i++) row.run('busy', i + 1, 2000 + i, 2000 + i, '{"x":1}');
  })();
  const found: number[] = [];
  const cursors: (string | null)[] = [];
  let cursor: string | null = '';
  while (cursor !== null) {
    const r = await http(gw.httpPort, 'GET', `/api/v1/readings?sensor=rare&limit=10${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200, r.text);
    const result = r.json.result as { readings: { id: number }[]; nextCursor: string | null };
    found.push(...result.readings.map((x) => x.id));
    cursor = result.nextCursor;
    cursors.push(cursor);
    assert.ok(cursors.length < 10);
  }
  assert.deepEqual(found, [1]);
  assert.deepEqual(cursors, [String(above + 1 - DEFAULT_SCAN_BUDGET.sensorIds + 1), null], 'the first page stepped through the budget and found nothing');
});
