import { stat } from 'node:fs/promises';
import type { Logger } from '../../log.js';
import type { SinkStateStore } from '../../store/sink-state/port.js';
import type { StoredReading } from '../../store/readings.js';
import type { RateLimiter } from '../rate-limiter.js';
import type { QuotaUsage, Sink, SinkBatch, SinkHealth, WriteOutcome } from '../contract.js';
import type { Timers } from '../../time/timers.js';
import type { FieldRules } from '../../fields/rules.js';
import { layoutRows, type Layout } from '../layout.js';
import { handlingOf } from '../outcomes.js';
import { writablePrefix } from '../row-check.js';
import { isTimeZone, ZoneClock } from '../../time/time-zone.js';
import { SheetsApi, type SpreadsheetMeta } from './api.js';
import { createAuthClient, type AuthClient } from './auth-client.js';
import { SheetBookkeeping, type SinkRecord } from './bookkeeping.js';
import { describeCredentials, readCredentials, type Credentials } from './credentials.js';
import { estimateRowBytes } from './encoder.js';
import { loadGoogleLibraries, type GoogleLibraries } from './libraries.js';
import { classify, type SheetsFailure } from './errors.js';
import { describeQuota, filterNotices, protectionsOf } from './notices.js';
import { planRows } from './plan.js';
import { openTab, partTitle, reconcileTabs, tabId, TabConflictError, type TabOrigin } from './tabs.js';
import { settleReservations, writePlan, type PlannedWrite } from './write.js';

export interface SheetsSinkOptions {
  spreadsheetId: string;
  overflowSpreadsheetIds: readonly string[];
  credentials: string;
  layout: Layout;
  tab: string;
  /** '' → the spreadsheet's own time zone. */
  timeZone: string;
  rootUrl: string;
  tokenUrl: string;
  requestTimeoutMs: number;
  maxRequestBytes: number;
  growRows: number;
  maxCellsPerSpreadsheet: number;
  maxCellsPerTab: number;
  authRetryMs: number;
  /** Field rules: values shown calibrated, with the long layout's `unit` (docs/FIELDS.md); absent: as sent. */
  fields?: FieldRules;
  /** false: the raw table is not among `sinks.google-sheets.tables`; readings are passed over unwritten. */
  writeReadings?: boolean;
}

export interface SheetsSinkDeps {
  /** Where its bookkeeping lives (the store's state port; tables and migrations: state.ts). */
  state: SinkStateStore;
  limiter: RateLimiter;
  timers: Timers;
  log: Logger;
  random?: () => number;
}

interface Session {
  api: SheetsApi;
  auth: AuthClient;
  creds: Credentials;
  /** The credentials file as it was read (mtime and size): a changed file means a new session. */
  fileStamp: string;
}

/** A values request's JSON around its data ({"valueInputOption":"RAW","data":[...]}), with room to spare. */
const REQUEST_ENVELOPE_BYTES = 256;
/** Per tab: its data entries' ranges and keys (the header row's names are counted apart). */
const TAB_ENTRY_BYTES = 256;

/** Near a full spreadsheet, a batch cut to less than 1/CRUMBS of itself goes to the next one instead. */
const CRUMBS = 8;

/** The spreadsheet has no room left and there is nowhere configured to roll over to. */
class SpreadsheetFullError extends Error {
  readonly code = 'FULL';
}

/**
 * Google Sheets through the real @googleapis/sheets and google-auth-library clients.
 *
 * Exactly once (docs/SHEETS.md): the gateway owns explicit row ranges. Before a write is sent,
 * the rows it will fill are reserved in SQLite (which readings go to which rows of which tab);
 * grids are grown first with absolute sizes; values are written with values.batchUpdate to those
 * exact ranges, so a retry after a lost answer writes the same cells again instead of adding
 * rows. Just before writing, the reserved rows are read back: our own rows mean an earlier write
 * landed, anything else was typed by a person and the reservation moves below it.
 */
