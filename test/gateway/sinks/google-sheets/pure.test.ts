import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import type { Reservation, TabRecord } from '../../../../gateway/sinks/google-sheets/bookkeeping.js';
import { columnLetter, growRequests, quoteTitle, rowsRange, sheetValue, wholeRows } from '../../../../gateway/sinks/google-sheets/encoder.js';
import { parseCredentials } from '../../../../gateway/sinks/google-sheets/credentials.js';
import { GROW_AHEAD_BATCHES, planRows } from '../../../../gateway/sinks/google-sheets/plan.js';
import { rangeState } from '../../../../gateway/sinks/google-sheets/verify.js';
import { layoutRows, LONG_COLUMNS } from '../../../../gateway/sinks/layout.js';
import { ZoneClock } from '../../../../gateway/time/time-zone.js';
import { readings } from '../readings.js';

const UTC = new ZoneClock('UTC');
/** Columns of a long-layout tab. */
const W = LONG_COLUMNS.length;
const tab = (over: Partial<TabRecord> = {}): TabRecord => ({
  tabKey: '', part: 1, title: 'readings', sheetId: 5, columns: [...LONG_COLUMNS], nextRow: 2, gridRows: 100, gridCols: W, sealed: false, ...over,
});
const limits = { maxCellsPerTab: 0, growRows: 10, budgetCells: 1_000_000 };

test('A1: quoted titles, column letters, bounded and whole-row ranges', () => {
  assert.equal(quoteTitle("It's"), "'It''s'");
  assert.deepEqual([0, 25, 26, 51, 701, 702].map(columnLetter), ['A', 'Z', 'AA', 'AZ', 'ZZ', 'AAA']);
  assert.equal(rowsRange('Lab log', 2, 5, 8), "'Lab log'!A2:H5");
  assert.equal(wholeRows('readings', 7, 9), "'readings'!7:9");
  assert.equal(sheetValue(null, UTC), '');
  assert.equal(sheetValue({ time: Date.UTC(1970, 0, 1, 12) }, UTC), 25569.5);
});

test('grid growth is an absolute size (a repeat changes nothing) and formats only what is new', () => {
  const r = growRequests({ sheetId: 5, fromRows: 10, toRows: 20, fromCols: 8, toCols: 9, columns: [...LONG_COLUMNS, 'x'] });
  assert.deepEqual(r[0]?.updateSheetProperties?.properties?.gridProperties, { rowCount: 20, columnCount: 9 });
  const formats = r.filter((q) => q.repeatCell?.cell?.userEnteredFormat?.numberFormat).map((q) => q.repeatCell!.range);
  assert.deepEqual(formats, [
    { sheetId: 5, startRowIndex: 10, endRowIndex: 20, startColumnIndex: 0, endColumnIndex: 1 },
    { sheetId: 5, startRowIndex: 10, endRowIndex: 20, startColumnIndex: 7, endColumnIndex: 8 },
  ]);
  assert.deepEqual(r[r.length - 1]?.repeatCell?.range, { sheetId: 5, startRowIndex: 0, endRowIndex: 1, startColumnIndex: 8, endColumnIndex: 9 });
});

test('sheetValue: times are serials with at most 9 decimals, and every millisecond comes back exactly', () => {
  const start = Date.UTC(2026, 10, 21, 0, 0, 0);
  for (let i = 0; i < 200_000; i++) {
    const ms = start + i * 7919 + (i % 1000);
    const serial = sheetValue({ time: ms }, UTC) as number;
    assert.ok(String(serial).length <= 15, String(serial));
    assert.equal(Math.round((serial - 25569) * 86_400_000), ms, `${ms} -> ${serial}`);
  }
  assert.equal(sheetValue({ time: Date.UTC(2026, 10, 21, 12, 0, 1, 5) }, UTC), 46347.500011632);
});

