// What a sink that is behind sends: values requests filled up to sheets.maxRequestBytes and never
// past it, and few grid growths (each is a write request under a per-minute quota).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GROW_AHEAD_BATCHES } from '../../../../gateway/sinks/google-sheets/plan.js';
import type { Sink } from '../../../../gateway/sinks/contract.js';
import type { StoredReading } from '../../../../gateway/store/readings.js';
import { longKeys, readings } from '../readings.js';
import { keysOfTab, sheetsHarness, writeUntilDelivered, SPREADSHEET } from './harness.js';

test('behind: each values request is filled close to maxRequestBytes and never passes it; every row once, in order', async (t) => {
  const h = await sheetsHarness();
  t.after(() => h.close());
  const limit = 40_000;
  const sink = h.sink({ maxRequestBytes: limit });
  await sink.start();
  const all = readings(3000, 1, { devices: 5, fields: (i) => ({ temp_c: 20 + i / 100, humidity: 40 + (i % 9), note: `n${i}` }) });
  const outcomes = await writeUntilDelivered(sink, all);
  assert.ok(outcomes.length > 5, `written in parts: ${outcomes.length}`);
  const writes = h.emu.requests().filter((r) => r.operation === 'values.batchUpdate');
  const sizes = writes.map((r) => r.bytes);
  assert.ok(sizes.every((b) => b <= limit), `no request over ${limit} bytes: ${sizes.join(', ')}`);
  assert.ok(sizes.slice(0, -1).every((b) => b >= limit * 0.95), `every request but the last is nearly full: ${sizes.join(', ')}`);
  assert.deepEqual(keysOfTab(h.tab('readings')), longKeys(all));
});

test('behind: the grid grows ahead by several batches, so growths are a small share of the writes', async (t) => {
  const h = await sheetsHarness();
  t.after(() => h.close());
  const sink = h.sink({ maxRequestBytes: 40_000, growRows: 10 });
  await sink.start();
  // Batches handed over one at a time with nothing said about what follows (no `pending`):
  // the sink knows only its batch, and grows GROW_AHEAD_BATCHES batches ahead.
  const all = readings(12_000, 1, { fields: (i) => ({ temp_c: 20 + i / 100 }) });
  for (let i = 0; i < all.length; i += 700) await writeUntilDelivered(sink, all.slice(i, i + 700));
  const ops = h.emu.requests().map((r) => r.operation);
  const values = ops.filter((o) => o === 'values.batchUpdate').length;
  const structural = ops.filter((o) => o === 'batchUpdate').length;
  assert.ok(values >= 2 * GROW_AHEAD_BATCHES, `${values} values writes`);
  assert.ok(structural >= 2 && structural <= Math.ceil(values / GROW_AHEAD_BATCHES) + 1, `${structural} grid growths (tab creation included) for ${values} values writes`);
  const sheet = h.emu.state(SPREADSHEET).spreadsheets[0]!.sheets.find((s) => s.title === 'readings')!;
  assert.deepEqual(keysOfTab(sheet.values as never), longKeys(all));
});

/** As the sync worker hands batches over: `size` readings at a time, each with the number of readings behind it. */
async function writeAsWorker(sink: Sink, all: StoredReading[], size: number): Promise<void> {
  let at = 0;
  while (at < all.length) {
    const rows = all.slice(at, at + size);
    const o = await sink.write({ rows, pending: all.length - at - rows.length });
    if (o.kind !== 'delivered') throw new Error(`not delivered: ${JSON.stringify(o)}`);
    at = all.findIndex((r) => r.id > o.throughId);
    if (at === -1) break;
  }
}

test('behind: a backlog the sink is told of costs one grid growth, made with the new tab (one structural write in all)', async (t) => {
  const h = await sheetsHarness();
  t.after(() => h.close());
  const sink = h.sink({ maxRequestBytes: 40_000, growRows: 10 });
  await sink.start();
  const all = readings(12_000, 1, { fields: (i) => ({ temp_c: 20 + i / 100 }) });
  await writeAsWorker(sink, all, 700);
  const ops = h.emu.requests().map((r) => r.operation);
  const values = ops.filter((o) => o === 'values.batchUpdate').length;
  assert.ok(values >= 2 * GROW_AHEAD_BATCHES, `${values} values writes`);
  assert.equal(ops.filter((o) => o === 'batchUpdate').length, 1, 'the addSheet, sized for the whole backlog');
  const sheet = h.emu.state(SPREADSHEET).spreadsheets[0]!.sheets.find((s) => s.title === 'readings')!;
  assert.equal(sheet.gridProperties.rowCount, 1 + all.length, 'the header and every row: nothing to spare, nothing missing');
  assert.deepEqual(keysOfTab(sheet.values as never), longKeys(all));
  // Then a live trickle, nothing behind it: the next growth is growRows, as before.
  const more = readings(1, all.length + 1, { fields: (i) => ({ temp_c: 20 + i / 100 }) });
  await writeAsWorker(sink, more, 1);
  const after = h.emu.state(SPREADSHEET).spreadsheets[0]!.sheets.find((s) => s.title === 'readings')!;
  assert.equal(after.gridProperties.rowCount, 1 + all.length + 1 + 10);
});

