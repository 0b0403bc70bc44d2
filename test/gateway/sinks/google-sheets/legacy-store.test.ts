import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Db } from '../../../../gateway/store/database.js';
import { schemaVersion } from '../../../../gateway/store/database.js';
import { MIGRATIONS } from '../../../../gateway/store/schema.js';
import { SHEETS_STATE } from '../../../../gateway/sinks/google-sheets/state.js';
import { longKeys, readings } from '../readings.js';
import { keysOfTab, sheetsHarness, SPREADSHEET, userApi, writeUntilDelivered } from './harness.js';

/**
 * A data directory from before sinks owned their state (store schema 8, the Sheets tables made by
 * store migration 2; test/gateway/store/fixtures/store-v8-sheets.sql) opens unchanged: its rows
 * stay, the Sheets sink's own migration adopts the tables, and the sink carries on from its
 * bookkeeping (a write that landed unconfirmed is recognised, new rows go below).
 */

const FIXTURES = join(import.meta.dirname, '../../store/fixtures');
const SHEET_TABLES = SHEETS_STATE.tables;

function seedLegacy(path: string): void {
  const raw = new Database(path);
  raw.exec(readFileSync(join(FIXTURES, 'store-v8-sheets.sql'), 'utf8'));
  raw.close();
}

/**
 * Every row of every table, and the schema of the Sheets tables, as comparable values. Tables the
 * store's later migrations add (sink_migrations, device_deltas) are left out: schema 8 had none;
 * so are `boots` and meta's `seq_through`, which migration 11 fills from the readings (each boot's
 * stored seqs, test/gateway/store/seq-ledger.test.ts), and meta's `totals_through` (migration 12:
 * the newest reading the devices' counters include).
 */
function snapshot(db: Db) {
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('sink_migrations', 'device_deltas', 'boots') ORDER BY name").all() as { name: string }[]).map((t) => t.name);
  const rows = Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT * FROM "${t}"${t === 'meta' ? " WHERE key NOT IN ('seq_through', 'totals_through')" : ''}`).all()]));
  const columns = Object.fromEntries(SHEET_TABLES.map((t) => [t, db.prepare(`PRAGMA table_info("${t}")`).all()]));
  return { tables, rows, columns };
}

test('a store of schema 8 opens with every row kept; the Sheets sink adopts its tables and continues exactly once', async () => {
  let before: ReturnType<typeof snapshot> | null = null;
  const h = await sheetsHarness({}, {
    seedStore: (path) => {
      seedLegacy(path);
      const raw = new Database(path, { readonly: true });
      before = snapshot(raw);
      raw.close();
    },
  });
  try {
    assert.ok(before);
    const legacy = before as ReturnType<typeof snapshot>;
    assert.equal(schemaVersion(h.db), MIGRATIONS[MIGRATIONS.length - 1]?.version);
    assert.deepEqual(snapshot(h.db), legacy, 'the store\'s migrations change no row and no Sheets table');
    assert.equal((legacy.rows['sheet_reservations'] as unknown[]).length, 1, 'the fixture holds a write that landed unconfirmed');

    // The tab as Google held it when that sheetlog stopped.
    const tab = JSON.parse(readFileSync(join(FIXTURES, 'store-v8-sheets.json'), 'utf8')) as {
      title: string; sheetId: number; rowCount: number; columnCount: number; mark: { key: string; value: string }; values: unknown[][];
    };
    const user = userApi(h.emu);
    await user.spreadsheets.batchUpdate({
      spreadsheetId: SPREADSHEET,
      requestBody: {
        requests: [
          { addSheet: { properties: { sheetId: tab.sheetId, title: tab.title, gridProperties: { rowCount: tab.rowCount, columnCount: tab.columnCount } } } },
          { createDeveloperMetadata: { developerMetadata: { metadataKey: tab.mark.key, metadataValue: tab.mark.value, location: { sheetId: tab.sheetId }, visibility: 'DOCUMENT' } } },
        ],
      },
    });
    await user.spreadsheets.values.update({ spreadsheetId: SPREADSHEET, range: `'${tab.title}'!A1`, valueInputOption: 'RAW', requestBody: { values: tab.values } });

    const sink = h.sink();
    await sink.start();
    assert.deepEqual(h.db.prepare('SELECT owner, name FROM sink_migrations').all(), [{ owner: 'google-sheets', name: '1-bookkeeping' }]);
    assert.deepEqual(snapshot(h.db).columns, legacy.columns, 'adopted as they were');
    assert.equal(sink.describe(), `spreadsheet ${SPREADSHEET}`);

    await writeUntilDelivered(sink, readings(15));
    assert.deepEqual(keysOfTab(h.tab('readings')), longKeys(readings(15)), 'readings 1-15 once each, in order: 9-12 recognised, 13-15 below them');
    await sink.close();
  } finally {
    await h.close();
  }
});

test('a new store gets the same Sheets tables from the sink\'s own migration as an old one had from the store', async () => {
  const legacy = new Database(':memory:');
  legacy.exec(readFileSync(join(FIXTURES, 'store-v8-sheets.sql'), 'utf8'));
  const h = await sheetsHarness();
  try {
    const exists = (t: string) => h.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(t) !== undefined;
    assert.deepEqual(SHEET_TABLES.filter(exists), [], 'the store itself no longer creates them');
    const sink = h.sink();
    await sink.start();
    assert.deepEqual(snapshot(h.db).columns, snapshot(legacy).columns);
    const withoutRowid = (db: Db, t: string) => /WITHOUT ROWID/i.test((db.prepare("SELECT sql FROM sqlite_master WHERE name = ?").get(t) as { sql: string }).sql);
    for (const t of SHEET_TABLES) assert.equal(withoutRowid(h.db, t), withoutRowid(legacy, t), t);
    await sink.close();
  } finally {
    legacy.close();
    await h.close();
  }
});
