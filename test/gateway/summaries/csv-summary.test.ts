import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { CsvSummaryFile } from '../../../gateway/sinks/csv/summary-file.js';
import { parseCsv } from '../../../gateway/sinks/csv/rfc4180.js';
import { summaryPlacedTable } from '../../../gateway/summaries/placed-table.js';
import { SUMMARY_COLUMNS } from '../../../gateway/summaries/columns.js';
import { tempDir } from '../../helpers/app.js';
import { summaryRig } from './rig.js';

const H = 3_600_000;
const t0 = Date.parse('2026-06-01T00:00:00Z');

function rigWithFile(t: { after(fn: () => void): void }) {
  const rig = summaryRig(t, { periods: ['1h'] });
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = new CsvSummaryFile(rig.db, summaryPlacedTable('1h'), { dir, sink: 'csv', timeZone: 'UTC' });
  const records = () => parseCsv(readFileSync(file.path, 'utf8'));
  return { ...rig, file, records };
}

/** Every summary row of the table appears exactly once in the file, at its latest revision. */
function assertFileMatchesTable(records: string[][], rows: { device: string; field: string; start: number; count: number; revision: number }[]): void {
  assert.deepEqual(records[0], [...SUMMARY_COLUMNS]);
  const body = records.slice(1).map((r) => `${r[3]}|${r[4]}|${r[0]}|${r[7]}|${r[13]}`);
  const expected = rows.map((r) => `${r.device}|${r.field}|${new Date(r.start).toISOString().slice(0, 19).replace('T', ' ')}|${r.count}|${r.revision}`);
  assert.deepEqual([...body].sort(), [...expected].sort());
  assert.equal(new Set(body.map((b) => b.split('|').slice(0, 3).join('|'))).size, body.length, 'no row twice');
}

test('CSV summary file: closed hours written once; a late reading revises its line in place', async (t) => {
  const { builder, add, file, records } = rigWithFile(t);
  for (let h = 0; h < 4; h++) for (const d of ['a', 'b']) add(d, 1, t0 + h * H + 1000, { temp: h * 10 });
  builder.catchUp(t0 + 5 * H);
  await file.flush();
  assertFileMatchesTable(records().records, builder.table.rows('1h'));
  assert.equal(records().records.length, 9);
  const before = records().records;
  // A late reading for hour 1 of device a: the same line changes, nothing is added.
  add('a', 1, t0 + H + 2000, { temp: 99 });
  builder.catchUp(t0 + 6 * H);
  await file.flush();
  const after = records().records;
  assert.equal(after.length, 9);
  const changed = after.filter((r, i) => JSON.stringify(r) !== JSON.stringify(before[i]));
  assert.equal(changed.length, 1);
  assert.deepEqual([changed[0]?.[3], changed[0]?.[7], changed[0]?.[9], changed[0]?.[13]], ['a', '2', '49.5', '2']);
  assert.equal(after.indexOf(changed[0] as string[]), before.findIndex((r) => r[3] === 'a' && r[0] === '2026-06-01 01:00:00'));
  assertFileMatchesTable(after, builder.table.rows('1h'));
});

test('CSV summary file: a crash between the write and its record, and a torn tail, never double or lose a row', async (t) => {
  const { db, builder, add, file, records } = rigWithFile(t);
  for (let h = 0; h < 3; h++) add('a', 1, t0 + h * H + 1000, { temp: h });
  builder.catchUp(t0 + 4 * H);
  await file.flush();
  // The process died after writing, before SQLite recorded it: the rows are due again.
  db.prepare('UPDATE summary_places SET written_revision = 0').run();
  // And a SIGKILL left half a line behind.
  appendFileSync(file.path, '2026-06-01 09:00:00,2026-06');
  add('a', 1, t0 + 3 * H + 1000, { temp: 3 });
  builder.catchUp(t0 + 5 * H);
  await file.flush();
  const { records: recs, torn } = records();
  assert.equal(torn, null);
  assertFileMatchesTable(recs, builder.table.rows('1h'));
  assert.equal(recs.length, 5);
  // Places reserved but never written (died right after the reservation): written once.
  add('a', 1, t0 + 4 * H + 1000, { temp: 4 });
  builder.catchUp(t0 + 6 * H);
  const places = db.prepare('SELECT count(*) AS n FROM summary_places').get() as { n: number };
  assert.equal(places.n, 4);
  await file.flush();
  assertFileMatchesTable(records().records, builder.table.rows('1h'));
  // The file removed by hand: written again whole from SQLite.
  rmSync(file.path);
  add('a', 1, t0 + 4 * H + 2000, { temp: 5 });
  builder.catchUp(t0 + 7 * H);
  await file.flush();
  assert.ok(existsSync(file.path));
  assertFileMatchesTable(records().records, builder.table.rows('1h'));
  assert.equal(records().records.length, 6);
});