test('behind, per-device layout: the backlog does not size the tabs (where it goes is not known); they grow 8 batches ahead', async (t) => {
  const h = await sheetsHarness();
  t.after(() => h.close());
  const sink = h.sink({ layout: 'per-device', maxRequestBytes: 40_000, growRows: 10 });
  await sink.start();
  // 700 readings now, 20,000 known to wait: their share would be 10,000 rows a tab, more than 8 batches.
  const all = readings(700, 1, { devices: 2, fields: (i) => ({ temp_c: 20 + i / 100 }) });
  await sink.write({ rows: all, pending: 20_000 });
  const grids = h.emu.state(SPREADSHEET).spreadsheets[0]!.sheets.filter((s) => s.title.startsWith('dev-')).map((s) => s.gridProperties.rowCount);
  assert.deepEqual(grids, [1 + 350 + GROW_AHEAD_BATCHES * 350, 1 + 350 + GROW_AHEAD_BATCHES * 350]);
});

test('behind by more than a spreadsheet holds: one structural write per spreadsheet', async (t) => {
  const second = 'sheetlog-test-book-2';
  const h = await sheetsHarness({ spreadsheetIds: [SPREADSHEET, second] });
  t.after(() => h.close());
  // Sheet1 takes 26,000 cells; room for 2,000 rows of 9 cells (LONG_COLUMNS) besides it.
  const sink = h.sink({ maxRequestBytes: 40_000, maxCellsPerSpreadsheet: 26_000 + 9 * 2_000, overflowSpreadsheetIds: [second], growRows: 10 });
  await sink.start();
  const all = readings(3_000, 1, { fields: (i) => ({ temp_c: 20 + i / 100 }) });
  await writeAsWorker(sink, all, 700);
  const structural = (id: string) => h.emu.requests().filter((r) => r.operation === 'batchUpdate' && r.path.includes(`${id}:`)).length;
  assert.equal(structural(SPREADSHEET), 1);
  assert.equal(structural(second), 1);
  const first = keysOfTab(h.tab('readings', SPREADSHEET));
  assert.equal(first.length, 2_000 - 1, 'the first spreadsheet is filled to its last row');
  assert.deepEqual([...first, ...keysOfTab(h.tab('readings', second))], longKeys(all));
});

test('a spreadsheet that fills up: one write fills what is left, the rest goes to the next one (no trail of ever smaller writes)', async (t) => {
  const second = 'sheetlog-test-book-2';
  const h = await sheetsHarness({ spreadsheetIds: [SPREADSHEET, second] });
  t.after(() => h.close());
  // Sheet1 takes 26,000 cells; room for about 500 rows of 9 cells (LONG_COLUMNS), growth included.
  const sink = h.sink({ maxCellsPerSpreadsheet: 26_000 + 9 * 500, overflowSpreadsheetIds: [second], growRows: 10 });
  await sink.start();
  const all = readings(400, 1, { fields: (i) => ({ temp_c: 20 + i / 100, rh: 40 + (i % 9) }) });
  await writeUntilDelivered(sink, all.slice(0, 150));
  const before = h.emu.requests().length;
  await writeUntilDelivered(sink, all.slice(150));
  const writes = h.emu.requests().slice(before).filter((r) => r.operation === 'values.batchUpdate' && r.path.includes(SPREADSHEET + '/'));
  assert.ok(writes.length <= 1, `${writes.length} values writes to finish the full spreadsheet`);
  const first = keysOfTab(h.tab('readings', SPREADSHEET));
  const rest = keysOfTab(h.tab('readings', second));
  assert.ok(first.length > 450 && first.length <= 500, `${first.length} rows in the first spreadsheet`);
  assert.deepEqual([...first, ...rest], longKeys(all));
});
