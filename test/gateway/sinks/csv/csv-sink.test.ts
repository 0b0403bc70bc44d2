import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STATE_FILE } from '../../../../gateway/sinks/csv/state.js';
import { csvRecord, parseCsv } from '../../../../gateway/sinks/csv/rfc4180.js';
import { longKeys, readings } from '../readings.js';
import { layoutRows, LONG_COLUMNS, rowValues } from '../../../../gateway/sinks/layout.js';
import { ZoneClock } from '../../../../gateway/time/time-zone.js';
import { fieldsSection } from '../../../../gateway/config/sections/fields.js';
import { FieldRules } from '../../../../gateway/fields/rules.js';
import { csvDir, newSink, readTable } from './harness.js';
import { memoryLog } from '../../../helpers/memory-log.js';
import { ManualTimers } from '../../../helpers/manual-timers.js';
import { loadConfig } from '../../../../gateway/config/load.js';
import { createSinks } from '../../../../gateway/sinks/create.js';
import type { SinkStateStore } from '../../../../gateway/store/sink-state/port.js';

const keys = (records: string[][]) => records.slice(1).map((r) => `${r[1]}/${r[5]}/${r[4]}/${r[2]}`);

test('RFC 4180: quoting only where needed, quotes doubled, CRLF records; the parser reads it back', () => {
  const fields = ['plain', 'a,b', 'say "hi"', 'two\r\nlines', 'lf\nonly', ''];
  const line = csvRecord(fields);
  assert.equal(line, 'plain,"a,b","say ""hi""","two\r\nlines","lf\nonly",\r\n');
  assert.deepEqual(parseCsv(line + line), { records: [fields, fields], torn: null });
  assert.deepEqual(parseCsv(line + 'torn,"par'), { records: [fields], torn: 'torn,"par' });
});

test('long layout: rows rendered straight from the readings are the bytes table rows render to (units, quoting, nested values)', async (t) => {
  const { dir, cleanup } = csvDir();
  t.after(cleanup);
  const rules = new FieldRules(fieldsSection.parse([{ match: 'temp_*', unit: '°C', scale: 0.1, decimals: 1 }, { match: 'note', unit: 'a,"b"' }]));
  const sink = newSink(dir, { timeZone: 'America/New_York', fields: rules });
  await sink.start();
  const odd = (i: number) => ({ temp_in: 215 + i, note: i % 2 === 0 ? 'say "hi", twice' : 'line\r\nbreak', nested: { a: [1, 2] }, ok: i % 3 === 0, 'x,y': -i / 7 });
  const all = readings(40, 1, { devices: 3, fields: odd });
  await sink.write({ rows: all.slice(0, 1) }); // creates the file and its header
  await sink.write({ rows: all.slice(1) }); // the header is LONG_COLUMNS: rendered straight
  const zone = new ZoneClock('America/New_York');
  const render = (v: unknown) => (v === null ? '' : typeof v === 'object' ? zone.text((v as { time: number }).time) : String(v));
  const [block] = layoutRows('long', all, rules);
  const expected = csvRecord(LONG_COLUMNS) + block!.rows.map((row) => csvRecord(rowValues(LONG_COLUMNS, row).map(render))).join('');
  assert.equal(readFileSync(join(dir, 'readings.csv'), 'utf8'), expected);
});

test('time columns are local date-times in the configured zone', async (t) => {
  const { dir, cleanup } = csvDir();
  t.after(cleanup);
  const sink = newSink(dir, { timeZone: 'Europe/Berlin' });
  await sink.start();
  const [r] = readings(1);
  await sink.write({ rows: [{ ...r!, ts: Date.UTC(2026, 6, 1, 10, 0, 0, 250), received: Date.UTC(2026, 0, 1, 10, 0, 0) }] });
  const [, row] = readTable(join(dir, 'readings.csv')).records;
  assert.equal(row?.[0], '2026-07-01 12:00:00.250'); // CEST, UTC+2
  assert.equal(row?.[7], '2026-01-01 11:00:00.000'); // CET, UTC+1
});