test('plan: new rows get a reservation at the tab\'s next row; the grid grows by growRows, or by GROW_AHEAD_BATCHES batches when that is more', () => {
  const blocks = layoutRows('long', readings(3));
  const p = planRows(blocks, [tab({ nextRow: 98 })], [], limits);
  assert.equal(p.kind, 'planned');
  if (p.kind !== 'planned') return;
  const rows = blocks[0]!.rows.length;
  assert.ok(rows * GROW_AHEAD_BATCHES > limits.growRows, 'this batch is big enough to set the growth');
  assert.deepEqual(p.newReservations, [{ tabKey: '', part: 1, firstId: 1, lastId: 3, startRow: 98, columns: [...LONG_COLUMNS], writeHeader: false }]);
  assert.equal(p.tabs[0]!.nextRow, 98 + rows);
  assert.equal(p.tabs[0]!.gridRows, 98 + rows - 1 + rows * GROW_AHEAD_BATCHES);
  assert.equal(p.cells, (p.tabs[0]!.gridRows - 100) * W);
  const small = planRows(layoutRows('long', readings(3)), [tab({ nextRow: 98 })], [], { ...limits, growRows: 1000 });
  assert.equal(small.kind === 'planned' && small.tabs[0]!.gridRows, 98 + rows - 1 + 1000, 'a small batch: growRows');
  const grids = planRows(blocks, [tab({ nextRow: 50 })], [], limits);
  assert.equal(grids.kind === 'planned' && grids.grown.length, 0, 'no growth while the rows fit');
});

test('plan: growing ahead stays within the cells the spreadsheet has left and maxCellsPerTab; only the rows themselves can be over-budget', () => {
  const blocks = layoutRows('long', readings(3));
  const rows = blocks[0]!.rows.length;
  const need = (98 + rows - 1 - 100) * W;
  const tight = planRows(blocks, [tab({ nextRow: 98 })], [], { ...limits, budgetCells: need + W * 3 + 5 });
  assert.equal(tight.kind === 'planned' && tight.tabs[0]!.gridRows, 98 + rows - 1 + 3, 'three rows ahead fit in the budget');
  const exact = planRows(blocks, [tab({ nextRow: 98 })], [], { ...limits, budgetCells: need });
  assert.equal(exact.kind === 'planned' && exact.tabs[0]!.gridRows, 98 + rows - 1, 'no room ahead: just the rows');
  const perTab = planRows(blocks, [tab({ nextRow: 98 })], [], { ...limits, maxCellsPerTab: (98 + rows + 1) * W });
  assert.equal(perTab.kind === 'planned' && perTab.tabs[0]!.gridRows, 98 + rows + 1);
});

test('plan: a backlog grows the grid once for all of it: the next batches fit without growing', () => {
  // Readings of 3 fields: 3 rows each in the long layout.
  const three = { fields: () => ({ a: 1, b: 2, c: 3 }) };
  const batch = 40; // readings per batch
  const backlog = 1000; // readings waiting behind the first batch
  let tabs = [tab({ nextRow: 2, gridRows: 1 })];
  const first = planRows(layoutRows('long', readings(batch, 1, three)), tabs, [], { ...limits, growRows: 10 }, backlog);
  assert.equal(first.kind, 'planned');
  if (first.kind !== 'planned') return;
  assert.equal(first.grown.length, 1);
  assert.equal(first.tabs[0]!.gridRows, 1 + batch * 3 + backlog * 3, 'header, this batch, and the whole backlog at 3 rows a reading');
  assert.ok(backlog * 3 > GROW_AHEAD_BATCHES * batch * 3, 'the backlog, not GROW_AHEAD_BATCHES, sets the growth here');
  // The backlog then comes batch by batch: none of them grows the grid again.
  tabs = first.tabs;
  let growths = 0;
  for (let from = batch + 1; from <= batch + backlog; from += batch) {
    const waiting = batch + backlog - (from + batch - 1);
    const p = planRows(layoutRows('long', readings(batch, from, three)), tabs, [], { ...limits, growRows: 10 }, waiting);
    assert.equal(p.kind, 'planned');
    if (p.kind !== 'planned') return;
    growths += p.grown.length;
    tabs = p.tabs;
  }
  assert.equal(growths, 0, 'one growth for the whole backlog');
  assert.equal(tabs[0]!.nextRow - 1, tabs[0]!.gridRows, 'and the grid is exactly full at its end');
});