export class SheetsSink implements Sink {
  readonly name = 'google-sheets';
  private readonly book: SheetBookkeeping;
  private session: Session | null = null;
  /** The Google client libraries, imported by the first connect() (libraries.ts). */
  private libraries: Promise<GoogleLibraries> | null = null;
  private meta: SpreadsheetMeta | null = null;
  /** The last metadata read, kept after failures, for messages (protected ranges). */
  private lastMeta: SpreadsheetMeta | null = null;
  private zone = new ZoneClock('UTC');
  private readonly random: () => number;

  constructor(
    private readonly options: SheetsSinkOptions,
    private readonly deps: SheetsSinkDeps,
  ) {
    if (options.spreadsheetId === '') throw new Error('sheets.spreadsheetId is required for the google-sheets sink');
    this.book = new SheetBookkeeping(deps.state, this.name);
    this.random = deps.random ?? Math.random;
  }

  /** The spreadsheet in use, with its title once the sink has read it (status, dashboard, API). */
  describe(): string {
    const id = this.book.current()?.spreadsheetId ?? this.options.spreadsheetId;
    const title = this.lastMeta?.spreadsheetId === id && this.lastMeta.title !== '' ? ` "${this.lastMeta.title}"` : '';
    return `spreadsheet ${id}${title}`;
  }

  quota(): QuotaUsage {
    const l = this.deps.limiter;
    return { windowMs: l.windowMs, writesUsed: l.used('write'), writesLimit: l.limit('write'), readsUsed: l.used('read'), readsLimit: l.limit('read') };
  }

  /** A batch costs a read (the look at its rows) and a write: both must be free. */
  readyInMs(): number {
    return Math.max(this.deps.limiter.delayFor('write'), this.deps.limiter.delayFor('read'));
  }

  async start(): Promise<void> {
    this.record();
  }

  async close(): Promise<void> {
    this.deps.limiter.close();
    this.session = null;
    this.meta = null;
  }

  async health(): Promise<SinkHealth> {
    try {
      const s = await this.connect();
      const meta = await s.api.spreadsheet(this.record().spreadsheetId);
      const notes = filterNotices(meta, this.book.tabs(meta.spreadsheetId)).map((n) => `; ${n.code}: ${n.message}`).join('');
      return { ok: true, detail: `${describeCredentials(s.creds)} can open "${meta.title}" (${meta.sheets.map((x) => x.title).join(', ')})${notes}` };
    } catch (e) {
      const f = this.explain(classify(e));
      if (f.code === 'AUTH') this.session = null;
      return { ok: false, code: f.code, reason: f.message };
    }
  }

