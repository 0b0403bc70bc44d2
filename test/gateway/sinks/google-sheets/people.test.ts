import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Person } from '../../../sheets-emulator/index.js';
import { longKeys, readings } from '../readings.js';
import { sheetsHarness, writeUntilDelivered, SPREADSHEET, type SheetsHarness } from './harness.js';

/**
 * People working in the spreadsheet while sheetlog writes to it. Each edit is made by a person
 * (the spreadsheet's owner, through the emulator) between two of the gateway's requests, and
 * again right after a write that was applied but whose answer was lost. Every test ends with:
 * no reading lost, none written twice, the person's cells as they left them, and sync going on.
 */

type Cells = (string | number | boolean)[][];

interface Edit {
  name: string;
  /** Makes the edit; returns readings' keys the person removed on purpose (deleted rows). */
  apply(person: Person, sheetId: number, tab: Cells): string[] | void;
  /** The person's cells are as they left them. */
  check?(tab: Cells): void;
}

/** "device/boot/seq/sensor" of every row with a device, found under the header's names. */
function keysUnderHeader(tab: Cells): string[] {
  const header = (tab[0] ?? []).map(String);
  const at = (name: string) => header.indexOf(name);
  const [d, b, q, s] = ['device', 'boot', 'seq', 'sensor'].map(at) as [number, number, number, number];
  assert.ok(d >= 0 && b >= 0 && q >= 0 && s >= 0, `header has sheetlog's key columns: ${header.join(', ')}`);
  return tab.slice(1).filter((r) => typeof r[q] === 'number').map((r) => `${r[d]}/${r[b]}/${r[q]}/${r[s]}`);
}

/** The value under `column` of the row of reading key `key`. */
function cellOf(tab: Cells, key: string, column: string): unknown {
  const header = (tab[0] ?? []).map(String);
  const keys = keysUnderHeader(tab);
  const rows = tab.slice(1).filter((r) => typeof r[header.indexOf('seq')] === 'number');
  return rows[keys.indexOf(key)]?.[header.indexOf(column)];
}

function sorted(list: readonly string[]): string[] {
  return [...list].sort();
}

const rowsOf = (n: number, from: number) => readings(n, from, { fields: (i) => ({ temp_c: 20 + i }) });

const EDITS: Edit[] = [
  {
    name: 'inserts more rows than the grid growth step inside the log and types in them',
    apply: (p, sheetId) => {
      p.batchUpdate([{ insertDimension: { range: { sheetId, dimension: 'ROWS', startIndex: 2, endIndex: 152 } } }]);
      p.type('readings!A3:B3', [['checked by', 'Ana']]);
      // A note in the grid's last row: a grid set to a count from before the insertion cuts it off.
      p.batchUpdate([{ appendDimension: { sheetId, dimension: 'COLUMNS', length: 2 } }]);
      p.type(`readings!J${p.grid('readings').rowCount}`, [['end of month']]);
    },
    check: (tab) => {
      assert.deepEqual(tab[2]?.slice(0, 2), ['checked by', 'Ana']);
      assert.ok(tab.some((r) => r[9] === 'end of month'), 'the note in the last row is still there');
    },
  },
  {
    name: 'inserts a column inside the log with a header and notes',
    apply: (p, sheetId) => {
      p.batchUpdate([{ insertDimension: { range: { sheetId, dimension: 'COLUMNS', startIndex: 1, endIndex: 2 } } }]);
      p.type('readings!B1:B2', [['notes'], ['door was open']]);
    },
    check: (tab) => {
      assert.equal(tab[0]?.[1], 'notes');
      assert.equal(tab[1]?.[1], 'door was open');
      assert.ok(tab.slice(2).every((r) => r[1] === undefined || r[1] === ''), 'nothing written into the notes column');
    },
  },
  {
    name: 'deletes one of sheetlog\'s columns',
    apply: (p, sheetId) => {
      p.batchUpdate([{ deleteDimension: { range: { sheetId, dimension: 'COLUMNS', startIndex: 6, endIndex: 7 } } }]);
    },
    check: (tab) => assert.ok(tab[0]?.includes('time source'), 'the header cell comes back for new rows'),
  },
  {
    name: 'moves the value column to the far left',
    apply: (p, sheetId) => {
      p.batchUpdate([{ moveDimension: { source: { sheetId, dimension: 'COLUMNS', startIndex: 3, endIndex: 4 }, destinationIndex: 0 } }]);
    },
    check: (tab) => assert.equal(tab[0]?.[0], 'value'),
  },
  {
    name: 'deletes two rows of the log',
    apply: (p, sheetId, tab) => {
      p.batchUpdate([{ deleteDimension: { range: { sheetId, dimension: 'ROWS', startIndex: 1, endIndex: 3 } } }]);
      return keysUnderHeader(tab).slice(0, 2);
    },
  },
  {
    name: 'sorts the log by value, largest first',
    apply: (p, sheetId, tab) => {
      p.batchUpdate([{ sortRange: { range: { sheetId, startRowIndex: 1, endRowIndex: tab.length, startColumnIndex: 0, endColumnIndex: 8 }, sortSpecs: [{ dimensionIndex: 3, sortOrder: 'DESCENDING' }] } }]);
    },
  },
  {
    name: 'sets a filter on the log (sorted by value)',
    apply: (p, sheetId, tab) => {
      p.batchUpdate([{ setBasicFilter: { filter: { range: { sheetId, startRowIndex: 0, endRowIndex: tab.length, startColumnIndex: 0, endColumnIndex: 8 }, sortSpecs: [{ dimensionIndex: 3, sortOrder: 'DESCENDING' }] } } }]);
    },
  },
  {
    name: 'adds a formula column right of the log, filled far below it',
    apply: (p, sheetId) => {
      // sheetlog's tab is as wide as its header: in the browser a person adds columns first.
      p.batchUpdate([{ appendDimension: { sheetId, dimension: 'COLUMNS', length: 4 } }]);
      p.type('readings!J1', [['double']]);
      p.type('readings!J2:J60', Array.from({ length: 59 }, (_, i) => [`=D${i + 2}*2`]));
    },
    check: (tab) => {
      assert.equal(tab[0]?.[9], 'double');
      assert.equal(tab[59]?.[9], '=D60*2');
      // The log stays contiguous: its rows are not pushed below the formulas.
      assert.ok(tab.slice(1, 16).every((r) => r[1] !== undefined && r[1] !== ''), 'rows 2.. hold the log without a gap');
    },
  },
  {
    name: 'writes a note right of a row of the log',
    apply: (p, sheetId) => {
      p.batchUpdate([{ appendDimension: { sheetId, dimension: 'COLUMNS', length: 1 } }]);
      p.type('readings!I2', [['calibrated']]);
    },
    check: (tab) => assert.equal(tab[1]?.[8], 'calibrated'),
  },
];