test('plan: growing for a backlog stays within the cells the spreadsheet has left and maxCellsPerTab', () => {
  const blocks = layoutRows('long', readings(3));
  const rows = blocks[0]!.rows.length;
  const need = (98 + rows - 1 - 100) * W;
  const budget = planRows(blocks, [tab({ nextRow: 98 })], [], { ...limits, budgetCells: need + W * 500 + 5 }, 1_000_000);
  assert.equal(budget.kind === 'planned' && budget.tabs[0]!.gridRows, 98 + rows - 1 + 500, 'the spreadsheet\'s last cells, and no more');
  assert.equal(budget.kind === 'planned' && budget.cells, need + W * 500);
  const perTab = planRows(blocks, [tab({ nextRow: 98 })], [], { ...limits, maxCellsPerTab: 5_000 * W }, 1_000_000);
  assert.equal(perTab.kind === 'planned' && perTab.tabs[0]!.gridRows, 5_000, 'up to maxCellsPerTab');
  // A new tab (the planner's part 2, not yet on the sheet) is created at the backlog's size at once.
  const fresh = tab({ part: 2, title: 'readings 2', sheetId: 6, gridRows: 0, gridCols: 0 });
  const created = planRows(blocks, [tab({ nextRow: 101, gridRows: 100, sealed: true }), fresh], [], { ...limits, budgetCells: 100_000 * W }, 1_000_000);
  assert.equal(created.kind === 'planned' && created.tabs[1]!.gridRows, 100_000, 'every cell left, in the addSheet');
});

test('plan: the backlog goes to the part rows continue in, not to the part sealed on the way', () => {
  const three = { fields: () => ({ a: 1, b: 2, c: 3 }) };
  const blocks = layoutRows('long', readings(10, 1, three)); // 30 rows
  const full = tab({ nextRow: 99_998, gridRows: 99_998 }); // room for one reading of 3 rows
  const next = tab({ part: 2, title: 'readings 2', sheetId: 6, gridRows: 0, gridCols: 0 });
  const p = planRows(blocks, [full, next], [], { ...limits, maxCellsPerTab: 100_000 * W, budgetCells: 10_000_000 }, 1000);
  assert.equal(p.kind, 'planned');
  if (p.kind !== 'planned') return;
  assert.equal(p.tabs[0]!.sealed, true);
  assert.equal(p.tabs[0]!.gridRows, 100_000, 'the sealed part: its last rows, up to its limit');
  assert.equal(p.tabs[1]!.gridRows, 1 + 27 + 3000, 'the new part: its rows and the whole backlog at 3 rows a reading');
});

test('plan: a live trickle (nothing known to be waiting) still grows by growRows', () => {
  const blocks = layoutRows('long', readings(2));
  const rows = blocks[0]!.rows.length;
  for (const waiting of [0, 5]) {
    const p = planRows(blocks, [tab({ nextRow: 100 })], [], { ...limits, growRows: 1000 }, waiting);
    assert.equal(p.kind === 'planned' && p.tabs[0]!.gridRows, 100 + rows - 1 + 1000, `${waiting} waiting: growRows`);
  }
  const none = planRows(blocks, [tab({ nextRow: 10 })], [], { ...limits, growRows: 1000 }, 1_000_000);
  assert.equal(none.kind === 'planned' && none.grown.length, 0, 'a backlog alone never grows a grid the rows fit in');
});

test('plan: rows of readings with a reservation go exactly where it says (a replay)', () => {
  const blocks = layoutRows('long', readings(2, 4));
  const reserved: Reservation = { tabKey: '', part: 1, firstId: 4, lastId: 9, startRow: 40, columns: [...LONG_COLUMNS], writeHeader: false };
  const p = planRows(blocks, [tab({ nextRow: 60 })], [reserved], limits);
  assert.equal(p.kind, 'planned');
  if (p.kind !== 'planned') return;
  assert.equal(p.newReservations.length, 0);
  assert.equal(p.slots[0]?.reservation, reserved);
  assert.equal(p.tabs[0]!.nextRow, 60, 'nothing new reserved');
});

