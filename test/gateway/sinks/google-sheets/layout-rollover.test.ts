import { test } from 'node:test';
import assert from 'node:assert/strict';
import { longKeys, readings } from '../readings.js';
import { keysOfTab, sheetsHarness, writeUntilDelivered, SPREADSHEET } from './harness.js';

const SECOND = 'sheetlog-test-book-2';

test('roll-over to a new tab before the per-tab cell limit; readings never split across tabs', async (t) => {
  const h = await sheetsHarness();
  t.after(() => h.close());
  // 9 columns (LONG_COLUMNS) x 12 rows: a header and at most 11 data rows per tab.
  const sink = h.sink({ maxCellsPerTab: 108, growRows: 4 });
  await sink.start();
  const all = readings(40);
  for (let i = 0; i < all.length; i += 6) await writeUntilDelivered(sink, all.slice(i, i + 6));
  const tabs = h.emu.state(SPREADSHEET).spreadsheets[0]!.sheets.filter((s) => s.title.startsWith('readings'));
  assert.ok(tabs.length >= 5, `${tabs.length} tabs`);
  assert.deepEqual(tabs.map((s) => s.title).slice(0, 3), ['readings', 'readings 2', 'readings 3']);
  for (const s of tabs) {
    assert.ok(s.gridProperties.rowCount * s.gridProperties.columnCount <= 108, `${s.title}: ${JSON.stringify(s.gridProperties)}`);
    assert.equal(s.values[0]?.[0], 'time');
    const seqs = s.values.slice(1).map((r) => r[4]);
    const perReading = new Map<unknown, number>();
    for (const q of seqs) perReading.set(q, (perReading.get(q) ?? 0) + 1);
    for (const [seq, n] of perReading) assert.equal(n, longKeys(all.filter((r) => r.seq === seq)).length, `reading ${seq} is whole in ${s.title}`);
  }
  // Every tab but the last is filled up to what whole readings allow (a reading has 1-3 rows).
  for (const s of tabs.slice(0, -1)) assert.ok(s.values.length - 1 >= 11 - 2, `${s.title} holds ${s.values.length - 1} rows`);
  const rows = tabs.flatMap((s) => keysOfTab(s.values as never));
  assert.deepEqual(rows, longKeys(all));
});

test('roll-over to the next configured spreadsheet when one is full; FULL when none is left', async (t) => {
  const h = await sheetsHarness({ spreadsheetIds: [SPREADSHEET, SECOND] });
  t.after(() => h.close());
  // Each book has Sheet1 (1000 x 26 = 26,000 cells); leave room for ~50 rows of 8 cells (40 readings make 66 rows).
  const sink = h.sink({ maxCellsPerSpreadsheet: 26_000 + 8 * 50, overflowSpreadsheetIds: [SECOND], growRows: 5 });
  await sink.start();
  const all = readings(40);
  for (let i = 0; i < all.length; i += 5) await writeUntilDelivered(sink, all.slice(i, i + 5));
  const first = keysOfTab(h.tab('readings', SPREADSHEET));
  const second = keysOfTab(h.tab('readings', SECOND));
  assert.ok(first.length > 0 && second.length > 0, `${first.length} + ${second.length}`);
  assert.deepEqual([...first, ...second], longKeys(all));
  assert.match(sink.describe(), new RegExp(`^spreadsheet ${SECOND}( "[^"]*")?$`));
  assert.ok(h.logs.some((r) => r.msg === 'spreadsheet full: continuing in the next one'));
  const more = readings(60, 41);
  let full;
  for (let i = 0; i < more.length && !full; i += 5) {
    const outcomes = await writeUntilDelivered(sink, more.slice(i, i + 5), 3).catch(() => null);
    if (!outcomes) full = await sink.write({ rows: more.slice(i, i + 5) });
  }
  assert.equal(full?.kind === 'retry-later' && full.code, 'FULL');
  assert.match(full?.kind === 'retry-later' ? full.reason : '', /overflowSpreadsheetIds/);
});