test('a torn last line (SIGKILL mid-write) is cut at start and its rows are written once', async (t) => {
  const { dir, cleanup } = csvDir();
  t.after(cleanup);
  const first = newSink(dir);
  await first.start();
  await first.write({ rows: readings(4) });
  const file = join(dir, 'readings.csv');
  const good = readFileSync(file, 'utf8');
  // The next batch got half way into the file when the process died; its state never moved.
  appendFileSync(file, '2026-11-21 12:00:05.000,dev-1,temp_c,20.5,5,7,dev');
  const { log, records } = memoryLog();
  const second = newSink(dir, { log });
  await second.start();
  assert.equal(readFileSync(file, 'utf8'), good, 'the torn tail is gone');
  assert.ok(records.some((r) => r.msg === 'CSV file repaired at start' && r.action === 'truncated'));
  await second.write({ rows: readings(6) });
  const table = readTable(file);
  assert.equal(table.torn, null);
  assert.deepEqual(keys(table.records), longKeys(readings(6)));
});

test('rows written but not recorded (killed before the state moved) are rewritten once, not doubled', async (t) => {
  const { dir, cleanup } = csvDir();
  t.after(cleanup);
  const sink = newSink(dir);
  await sink.start();
  await sink.write({ rows: readings(3) });
  copyFileSync(join(dir, STATE_FILE), join(dir, 'saved-state'));
  await sink.write({ rows: readings(3, 4) }); // complete rows on disk ...
  copyFileSync(join(dir, 'saved-state'), join(dir, STATE_FILE)); // ... but the state never recorded them
  const restarted = newSink(dir);
  await restarted.start();
  await restarted.write({ rows: readings(7) });
  assert.deepEqual(keys(readTable(join(dir, 'readings.csv')).records), longKeys(readings(7)));
});

test('state recorded but cursor not advanced: the batch offered again is skipped', async (t) => {
  const { dir, cleanup } = csvDir();
  t.after(cleanup);
  const sink = newSink(dir);
  await sink.start();
  await sink.write({ rows: readings(5) });
  const restarted = newSink(dir);
  await restarted.start();
  assert.deepEqual(await restarted.write({ rows: readings(5) }), { kind: 'delivered', throughId: 5 });
  assert.deepEqual(keys(readTable(join(dir, 'readings.csv')).records), longKeys(readings(5)));
});

test('a file cut short outside sheetlog keeps its complete records and continues after them', async (t) => {
  const { dir, cleanup } = csvDir();
  t.after(cleanup);
  const sink = newSink(dir);
  await sink.start();
  await sink.write({ rows: readings(4) });
  const file = join(dir, 'readings.csv');
  truncateSync(file, statSync(file).size - 5);
  const { log, records } = memoryLog();
  const restarted = newSink(dir, { log });
  await restarted.start();
  assert.ok(records.some((r) => r.action === 'shorter'));
  const table = readTable(file);
  assert.equal(table.torn, null);
  assert.equal(table.records.length, 1 + longKeys(readings(4)).length - 1, 'the damaged record is dropped, the rest kept');
});

test('per-device layout: a file per device, header extended when a field appears, rows kept', async (t) => {
  const { dir, cleanup } = csvDir();
  t.after(cleanup);
  const sink = newSink(dir, { layout: 'per-device' });
  await sink.start();
  const base = readings(4, 1, { devices: 1, fields: () => ({ temp_c: 21 }) });
  await sink.write({ rows: base });
  await sink.write({ rows: readings(2, 5, { devices: 1, fields: (i) => ({ temp_c: 22, rh: i, time: 'x' }) }) });
  const table = readTable(join(dir, 'dev-0.csv'));
  assert.deepEqual(table.records[0], ['time', 'seq', 'boot', 'time source', 'received', 'temp_c', 'rh', 'field.time']);
  assert.deepEqual(table.records.slice(1).map((r) => r[1]), ['1', '2', '3', '4', '5', '6']);
  assert.deepEqual(table.records[5]?.slice(5), ['22', '5', 'x']);
  assert.equal(table.records[1]?.length, 6, 'older rows keep their fields');
});

