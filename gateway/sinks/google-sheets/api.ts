import type { sheets_v4 } from '@googleapis/sheets';
import type { RateLimiter, RequestKind } from '../rate-limiter.js';
import type { AuthClient } from './auth-client.js';
import type { SheetValue } from './encoder.js';
import { fromClientError } from './google-errors.js';
import type { SheetsRequestKind } from './request-error.js';

export interface SheetMeta {
  sheetId: number;
  title: string;
  rowCount: number;
  columnCount: number;
  /** The tab-level developer metadata that marks a tab as sheetlog's (see tabs.ts), if any. */
  mark?: TabMark;
  /** Rows (1-based, inclusive) a person's basic filter covers, if the tab has one. */
  filterRows?: { first: number; last: number };
  /** Protected ranges on the tab (a person's), as A1-ish descriptions for messages. */
  protections?: string[];
}

/** What sheetlog's developer metadata on a tab says: which of its tabs this is. */
export interface TabMark {
  /** The configured tab name (long layout) or the device id (per-device) the tab's parts are named after. */
  base: string;
  tabKey: string;
  part: number;
}

/** Key of the developer metadata sheetlog puts on its tabs. */
export const TAB_MARK_KEY = 'sheetlog.tab';

/** The mark in a metadata entry, if it is sheetlog's and well-formed. */
export function parseMark(m: sheets_v4.Schema$DeveloperMetadata): TabMark | undefined {
  if (m.metadataKey !== TAB_MARK_KEY || typeof m.metadataValue !== 'string') return undefined;
  try {
    const v = JSON.parse(m.metadataValue) as { base?: unknown; tabKey?: unknown; part?: unknown };
    return typeof v.base === 'string' && typeof v.tabKey === 'string' && typeof v.part === 'number' ? { base: v.base, tabKey: v.tabKey, part: v.part } : undefined;
  } catch {
    return undefined;
  }
}

function sheetMeta(s: sheets_v4.Schema$Sheet): SheetMeta {
  const meta: SheetMeta = {
    sheetId: s.properties?.sheetId ?? 0,
    title: s.properties?.title ?? '',
    rowCount: s.properties?.gridProperties?.rowCount ?? 0,
    columnCount: s.properties?.gridProperties?.columnCount ?? 0,
  };
  const mark = (s.developerMetadata ?? []).map(parseMark).find((m) => m !== undefined);
  if (mark) meta.mark = mark;
  const f = s.basicFilter?.range;
  if (f) meta.filterRows = { first: (f.startRowIndex ?? 0) + 1, last: f.endRowIndex ?? meta.rowCount };
  const p = (s.protectedRanges ?? []).filter((r) => r.warningOnly !== true);
  if (p.length > 0) meta.protections = p.map((r) => r.description || describeRange(r.range));
  return meta;
}

function describeRange(r: sheets_v4.Schema$GridRange | undefined): string {
  if (!r || (r.startRowIndex == null && r.endRowIndex == null)) return 'the whole tab';
  return `rows ${(r.startRowIndex ?? 0) + 1}-${r.endRowIndex ?? 'end'}`;
}

export interface SpreadsheetMeta {
  spreadsheetId: string;
  title: string;
  timeZone: string | null;
  sheets: SheetMeta[];
}

export type CellValue = string | number | boolean;

/** @googleapis/sheets, imported on first use (libraries.ts). */
export type SheetsLibrary = typeof import('@googleapis/sheets');

export interface SheetsApiOptions {
  rootUrl: string;
  timeoutMs: number;
  limiter: RateLimiter;
}

/**
 * The thin I/O shell over @googleapis/sheets: every call waits for the rate limiter, has an
 * explicit timeout, and is never retried by the client library (`retry: false`: gaxios would
 * otherwise repeat PUTs and 5xx by itself; retrying is the sync worker's decision). Every call
 * goes through `call`, so what leaves this class is a SheetsRequestError (request-error.ts) with
 * its SINK code decided, or the limiter's LimiterClosedError at shutdown.
 */
export class SheetsApi {
  private readonly api: sheets_v4.Sheets;

  constructor(
    lib: SheetsLibrary,
    private readonly auth: AuthClient,
    private readonly options: SheetsApiOptions,
  ) {
    // The client's googleapis-common bundles its own google-auth-library copy; the types differ,
    // the runtime contract (`request()`) is the same.
    this.api = lib.sheets({ version: 'v4', auth: auth as unknown as sheets_v4.Options['auth'], rootUrl: options.rootUrl });
  }