test('plan: a full tab is sealed and rows continue in the next part, whole readings only', () => {
  const rs = readings(4, 1, { fields: (i) => (i === 3 ? { a: 1, b: 2, c: 3 } : { a: i }) });
  const blocks = layoutRows('long', rs);
  const small = { ...limits, maxCellsPerTab: W * 5 }; // header + 4 rows
  const first = planRows(blocks, [tab({ gridRows: 5 })], [], small);
  assert.deepEqual(first, { kind: 'need-tab', tabKey: '', part: 2 });
  const p = planRows(blocks, [tab({ gridRows: 5 }), tab({ part: 2, title: 'readings 2', sheetId: 6, gridRows: 0, gridCols: 0 })], [], small);
  assert.equal(p.kind, 'planned');
  if (p.kind !== 'planned') return;
  // Readings 1, 2 (2 rows) then reading 3 (3 rows) does not fit in the 2 left: it starts part 2.
  assert.deepEqual(p.newReservations.map((r) => [r.part, r.firstId, r.lastId, r.startRow]), [[1, 1, 2, 2], [2, 3, 4, 2]]);
  assert.equal(p.tabs[0]!.sealed, true);
  assert.equal(planRows(layoutRows('long', readings(1, 3, { fields: () => ({ a: 1, b: 2, c: 3, d: 4, e: 5 }) })), [tab({ gridRows: 5 })], [], small).kind, 'tab-too-small');
});

test('plan: more cells than the spreadsheet has left is over-budget', () => {
  const p = planRows(layoutRows('long', readings(3)), [tab({ nextRow: 100 })], [], { ...limits, budgetCells: 10 });
  assert.equal(p.kind, 'over-budget');
});

test('plan: per-device columns extend the header and ask for it to be written', () => {
  const blocks = layoutRows('per-device', readings(1, 1, { devices: 1, fields: () => ({ t: 1, h: 2 }) }));
  const base = tab({ tabKey: 'dev-0', title: 'dev-0', columns: ['time', 'seq', 'boot', 'time source', 'received', 't'], nextRow: 10, gridCols: 6 });
  const p = planRows(blocks, [base], [], limits);
  assert.equal(p.kind, 'planned');
  if (p.kind !== 'planned') return;
  assert.equal(p.newReservations[0]?.writeHeader, true);
  assert.deepEqual(p.newReservations[0]?.columns.slice(5), ['t', 'h']);
  assert.equal(p.tabs[0]!.gridCols, 7);
});

test('verify: empty, ours, mixed and foreign reserved rows', () => {
  const rows = layoutRows('long', readings(2))[0]!.rows;
  const ours = (i: number) => ['t', rows[i]!.cells.device, rows[i]!.cells.sensor, 1, rows[i]!.cells.seq, 7, 'device', 1] as (string | number)[];
  assert.equal(rangeState('long', LONG_COLUMNS, rows, [], UTC), 'empty');
  assert.equal(rangeState('long', LONG_COLUMNS, rows, [ours(0), ours(1)], UTC), 'ours');
  assert.equal(rangeState('long', LONG_COLUMNS, rows, [ours(0)], UTC), 'mixed');
  assert.equal(rangeState('long', LONG_COLUMNS, rows, [[], ['', 'a note']], UTC), 'foreign');
  assert.equal(rangeState('long', LONG_COLUMNS, rows, [ours(1)], UTC), 'foreign', 'our reading in the wrong row is not ours');
});

test('credentials: the three accepted shapes, and a clear refusal of anything else', () => {
  assert.equal(parseCredentials({ type: 'service_account', client_email: 'a@b.iam.gserviceaccount.com', private_key: 'k' }, 'f').kind, 'service-account');
  assert.deepEqual(parseCredentials({ installed: { client_id: 'id', client_secret: 's', redirect_uris: ['http://localhost'] }, refresh_token: 'r' }, 'f'), {
    kind: 'oauth-client', clientId: 'id', clientSecret: 's', refreshToken: 'r', refreshTokenIssuedAt: null, publishingStatus: null,
  });
  assert.equal(parseCredentials({ installed: { client_id: 'id', client_secret: 's' } }, 'f').kind, 'oauth-client');
  assert.equal(parseCredentials({ type: 'authorized_user', client_id: 'id', client_secret: 's', refresh_token: 'r' }, 'f').kind, 'oauth-client');
  assert.throws(() => parseCredentials({ web: {} }, 'creds.json'), /creds.json: not a service-account key/);
});

test('credentials.example.json shows both accepted shapes', () => {
  const example = JSON.parse(readFileSync(new URL('../../../../credentials.example.json', import.meta.url), 'utf8')) as Record<string, unknown>;
  assert.equal(parseCredentials(example.serviceAccount, 'example').kind, 'service-account');
  const app = parseCredentials(example.installedApp, 'example');
  assert.equal(app.kind === 'oauth-client' && typeof app.refreshToken, 'string');
});
