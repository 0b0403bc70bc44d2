import type { Logger } from '../../log.js';
import type { Db } from '../../store/database.js';
import type { SummaryWriter } from '../../summaries/job.js';
import type { SummaryPlaces } from '../../summaries/places.js';
import type { PlacedTable } from '../../summaries/placed-table.js';
import type { RateLimiter } from '../rate-limiter.js';
import { ZoneClock } from '../../time/time-zone.js';
import { SheetsApi, type SheetMeta } from './api.js';
import { createAuthClient } from './auth-client.js';
import { readCredentials } from './credentials.js';
import { loadGoogleLibraries, type GoogleLibraries } from './libraries.js';
import { rowsRange, type SheetValue } from './encoder.js';

export interface SheetsSummaryOptions {
  spreadsheetId: string;
  credentials: string;
  rootUrl: string;
  tokenUrl: string;
  requestTimeoutMs: number;
  /** The zone of the time cells ("" : the spreadsheet's own). */
  timeZone: string;
  /** Rows added at a time when the tab's grid is too small. */
  growRows: number;
  /** Most rows written in one request. */
  maxRows?: number;
}

/**
 * One period's summary tab (`summary 1h`) in the primary spreadsheet, exactly once:
 *
 * Every row has a fixed place reserved in SQLite (summary_places) before it is first sent; place
 * n is sheet row n + 1 (row 1 is the header). A pass sends the new and revised rows with
 * values.batchUpdate to exactly those rows (the grid is first grown to an absolute size), and only
 * after Google confirmed it records the revisions written. A write applied but whose answer was
 * lost, or a crash before the record, leaves the rows due: the next pass writes the same cells
 * again, so a row is never added twice and a revision overwrites its own row.
 *
 * The tab is sheetlog's: people may read, chart and refer to it, but rows inserted or sorted by
 * hand would be overwritten at the places SQLite records (docs/SUMMARIES.md).
 */
export class SheetsSummaryTab<R extends { id: number; revision: number }> implements SummaryWriter {
  readonly name: string;
  readonly title: string;
  private readonly places: SummaryPlaces<R>;
  private api: SheetsApi | null = null;
  /** The Google client libraries, imported by the first connect() (libraries.ts). */
  private libraries: Promise<GoogleLibraries> | null = null;
  private tab: SheetMeta | null = null;
  private zone: ZoneClock | null = null;

  constructor(
    db: Db,
    private readonly table: PlacedTable<R>,
    private readonly options: SheetsSummaryOptions,
    private readonly deps: { limiter: RateLimiter; log: Logger; sink?: string },
  ) {
    this.title = table.title;
    const sink = deps.sink ?? 'google-sheets';
    this.name = `${sink} ${this.title}`;
    this.places = table.places(db, sink);
  }

  async flush(): Promise<boolean> {
    const max = this.options.maxRows ?? 2000;
    try {
      for (;;) {
        const due = this.places.due(max);
        if (due.length === 0) return true;
        const api = await this.connect();
        const tab = await this.openTab(api);
        const zone = this.zone as ZoneClock;
        const rows = this.places.reserve(due);
        const needRows = Math.max(...rows.map((r) => r.place as number)) + 1;
        if (tab.rowCount < needRows) await this.grow(api, tab, needRows + this.options.growRows);
        const data = rows.map((r) => ({
          range: rowsRange(this.title, (r.place as number) + 1, (r.place as number) + 1, this.table.columns.length),
          values: [this.table.cells(r, zone).map((c): SheetValue => (c === null ? '' : typeof c === 'object' ? Math.round(zone.serial(c.time) * 1e9) / 1e9 : c))],
        }));
        await api.writeValues(this.options.spreadsheetId, data);
        this.places.written(rows);
        if (due.length < max) return true;
      }
    } catch (e) {
      // Nothing is recorded: the same rows go to the same places at the next pass.
      this.tab = null;
      this.api = null;
      this.deps.log.warn({ part: 'summaries', tab: this.title, err: String(e) }, 'summary tab write failed; retried at the next pass');
      return false;
    }
  }

  private async connect(): Promise<SheetsApi> {
    if (this.api) return this.api;
    const creds = await readCredentials(this.options.credentials);
    const lib = await (this.libraries ??= loadGoogleLibraries());
    const auth = createAuthClient(lib.auth, creds, { tokenUrl: this.options.tokenUrl, timeoutMs: this.options.requestTimeoutMs });
    this.api = new SheetsApi(lib.sheets, auth, { rootUrl: this.options.rootUrl, timeoutMs: this.options.requestTimeoutMs, limiter: this.deps.limiter });
    return this.api;
  }

  /** The tab, created with its header when missing (a repeat finds it and writes the same header). */
  private async openTab(api: SheetsApi): Promise<SheetMeta> {
    if (this.tab) return this.tab;
    const id = this.options.spreadsheetId;
    let meta = await api.spreadsheet(id);
    this.zone = new ZoneClock(this.options.timeZone || meta.timeZone || 'UTC');
    let tab = meta.sheets.find((s) => s.title === this.title);
    if (!tab) {
      await api.batchUpdate(id, [
        { addSheet: { properties: { title: this.title, gridProperties: { rowCount: 1 + this.options.growRows, columnCount: this.table.columns.length, frozenRowCount: 1 } } } },
      ]);
      meta = await api.spreadsheet(id);
      tab = meta.sheets.find((s) => s.title === this.title);
      if (!tab) throw new Error(`tab "${this.title}" missing after it was added`);
    }
    if (tab.columnCount < this.table.columns.length) {
      await this.grow(api, tab, tab.rowCount, this.table.columns.length);
    }
    await api.writeValues(id, [{ range: rowsRange(this.title, 1, 1, this.table.columns.length), values: [[...this.table.columns]] }]);
    this.tab = tab;
    return tab;
  }

  /** Grows the grid to an absolute size (repeating it changes nothing). */
  private async grow(api: SheetsApi, tab: SheetMeta, rows: number, cols = Math.max(tab.columnCount, this.table.columns.length)): Promise<void> {
    await api.batchUpdate(this.options.spreadsheetId, [
      { updateSheetProperties: { properties: { sheetId: tab.sheetId, gridProperties: { rowCount: rows, columnCount: cols } }, fields: 'gridProperties(rowCount,columnCount)' } },
    ]);
    tab.rowCount = rows;
    tab.columnCount = cols;
  }
}