  async spreadsheet(spreadsheetId: string): Promise<SpreadsheetMeta> {
    const res = await this.call('metadata', () =>
      this.api.spreadsheets.get(
        {
          spreadsheetId,
          fields:
            'spreadsheetId,properties(title,timeZone),sheets(properties(sheetId,title,index,gridProperties),developerMetadata(metadataKey,metadataValue),basicFilter(range),protectedRanges(range,description,warningOnly))',
        },
        this.options_(),
      ),
    );
    return {
      spreadsheetId,
      title: res.data.properties?.title ?? '',
      timeZone: res.data.properties?.timeZone ?? null,
      sheets: (res.data.sheets ?? []).map(sheetMeta),
    };
  }

  /** Unformatted values (date-times as serial numbers) of each range, trailing empties trimmed. */
  async batchGet(spreadsheetId: string, ranges: string[]): Promise<CellValue[][][]> {
    const res = await this.call('values-read', () =>
      this.api.spreadsheets.values.batchGet(
        { spreadsheetId, ranges, valueRenderOption: 'UNFORMATTED_VALUE', dateTimeRenderOption: 'SERIAL_NUMBER', majorDimension: 'ROWS' },
        this.options_(),
      ),
    );
    const got = res.data.valueRanges ?? [];
    return ranges.map((_, i) => (got[i]?.values ?? []) as CellValue[][]);
  }

  /**
   * Writes values as they are (RAW: strings never become formulas or dates). The body goes to the
   * client already serialised: given as an object, googleapis-common and gaxios each deep-copy it
   * (`extend(true, …)`) before serialising it, about 0.15 s of the sync thread for a 2 MB request;
   * a string is passed through as it is, with its content type.
   */
  async writeValues(spreadsheetId: string, data: { range: string; values: (SheetValue | null)[][] }[]): Promise<void> {
    const body: sheets_v4.Schema$BatchUpdateValuesRequest = { valueInputOption: 'RAW', data: data.map((d) => ({ range: d.range, majorDimension: 'ROWS', values: d.values })) };
    const json = JSON.stringify(body);
    await this.call('values-write', () =>
      this.api.spreadsheets.values.batchUpdate(
        { spreadsheetId, requestBody: json as unknown as sheets_v4.Schema$BatchUpdateValuesRequest },
        { ...this.options_(), headers: { 'content-type': 'application/json; charset=utf-8' } },
      ),
    );
  }

  /**
   * One atomic spreadsheets.batchUpdate. A failure is of kind `structural`: it may have changed
   * tabs or grids before failing (no answer), so the sink no longer trusts its cached metadata.
   */
  async batchUpdate(spreadsheetId: string, requests: sheets_v4.Schema$Request[]): Promise<void> {
    await this.call('structural', () =>
      this.api.spreadsheets.batchUpdate({ spreadsheetId, requestBody: { requests, includeSpreadsheetInResponse: false } }, this.options_()),
    );
  }

  /** Fetches a fresh access token (after Google said the current one is no longer valid). */
  async refreshToken(): Promise<void> {
    this.auth.credentials = { ...this.auth.credentials, expiry_date: 1 };
    await requestToken(this.auth);
  }

  /**
   * Waits for the limiter, then calls; a failure becomes a SheetsRequestError of this kind. A 401
   * from the API (the access token was revoked or expired early) means nothing was applied: the
   * token is refreshed and the call made once more. (A JWT client would otherwise keep sending
   * its cached token until its known expiry.)
   */
  private async call<T>(kind: Exclude<SheetsRequestKind, 'token'>, fn: () => Promise<T>): Promise<T> {
    const quota: RequestKind = kind === 'metadata' || kind === 'values-read' ? 'read' : 'write';
    await this.options.limiter.acquire(quota);
    try {
      return await fn();
    } catch (e) {
      const failure = fromClientError(e, kind);
      if (failure.status !== 401 || failure.kind === 'token') throw failure;
      await this.refreshToken();
      await this.options.limiter.acquire(quota);
      try {
        return await fn();
      } catch (again) {
        throw fromClientError(again, kind);
      }
    }
  }

  private options_(): { timeout: number; retry: false } {
    return { timeout: this.options.timeoutMs, retry: false };
  }
}

/** Asks the token endpoint for an access token; a failure is a SheetsRequestError of kind `token`. */
export async function requestToken(auth: AuthClient): Promise<void> {
  try {
    await auth.getAccessToken();
  } catch (e) {
    throw fromClientError(e, 'token');
  }
}