test('an interrupted header rewrite is finished at start (new header, every row once)', async (t) => {
  const { dir, cleanup } = csvDir();
  t.after(cleanup);
  const sink = newSink(dir, { layout: 'per-device' });
  await sink.start();
  await sink.write({ rows: readings(2, 1, { devices: 1, fields: () => ({ a: 1 }) }) });
  const file = join(dir, 'dev-0.csv');
  const state = JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8')) as { files: Record<string, { bytes: number; columns: string[] }> };
  // Simulate death between "state names the new header" and "rename": the temp file is complete.
  const body = readFileSync(file, 'utf8').split('\r\n').slice(1).join('\r\n');
  const columns = [...state.files['dev-0.csv']!.columns, 'b'];
  const next = csvRecord(columns) + body;
  writeFileSync(`${file}.tmp`, next);
  state.files['dev-0.csv'] = { bytes: Buffer.byteLength(next), columns };
  writeFileSync(join(dir, STATE_FILE), JSON.stringify(state));
  const restarted = newSink(dir, { layout: 'per-device' });
  await restarted.start();
  assert.equal(existsSync(`${file}.tmp`), false);
  await restarted.write({ rows: readings(3, 1, { devices: 1, fields: (i) => ({ a: 1, b: i }) }) });
  const table = readTable(file);
  assert.deepEqual(table.records[0]?.slice(5), ['a', 'b']);
  assert.deepEqual(table.records.slice(1).map((r) => r[1]), ['1', '2', '3']);
});

test('state from another store is not trusted: new rows are added after the old ones', async (t) => {
  const { dir, cleanup } = csvDir();
  t.after(cleanup);
  const old = newSink(dir, { storeInstance: 'old-store' });
  await old.start();
  await old.write({ rows: readings(3) });
  const { log, records } = memoryLog();
  const fresh = newSink(dir, { storeInstance: 'new-store', log });
  await fresh.start();
  await fresh.write({ rows: readings(2) }); // ids start again at 1 in a new store
  assert.ok(records.some((r) => String(r.msg).includes('another SQLite store')));
  assert.equal(keys(readTable(join(dir, 'readings.csv')).records).length, longKeys(readings(3)).length + longKeys(readings(2)).length);
});

test('a write that fails half way is retry-later IO, and the retry writes each row once', async (t) => {
  const { dir, cleanup } = csvDir();
  t.after(cleanup);
  const sink = newSink(dir);
  await sink.start();
  await sink.write({ rows: readings(2) });
  const statePath = join(dir, STATE_FILE);
  const saved = readFileSync(statePath);
  // The rows reach the file, then recording the state fails (a directory is in the way).
  rmSync(statePath);
  mkdirSync(statePath);
  const failed = await sink.write({ rows: readings(3, 3) });
  assert.equal(failed.kind, 'retry-later');
  assert.equal(failed.kind === 'retry-later' && failed.code, 'IO');
  rmSync(statePath, { recursive: true });
  writeFileSync(statePath, saved);
  assert.deepEqual(await sink.write({ rows: readings(3, 3) }), { kind: 'delivered', throughId: 5 });
  assert.deepEqual(keys(readTable(join(dir, 'readings.csv')).records), longKeys(readings(5)));
});

test('the CSV sink built from the configuration takes batches of csv.maxBatchRows (2,000 by default)', () => {
  const deps = { state: {} as SinkStateStore, storeInstance: 'test', timers: new ManualTimers(), log: memoryLog().log };
  const csvOf = (flags: Record<string, unknown>) => createSinks(loadConfig({ flags: { sinks: { enabled: ['csv'] }, ...flags } }), deps)[0];
  assert.equal(csvOf({})?.maxBatchRows, 2000);
  assert.equal(csvOf({ csv: { maxBatchRows: 500 } })?.maxBatchRows, 500);
  assert.throws(() => loadConfig({ flags: { csv: { maxBatchRows: 0 } } }), /csv\.maxBatchRows/);
});
