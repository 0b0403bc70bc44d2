import { access, constants, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../log.js';
import type { Sink, SinkBatch, SinkHealth, WriteOutcome } from '../contract.js';
import type { FieldRules } from '../../fields/rules.js';
import { extendColumns, forEachLongRow, layoutRows, LONG_COLUMNS, rowValues, type Layout, type LogicalValue, type ReadingFields, type TabBlock } from '../layout.js';
import type { StoredReading } from '../../store/readings.js';
import { writablePrefix } from '../row-check.js';
import { ZoneClock } from '../../time/time-zone.js';
import { repairFiles, rewriteHeader, writeAt } from './files.js';
import { CRLF, csvField, csvRecord } from './rfc4180.js';
import { emptyState, loadState, saveState, syncDir, type CsvState } from './state.js';

export interface CsvSinkOptions {
  /** Directory of the CSV files (created if missing). */
  dir: string;
  layout: Layout;
  /** File name (without .csv) of the long layout's single table. */
  table: string;
  /** IANA zone for the time columns. */
  timeZone: string;
  /** Identifies the SQLite store the rows come from (see CsvState.storeInstance). */
  storeInstance: string;
  /** Field rules: values shown calibrated, with the long layout's `unit` (docs/FIELDS.md); absent: as sent. */
  fields?: FieldRules;
  log: Logger;
  /** false: the raw table is not among `sinks.csv.tables`; readings are passed over unwritten. */
  writeReadings?: boolean;
  /** The most readings in one batch (config `csv.maxBatchRows`); absent: sync.maxBatchRows alone. */
  maxBatchRows?: number;
}

/**
 * The embedded default sink: one RFC 4180 file per tab under <dataDir>/csv/, header first.
 *
 * Exactly once, crash-safe: rows are written at the byte offset the state file records (never
 * blindly appended), fsynced, and only then does the state (atomically replaced) move its
 * `deliveredThrough` and lengths forward; only after that does the worker advance the cursor.
 * On start, anything past the recorded lengths is cut off (a torn line after SIGKILL, or rows of
 * an unconfirmed batch), and rows up to `deliveredThrough` are never written again.
 */
export class CsvSink implements Sink {
  readonly name = 'csv';
  readonly maxBatchRows: number | undefined;
  private state: CsvState | null = null;
  private readonly zone: ZoneClock;

  constructor(private readonly options: CsvSinkOptions) {
    this.zone = new ZoneClock(options.timeZone);
    this.maxBatchRows = options.maxBatchRows;
  }

  describe(): string {
    return this.options.dir;
  }

  async start(): Promise<void> {
    const { dir, log, storeInstance } = this.options;
    await mkdir(dir, { recursive: true });
    let state = await loadState(dir);
    if (state && state.storeInstance !== storeInstance) {
      log.warn({ dir }, 'the CSV files were written from another SQLite store; new rows are added after them');
      state = { ...state, storeInstance, deliveredThrough: 0 };
    }
    state ??= emptyState(storeInstance);
    for (const note of await repairFiles(dir, state)) log.info({ dir, ...note }, 'CSV file repaired at start');
    await saveState(dir, state);
    this.state = state;
  }

  async health(): Promise<SinkHealth> {
    try {
      await access(this.options.dir, constants.W_OK);
      return { ok: true, detail: `writing CSV files in ${this.options.dir}` };
    } catch (e) {
      return { ok: false, code: 'IO', reason: `${this.options.dir} is not writable: ${(e as Error).message}` };
    }
  }

  async write(batch: SinkBatch): Promise<WriteOutcome> {
    const state = this.state;
    if (!state) throw new Error('CsvSink.write before start');
    // A row no CSV line can hold ends the batch here (rejected when it comes first: quarantine).
    const writable = writablePrefix(batch.rows);
    if ('outcome' in writable) return writable.outcome;
    const last = writable.rows[writable.rows.length - 1];
    if (!last) throw new Error('empty batch');
    // Summaries only (sinks.csv.tables without "readings"): nothing of the raw rows is written.
    if (this.options.writeReadings === false) return { kind: 'delivered', throughId: last.id };
    // Rows already in the files (a batch retried after a crash between the write and the cursor) are passed over.
    const fresh: StoredReading[] = [];
    const freshFields: ReadingFields[] = [];
    for (let i = 0; i < writable.rows.length; i++) {
      const r = writable.rows[i] as StoredReading;
      if (r.id <= state.deliveredThrough) continue;
      fresh.push(r);
      freshFields.push(writable.fields[i] as ReadingFields);
    }
    try {
      if (fresh.length > 0 && this.isPlainLongTable(state)) await this.appendLong(state, fresh, freshFields, last.id);
      else if (fresh.length > 0) await this.append(state, layoutRows(this.options.layout, fresh, this.options.fields ?? null, freshFields), last.id);
      return { kind: 'delivered', throughId: last.id };
    } catch (e) {
      // The state on disk is unchanged, so the next attempt writes the same bytes at the same offsets.
      this.state = (await loadState(this.options.dir).catch(() => null)) ?? state;
      return { kind: 'retry-later', code: 'IO', reason: (e as Error).message };
    }
  }

  async close(): Promise<void> {
    this.state = null;
  }

  private async append(state: CsvState, blocks: TabBlock[], lastId: number): Promise<void> {
    const { dir } = this.options;
    const next: CsvState = structuredClone(state);
    let created = false;
    for (const block of blocks) {
      const file = this.fileName(block.tabKey);
      if (!next.files[file]) {
        next.files[file] = { bytes: 0, columns: [] };
        created = true;
      }
    }
    // Name new files in the state before they exist, so recovery knows every file it owns.
    if (created) await saveState(dir, next);
    // Header changes first: each saves the state, which must not yet cover any row of this batch.
    const plans = [];
    for (const block of blocks) {
      const file = this.fileName(block.tabKey);
      const entry = next.files[file] as CsvState['files'][string];
      const columns = extendColumns(entry.columns, block.columns);
      if (entry.bytes > 0 && columns.length !== entry.columns.length) await rewriteHeader(dir, file, next, columns);
      plans.push({ file, entry, columns, block });
    }
    for (const { file, entry, columns, block } of plans) {
      let text = entry.bytes === 0 ? csvRecord(columns) : '';
      entry.columns = columns;
      for (const row of block.rows) text += csvRecord(rowValues(columns, row).map((v) => this.render(v)));
      entry.bytes = await writeAt(join(dir, file), entry.bytes, text);
    }
    if (created) await syncDir(dir);
    next.deliveredThrough = lastId;
    await saveState(dir, next);
    this.state = next;
  }

  /**
   * The long layout's file exists with exactly the long columns, in their order: the common case,
   * where rows are rendered straight from the readings (appendLong) instead of through table rows.
   */
  private isPlainLongTable(state: CsvState): boolean {
    if (this.options.layout !== 'long') return false;
    const columns = state.files[this.fileName('')]?.columns;
    return columns !== undefined && columns.length === LONG_COLUMNS.length && columns.every((c, i) => c === LONG_COLUMNS[i]);
  }

  /**
   * What `append` writes for the long layout's file when its header is LONG_COLUMNS, made without
   * a cells object, a values array and two time texts per row (the sync thread's hot path: each
   * reading's time texts are made once for all its fields). The same bytes: csv-sink.test.ts
   * compares the two.
   */
  private async appendLong(state: CsvState, readings: readonly StoredReading[], fields: readonly ReadingFields[], lastId: number): Promise<void> {
    const file = this.fileName('');
    const next: CsvState = { ...state, files: { ...state.files } };
    const entry = { ...(next.files[file] as CsvState['files'][string]) };
    next.files[file] = entry;
    const rules = this.options.fields ?? null;
    let text = '';
    for (let i = 0; i < readings.length; i++) {
      const r = readings[i] as StoredReading;
      const time = this.zone.text(r.ts);
      const received = this.zone.text(r.received);
      const seqBoot = `${r.seq},${r.boot},${csvField(r.tsSource)},${received},`;
      const device = csvField(r.device);
      forEachLongRow(r, fields[i] as ReadingFields, rules, (sensor, value, unit) => {
        text += `${time},${device},${csvField(sensor)},${csvField(this.render(value))},${seqBoot}${unit === null ? '' : csvField(unit)}${CRLF}`;
      });
    }
    entry.bytes = await writeAt(join(this.options.dir, file), entry.bytes, text);
    next.deliveredThrough = lastId;
    await saveState(this.options.dir, next);
    this.state = next;
  }

  private fileName(tabKey: string): string {
    return `${tabKey === '' ? this.options.table : tabKey}.csv`;
  }

  private render(v: LogicalValue): string {
    if (v === null) return '';
    if (typeof v === 'object') return this.zone.text(v.time);
    return String(v);
  }
}