  async write(batch: SinkBatch): Promise<WriteOutcome> {
    // A row no cell can hold ends the batch here (rejected when it comes first: quarantine).
    const writable = writablePrefix(batch.rows);
    if ('outcome' in writable) return writable.outcome;
    const last = writable.rows[writable.rows.length - 1];
    if (!last) throw new Error('empty batch');
    // Summaries only (sinks.google-sheets.tables without "readings"): no raw row is written.
    if (this.options.writeReadings === false) return { kind: 'delivered', throughId: last.id };
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.attempt(writable.rows, last.id, batch.rows.length - writable.rows.length + (batch.pending ?? 0));
      } catch (e) {
        // A range that no longer resolves (a tab renamed or deleted by someone): read the
        // spreadsheet again and retry at once; the bookkeeping follows the tabs by sheetId.
        if (attempt === 0 && classify(e).badRange) {
          this.meta = null;
          continue;
        }
        // Name the protection in the message: look at the tabs' protected ranges as they are now.
        if (classify(e).code === 'PROTECTED') await this.refreshLastMeta();
        return this.failed(e);
      }
    }
  }

  /** `waiting`: readings known to wait after `rows` (the rest of the batch and the worker's `pending`). */
  private async attempt(rows: readonly StoredReading[], lastId: number, waiting: number): Promise<WriteOutcome> {
    const s = await this.connect();
    let rec = this.record();
    const fresh = rows.filter((r) => r.id > rec.deliveredThrough);
    if (fresh.length === 0) return { kind: 'delivered', throughId: lastId };
    const replay = rec.plannedThrough > rec.deliveredThrough;
    let readings = replay ? fresh.filter((r) => r.id <= rec.plannedThrough) : this.cutToSize(fresh);
    let plan: PlannedWrite | null = null;
    while (!plan) {
      const meta = await this.metadata(s.api, rec.spreadsheetId);
      const planned = await this.plan(s.api, meta, readings, this.backlog(waiting + fresh.length - readings.length));
      if (typeof planned !== 'number') {
        plan = planned;
        break;
      }
      // Over budget: keep the share of the readings that fits (their rows are much alike; the
      // loop checks again), or, when only crumbs would fit, go on in the next spreadsheet rather
      // than spend a write request on them. A replay must stay where it was reserved.
      const keep = Math.min(readings.length - 1, Math.floor(readings.length * planned));
      if (!replay && keep >= 1 && keep >= readings.length / CRUMBS) readings = readings.slice(0, keep);
      else {
        rec = this.rollOver(rec);
        readings = this.cutToSize(fresh);
      }
    }
    const throughId = (readings[readings.length - 1] as StoredReading).id;
    await writePlan(plan, { api: s.api, book: this.book, layout: this.options.layout, tabBase: this.options.tab, zone: this.zone, now: () => this.deps.timers.now(), log: this.deps.log });
    this.book.commitDelivery(rec.spreadsheetId, ...settleReservations(plan, throughId), throughId, this.deps.timers.now());
    return { kind: 'delivered', throughId };
  }

  /**
   * The readings behind a write that its tab's grid may grow for (plan.ts): in the long layout,
   * every reading known to wait (the rest of the batch, cut to the request size or to the
   * spreadsheet's room, and what waits after it); its rows all go to the one tab. In the
   * per-device layout, none: which devices' tabs the backlog goes to is not known, and a grid
   * grown for rows that go elsewhere keeps those cells for good (grids never shrink), which
   * could fill a spreadsheet with empty rows; its grids grow 8 batches ahead.
   */
  private backlog(waiting: number): number {
    return this.options.layout === 'long' ? waiting : 0;
  }

  /** The sink's SQLite record, pointed at a spreadsheet of the configured chain. */
  private record(): SinkRecord {
    const chain = [this.options.spreadsheetId, ...this.options.overflowSpreadsheetIds];
    const rec = this.book.current();
    if (rec && chain.includes(rec.spreadsheetId)) return rec;
    this.book.useSpreadsheet(this.options.spreadsheetId, this.deps.timers.now());
    return this.book.current() as SinkRecord;
  }

  private rollOver(rec: SinkRecord): SinkRecord {
    const chain = [this.options.spreadsheetId, ...this.options.overflowSpreadsheetIds];
    const next = chain[chain.indexOf(rec.spreadsheetId) + 1];
    if (rec.plannedThrough > rec.deliveredThrough || next === undefined) {
      throw new SpreadsheetFullError(`spreadsheet ${rec.spreadsheetId} has no room left (sheets.maxCellsPerSpreadsheet); add an id to sheets.overflowSpreadsheetIds`);
    }
    this.deps.log.warn({ from: rec.spreadsheetId, to: next }, 'spreadsheet full: continuing in the next one');
    this.book.useSpreadsheet(next, this.deps.timers.now());
    this.meta = null;
    return this.book.current() as SinkRecord;
  }

  /**
   * Plans the readings, opening (adopting or creating) tab parts as the planner asks for them;
   * a grid that must grow grows for `backlog` more readings too (plan.ts). A number: they need
   * more cells than the spreadsheet has left; the share of them that fits.
   */
  private async plan(api: SheetsApi, meta: SpreadsheetMeta, readings: StoredReading[], backlog: number): Promise<PlannedWrite | number> {
    const blocks = layoutRows(this.options.layout, readings, this.options.fields ?? null);
    const tabs = this.book.tabs(meta.spreadsheetId);
    const origins = new Map<string, TabOrigin>();
    const used = meta.sheets.reduce((n, s) => n + s.rowCount * s.columnCount, 0);
    for (;;) {
      const limits = { maxCellsPerTab: this.options.maxCellsPerTab, growRows: this.options.growRows, budgetCells: this.options.maxCellsPerSpreadsheet - used };
      const result = planRows(blocks, tabs, this.book.reservations(meta.spreadsheetId), limits, backlog);
      if (result.kind === 'tab-too-small') throw new TabConflictError(`one reading of "${result.tabKey || this.options.tab}" does not fit in sheets.maxCellsPerTab`);
      // The rows that fit: those in the grid as it is, and as many more as the budget allows.
      if (result.kind === 'over-budget') return Math.max(0, result.rowCells - (result.cells - Math.max(0, limits.budgetCells))) / Math.max(1, result.rowCells);
      if (result.kind === 'planned') {
        return { spreadsheetId: meta.spreadsheetId, meta, result, origins, plannedThrough: (readings[readings.length - 1] as StoredReading).id };
      }
      const base = result.tabKey === '' ? this.options.tab : result.tabKey;
      const title = partTitle(base, result.part);
      const opened = await openTab(api, meta, tabs, { ...result, title, base, layout: this.options.layout }, () => 1 + Math.floor(this.random() * 2_000_000_000));
      tabs.push(opened.tab);
      origins.set(tabId(opened.tab), opened.origin);
    }
  }

  /**
   * Readings from the start of `fresh` whose values request stays under maxRequestBytes (at least
   * one): the rows as encoded, plus the request's envelope and, per tab, its range and header.
   */
  private cutToSize(fresh: StoredReading[]): StoredReading[] {
    let bytes = REQUEST_ENVELOPE_BYTES;
    const tabs = new Set<string>();
    for (let i = 0; i < fresh.length; i++) {
      for (const block of layoutRows(this.options.layout, [fresh[i] as StoredReading], this.options.fields ?? null)) {
        if (!tabs.has(block.tabKey)) {
          tabs.add(block.tabKey);
          bytes += TAB_ENTRY_BYTES + block.columns.reduce((n, c) => n + Buffer.byteLength(c) + 3, 0);
        }
        for (const row of block.rows) bytes += estimateRowBytes(row, block.columns, this.zone);
      }
      if (bytes > this.options.maxRequestBytes && i > 0) return fresh.slice(0, i);
    }
    return fresh;
  }

  /** The client session, rebuilt when the credentials file changed (fixed, rotated) or after AUTH. */
  private async connect(): Promise<Session> {
    const fileStamp = await stamp(this.options.credentials);
    if (this.session && this.session.fileStamp === fileStamp) return this.session;
    this.session = null;
    const creds = await readCredentials(this.options.credentials);
    const lib = await (this.libraries ??= loadGoogleLibraries());
    const auth = createAuthClient(lib.auth, creds, { tokenUrl: this.options.tokenUrl, timeoutMs: this.options.requestTimeoutMs });
    const api = new SheetsApi(lib.sheets, auth, { rootUrl: this.options.rootUrl, timeoutMs: this.options.requestTimeoutMs, limiter: this.deps.limiter });
    this.session = { api, auth, creds, fileStamp };
    return this.session;
  }

  /** Spreadsheet metadata (cached until a failure), with the bookkeeping reconciled to it. */
  private async metadata(api: SheetsApi, spreadsheetId: string): Promise<SpreadsheetMeta> {
    if (this.meta?.spreadsheetId === spreadsheetId) return this.meta;
    const meta = await api.spreadsheet(spreadsheetId);
    reconcileTabs(meta, this.book, this.deps.log);
    if (this.lastMeta?.spreadsheetId !== meta.spreadsheetId) {
      this.deps.log.info({ spreadsheetId: meta.spreadsheetId, title: meta.title, url: `https://docs.google.com/spreadsheets/d/${meta.spreadsheetId}/edit` }, `writing to spreadsheet "${meta.title}"`);
    }
    this.lastMeta = meta;
    for (const n of filterNotices(meta, this.book.tabs(spreadsheetId))) this.deps.log.warn({ code: n.code, spreadsheetId }, n.message);
    const tz = this.options.timeZone || (meta.timeZone && isTimeZone(meta.timeZone) ? meta.timeZone : 'UTC');
    if (tz !== this.zone.timeZone) this.zone = new ZoneClock(tz);
    this.meta = meta;
    return meta;
  }

  private failed(e: unknown): WriteOutcome {
    if (e instanceof SpreadsheetFullError || e instanceof TabConflictError) this.meta = null;
    if (e instanceof SpreadsheetFullError) return { kind: 'retry-later', code: 'FULL', reason: e.message, delayMs: this.options.authRetryMs };
    if (e instanceof TabConflictError) return { kind: 'retry-later', code: 'CONFLICT', reason: e.message, delayMs: this.options.authRetryMs };
    const f = this.explain(classify(e));
    if (f.code === 'AUTH') this.session = null;
    // A structural request may have changed tabs or grids before it failed: read them again.
    if (f.kind === 'structural' || f.badRange || !['RATE_LIMITED', 'UNAVAILABLE', 'TIMEOUT'].includes(f.code)) this.meta = null;
    // Only a refusal of the cells' content is the rows' fault (a refused range or tab is not).
    if (handlingOf(f.code) === 'quarantine' && f.kind === 'values-write') return { kind: 'rejected', code: f.code, reason: f.message };
    const slow = handlingOf(f.code) === 'person';
    const delayMs = slow ? Math.max(f.retryAfterMs ?? 0, this.options.authRetryMs) : f.retryAfterMs;
    return { kind: 'retry-later', code: f.code, reason: f.message, ...(delayMs !== undefined ? { delayMs } : {}) };
  }

  /** Adds what to do about it to the failures a person must fix. */
  private explain(f: SheetsFailure): SheetsFailure {
    const id = this.book.current()?.spreadsheetId ?? this.options.spreadsheetId;
    const who = this.session ? describeCredentials(this.session.creds) : 'the configured credentials';
    if (f.code === 'AUTH') return { ...f, message: `${f.message} (check ${this.options.credentials || 'sheets.credentials'}; run \`sheetlog auth check\`)` };
    if (f.code === 'PERMISSION') return { ...f, message: `${f.message} (share spreadsheet ${id} with ${who} as an editor)` };
    if (f.code === 'NOT_FOUND') return { ...f, message: `${f.message} (spreadsheet ${id} does not exist or is not shared with ${who})` };
    if (f.code === 'PROTECTED') {
      const where = this.lastMeta ? protectionsOf(this.lastMeta, this.book.tabs(this.lastMeta.spreadsheetId)) : '';
      return { ...f, message: `${f.message} (a protected range${where} covers cells sheetlog writes: remove the protection, or add ${who} to its editors; nothing is lost, sheetlog retries)` };
    }
    if (f.code === 'RATE_LIMITED' && f.quota) return { ...f, message: `${f.message} (${describeQuota(f.quota, who)})` };
    return f;
  }

  private async refreshLastMeta(): Promise<void> {
    try {
      this.lastMeta = await (await this.connect()).api.spreadsheet(this.record().spreadsheetId);
    } catch {
      // Only for the message; the failure at hand is reported either way.
    }
  }
}

async function stamp(path: string): Promise<string> {
  try {
    const st = await stat(path);
    return `${st.mtimeMs}:${st.size}:${st.ino}`;
  } catch {
    return 'missing';
  }
}