async function firstBatch(h: SheetsHarness) {
  const sink = h.sink();
  await sink.start();
  await writeUntilDelivered(sink, rowsOf(5, 1));
  return sink;
}

function personAt(h: SheetsHarness): { person: Person; sheetId: number } {
  const person = h.emu.person(SPREADSHEET);
  return { person, sheetId: person.sheetId('readings') };
}

async function finish(h: SheetsHarness, sink: Awaited<ReturnType<typeof firstBatch>>, edit: Edit, removed: string[]) {
  // Goes on in small batches, past the grid size sheetlog knew before the edit (so it grows).
  for (let from = 11; from <= 130; from += 10) await writeUntilDelivered(sink, rowsOf(10, from));
  const tab = h.tab('readings');
  const want = longKeys(rowsOf(130, 1)).filter((k) => !removed.includes(k));
  assert.deepEqual(sorted(keysUnderHeader(tab)), sorted(want), 'every reading once (none lost, none doubled)');
  assert.equal(cellOf(tab, 'dev-1/7/49/temp_c', 'value'), 69, 'values under the right header');
  assert.equal(cellOf(tab, 'dev-0/7/8/temp_c', 'value'), 28);
  edit.check?.(tab);
}

for (const edit of EDITS) {
  test(`a person ${edit.name} between two requests`, async (t) => {
    const h = await sheetsHarness();
    t.after(() => h.close());
    const sink = await firstBatch(h);
    const { person, sheetId } = personAt(h);
    let removed: string[] = [];
    let done = false;
    let failed: unknown;
    h.emu.between(() => {
      if (done) return;
      done = true;
      try {
        removed = edit.apply(person, sheetId, h.tab('readings')) ?? [];
      } catch (e) {
        failed = e;
      }
    });
    await writeUntilDelivered(sink, rowsOf(5, 6));
    assert.ok(done);
    assert.equal(failed, undefined, 'the person\'s edit was made');
    await finish(h, sink, edit, removed);
  });

  test(`a person ${edit.name} right after a write that landed but whose answer was lost`, async (t) => {
    const h = await sheetsHarness();
    t.after(() => h.close());
    const sink = await firstBatch(h);
    const { person, sheetId } = personAt(h);
    let removed: string[] = [];
    let done = false;
    let failed: unknown;
    h.emu.queueFault({ target: 'write', action: 'drop-after-apply' });
    h.emu.between((call) => {
      if (done || call.previous?.fault !== 'drop-after-apply') return;
      done = true;
      try {
        removed = edit.apply(person, sheetId, h.tab('readings')) ?? [];
      } catch (e) {
        failed = e;
      }
    });
    const outcomes = await writeUntilDelivered(sink, rowsOf(5, 6));
    assert.equal(outcomes[0]?.kind, 'retry-later');
    assert.ok(done);
    assert.equal(failed, undefined, 'the person\'s edit was made');
    await finish(h, sink, edit, removed);
  });
}
