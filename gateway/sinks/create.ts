import { join } from 'node:path';
import { ConfigError } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { sinkWrites, type SinkName } from '../config/sections/sinks.js';
import { summaryTableName } from '../summaries/columns.js';
import type { SummaryWriter } from '../summaries/job.js';
import { summaryPlacedTable, type PlacedTable } from '../summaries/placed-table.js';
import { billsPlacedTable } from '../billing/table.js';
import { CsvSummaryFile } from './csv/summary-file.js';
import { SheetsSummaryTab } from './google-sheets/summary-tab.js';
import type { JobDeps, Sink, SinkDeps } from './contract.js';
import { RateLimiter } from './rate-limiter.js';
import { CsvSink } from './csv/csv-sink.js';
import { SheetsSink } from './google-sheets/sheets-sink.js';
import { systemTimeZone } from '../time/time-zone.js';
import { FieldRules } from '../fields/rules.js';

export type { SinkDeps } from './contract.js';

/**
 * The sinks the configuration asks for. With none listed: Google Sheets when a spreadsheet and
 * credentials are configured, else the local CSV files (so a fresh machine works out of the box).
 */
export function chooseSinks(config: Config): SinkName[] {
  if (config.sinks.enabled.length > 0) return [...config.sinks.enabled];
  return config.sheets.spreadsheetId !== '' && config.sheets.credentials !== '' ? ['google-sheets'] : ['csv'];
}

/**
 * The names createSinks will build, checked as it would check them: for a composition root that
 * builds the sinks elsewhere (the sync thread), so a bad configuration fails before there is a
 * thread to fail.
 */
export function sinkNamesFor(config: Config): SinkName[] {
  const names = chooseSinks(config);
  if (names.includes('google-sheets') && config.sheets.spreadsheetId === '') {
    throw new ConfigError(['sinks.enabled: the google-sheets sink needs sheets.spreadsheetId (and sheets.credentials)']);
  }
  return names;
}

/** Builds the sinks; constructors validate and never connect. */
export function createSinks(config: Config, deps: SinkDeps): Sink[] {
  checkTables(config);
  return chooseSinks(config).map((name) => (name === 'csv' ? createCsvSink(config, deps) : createSheetsSink(config, deps)));
}

function createCsvSink(config: Config, deps: SinkDeps): Sink {
  return new CsvSink({
    dir: join(config.dataDir, config.csv.dir),
    layout: config.csv.layout,
    table: config.csv.table,
    timeZone: config.csv.timeZone || systemTimeZone(),
    storeInstance: deps.storeInstance,
    fields: new FieldRules(config.fields),
    log: deps.log.child({ part: 'sink', sink: 'csv' }),
    writeReadings: sinkWrites(config.sinks.csv.tables, 'readings'),
    maxBatchRows: config.csv.maxBatchRows,
  });
}

/** A summary table a sink lists must be a configured period. */
function checkTables(config: Config): void {
  const known = new Set(['readings', 'bills', ...config.summaries.periods.map(summaryTableName)]);
  const problems: string[] = [];
  for (const name of ['csv', 'google-sheets'] as const) {
    for (const t of config.sinks[name].tables ?? []) {
      if (!known.has(t)) problems.push(`sinks.${name}.tables: "${t}" is not a configured table (summaries.periods: ${JSON.stringify(config.summaries.periods)})`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
}

/** The summary writers of the configured sinks: a file (CSV) or a tab (Sheets) per period. */
export function createSummaryWriters(config: Config, deps: JobDeps): SummaryWriter[] {
  return placedWriters(config, deps, config.summaries.periods.map(summaryPlacedTable));
}

/** The `bills` writers of the configured sinks (none without billing.field). */
export function createBillWriters(config: Config, deps: JobDeps): SummaryWriter[] {
  return config.billing.field === '' ? [] : placedWriters(config, deps, [billsPlacedTable(config.billing)]);
}

function placedWriters<R extends { id: number; revision: number }>(config: Config, deps: JobDeps, tables: PlacedTable<R>[]): SummaryWriter[] {
  checkTables(config);
  const writers: SummaryWriter[] = [];
  const s = config.sheets;
  // Summary tabs take a few writes per period: their own limiter, with a tenth of the quota.
  const limiter = new RateLimiter(
    { readsPerWindow: Math.max(1, Math.floor(s.readsPerMinute / 10)), writesPerWindow: Math.max(1, Math.floor(s.writesPerMinute / 10)), windowMs: 60_000, pacing: 'even' },
    deps.timers,
  );
  for (const sink of chooseSinks(config)) {
    for (const table of tables) {
      if (!sinkWrites(config.sinks[sink].tables, table.title)) continue;
      if (sink === 'csv') {
        writers.push(new CsvSummaryFile(deps.db, table, { dir: join(config.dataDir, config.csv.dir), sink: 'csv', timeZone: config.csv.timeZone || systemTimeZone() }));
      } else {
        const options = { spreadsheetId: s.spreadsheetId, credentials: s.credentials, rootUrl: s.rootUrl, tokenUrl: s.tokenUrl, requestTimeoutMs: s.requestTimeoutMs };
        writers.push(new SheetsSummaryTab(deps.db, table, { ...options, timeZone: s.timeZone, growRows: s.growRows }, { limiter, log: deps.log.child({ part: 'sink', sink: 'google-sheets' }) }));
      }
    }
  }
  return writers;
}

function createSheetsSink(config: Config, deps: SinkDeps): Sink {
  const s = config.sheets;
  if (s.spreadsheetId === '') throw new ConfigError(['sinks.enabled: the google-sheets sink needs sheets.spreadsheetId (and sheets.credentials)']);
  // Evenly paced: at low load a write every 60 s / writesPerMinute, never a burst and then a stall;
  // two back to back after a quiet spell (a new tab and its first rows, a growth and its values).
  const limiter = new RateLimiter(
    { readsPerWindow: s.readsPerMinute, writesPerWindow: s.writesPerMinute, windowMs: 60_000, pacing: 'even', evenBurst: 2 },
    deps.timers,
  );
  return new SheetsSink(
    {
      spreadsheetId: s.spreadsheetId,
      overflowSpreadsheetIds: s.overflowSpreadsheetIds,
      credentials: s.credentials,
      layout: s.layout,
      tab: s.tab,
      timeZone: s.timeZone,
      rootUrl: s.rootUrl,
      tokenUrl: s.tokenUrl,
      requestTimeoutMs: s.requestTimeoutMs,
      maxRequestBytes: s.maxRequestBytes,
      growRows: s.growRows,
      maxCellsPerSpreadsheet: s.maxCellsPerSpreadsheet,
      maxCellsPerTab: s.maxCellsPerTab,
      authRetryMs: s.authRetryMs,
      fields: new FieldRules(config.fields),
      writeReadings: sinkWrites(config.sinks['google-sheets'].tables, 'readings'),
    },
    { state: deps.state, limiter, timers: deps.timers, log: deps.log.child({ part: 'sink', sink: 'google-sheets' }), ...(deps.random ? { random: deps.random } : {}) },
  );
}