test('per-device layout: a tab per device, a column per field, the header extended in bold', async (t) => {
  const h = await sheetsHarness();
  t.after(() => h.close());
  const sink = h.sink({ layout: 'per-device' });
  await sink.start();
  await writeUntilDelivered(sink, readings(4, 1, { devices: 2, fields: () => ({ temp_c: 21.5 }) }));
  await writeUntilDelivered(sink, readings(4, 5, { devices: 2, fields: (i) => ({ temp_c: 22, rh: i, door: i % 2 === 0, seq: 'x' }) }));
  const dev0 = h.tab('dev-0');
  assert.deepEqual(dev0[0], ['time', 'seq', 'boot', 'time source', 'received', 'temp_c', 'rh', 'door', 'field.seq']);
  assert.deepEqual(dev0.slice(1).map((r) => r[1]), [2, 4, 6, 8]);
  assert.deepEqual(dev0[1]?.slice(5), [21.5]);
  assert.deepEqual(dev0[3]?.slice(5), [22, 6, true, 'x']);
  const sheet = h.sheet('dev-0')!;
  assert.deepEqual(sheet.cells['I1']?.format?.textFormat, { bold: true });
  assert.equal((sheet.cells['A2']?.format as { numberFormat?: { type?: string } } | undefined)?.numberFormat?.type, 'DATE_TIME');
  assert.deepEqual(h.tab('dev-1').slice(1).map((r) => r[1]), [1, 3, 5, 7]);
});

test('replay after a restart: a reservation whose write was lost is filled with the same rows, even in smaller batches', async (t) => {
  const h = await sheetsHarness();
  t.after(() => h.close());
  const before = h.sink();
  await before.start();
  await writeUntilDelivered(before, readings(2));
  h.emu.queueFault({ target: 'write', action: 'drop-after-apply' });
  assert.equal((await before.write({ rows: readings(10, 3) })).kind, 'retry-later');
  await before.close();
  // The restarted gateway reads smaller batches (say its limit shrank): each lands where the
  // lost write put it, and the reservation is used up before anything new is planned.
  const after = h.sink();
  await after.start();
  assert.deepEqual(await after.write({ rows: readings(3, 3) }), { kind: 'delivered', throughId: 5 });
  assert.deepEqual(await after.write({ rows: readings(20, 6) }), { kind: 'delivered', throughId: 12 });
  assert.deepEqual(await after.write({ rows: readings(14, 13) }), { kind: 'delivered', throughId: 26 });
  assert.deepEqual(keysOfTab(h.tab('readings')), longKeys(readings(26)));
});

test('time columns are serial date-times in the configured zone, or the spreadsheet\'s own', async (t) => {
  const h = await sheetsHarness();
  t.after(() => h.close());
  const sink = h.sink({ timeZone: 'America/New_York' });
  await sink.start();
  const [r] = readings(1);
  await sink.write({ rows: [{ ...r!, ts: Date.UTC(2026, 6, 1, 16, 0, 0), received: Date.UTC(2026, 0, 1, 17, 0, 0) }] });
  const row = h.tab('readings')[1]!;
  // 2026-07-01 12:00 EDT and 2026-01-01 12:00 EST: 46204.5 and 46023.5 days after 1899-12-30.
  assert.equal(row[0], 46204.5);
  assert.equal(row[7], 46023.5);
  assert.equal(h.sheet('readings')?.cells['A2']?.formattedValue, '2026-07-01 12:00:00.000');
});

test('once the sink has read the spreadsheet, its description names the title, and the log gives the URL', async (t) => {
  const h = await sheetsHarness();
  t.after(() => h.close());
  const sink = h.sink();
  await sink.start();
  assert.equal(sink.describe(), `spreadsheet ${SPREADSHEET}`, 'before any request: the id alone');
  await writeUntilDelivered(sink, readings(2));
  const title = h.emu.state(SPREADSHEET).spreadsheets[0]!.title;
  assert.ok(title !== '');
  assert.equal(sink.describe(), `spreadsheet ${SPREADSHEET} "${title}"`);
  const logged = h.logs.find((r) => r.msg === `writing to spreadsheet "${title}"`);
  assert.equal(logged?.url, `https://docs.google.com/spreadsheets/d/${SPREADSHEET}/edit`);
});
