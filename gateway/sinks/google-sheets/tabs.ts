import type { sheets_v4 } from '@googleapis/sheets';
import type { Logger } from '../../log.js';
import { DEVICE_FIXED_COLUMNS, LONG_COLUMNS, LONG_REQUIRED_COLUMNS, type Layout } from '../layout.js';
import type { SheetsApi, SpreadsheetMeta } from './api.js';
import type { SheetBookkeeping, TabRecord } from './bookkeeping.js';
import { addTabRequests, growRequests, headerRequests, markTabRequest, quoteTitle } from './encoder.js';
import type { GridChange } from './plan.js';
import { isEmptyRow } from './verify.js';

/** A tab the gateway must use holds something else (its header is not sheetlog's). */
export class TabConflictError extends Error {
  readonly code = 'CONFLICT';
}

/** How a tab part that is not yet in the bookkeeping comes to be. */
export type TabOrigin = 'create' | 'adopt-empty' | 'adopt';

export function partTitle(base: string, part: number): string {
  return part === 1 ? base : `${base} ${part}`;
}

/**
 * Brings the bookkeeping in line with the spreadsheet as it is now. Tabs are followed by their
 * numeric sheetId, so a tab renamed by someone keeps receiving rows under its new name; a tab
 * that was deleted is forgotten (with its reservations) and created again when next needed.
 */
export function reconcileTabs(meta: SpreadsheetMeta, book: SheetBookkeeping, log: Logger): void {
  for (const t of book.tabs(meta.spreadsheetId)) {
    const sheet = meta.sheets.find((s) => s.sheetId === t.sheetId);
    if (!sheet) {
      log.warn({ tab: t.title, spreadsheetId: meta.spreadsheetId }, 'a tab written by sheetlog was deleted; it is created again for new rows');
      book.deleteTab(meta.spreadsheetId, t.tabKey, t.part);
      book.dropReservation(meta.spreadsheetId, t.tabKey, t.part);
      continue;
    }
    if (sheet.title !== t.title) log.info({ from: t.title, to: sheet.title }, 'a tab written by sheetlog was renamed; following it');
    if (sheet.title !== t.title || sheet.rowCount !== t.gridRows || sheet.columnCount !== t.gridCols) {
      book.saveTab(meta.spreadsheetId, { ...t, title: sheet.title, gridRows: sheet.rowCount, gridCols: sheet.columnCount });
    }
  }
}

/**
 * A record for a tab part the planner asked for: a sheet of that title that sheetlog does not
 * know yet is adopted (its header checked, its last filled row found), otherwise one is planned
 * for creation with a fresh sheetId.
 */
export async function openTab(
  api: SheetsApi,
  meta: SpreadsheetMeta,
  known: readonly TabRecord[],
  want: { tabKey: string; part: number; title: string; base: string; layout: Layout },
  newSheetId: () => number,
): Promise<{ tab: TabRecord; origin: TabOrigin }> {
  const fixed = want.layout === 'long' ? LONG_COLUMNS : DEVICE_FIXED_COLUMNS;
  const base = { tabKey: want.tabKey, part: want.part, title: want.title, sealed: false };
  // A tab carrying sheetlog's mark for this key and part is it, whatever its title now; else
  // the title decides (Sheets compares titles without regard to case).
  const marked = meta.sheets.find((s) => s.mark?.base === want.base && s.mark.tabKey === want.tabKey && s.mark.part === want.part && !known.some((t) => t.sheetId === s.sheetId));
  const sheet = marked ?? meta.sheets.find((s) => s.title.toLowerCase() === want.title.toLowerCase());
  if (!sheet) {
    let sheetId = newSheetId();
    while (meta.sheets.some((s) => s.sheetId === sheetId)) sheetId = newSheetId();
    return { tab: { ...base, sheetId, columns: [...fixed], nextRow: 2, gridRows: 0, gridCols: 0 }, origin: 'create' };
  }
  if (known.some((t) => t.sheetId === sheet.sheetId)) throw new TabConflictError(`tab "${want.title}" is already used by sheetlog for other rows`);
  const [header = [], columnA = []] = await api.batchGet(meta.spreadsheetId, [`${quoteTitle(sheet.title)}!1:1`, `${quoteTitle(sheet.title)}!A:A`]);
  const found = (header[0] ?? []).map((c) => String(c).trim());
  const grid = { title: sheet.title, gridRows: sheet.rowCount, gridCols: sheet.columnCount, sheetId: sheet.sheetId };
  if (isEmptyRow(found)) return { tab: { ...base, ...grid, columns: [...fixed], nextRow: Math.max(2, columnA.length + 1) }, origin: 'adopt-empty' };
  // sheetlog's columns are found by their header cells wherever they are (columns.ts); a
  // person's columns among them are fine. Without the mark, the header must hold all of them
  // (a long table from before units may lack `unit`: it is added at the right on the next write).
  const required = want.layout === 'long' ? LONG_REQUIRED_COLUMNS : fixed;
  const ours = found.filter((c) => fixed.includes(c) || (want.layout === 'per-device' && c !== ''));
  if (!marked && !required.every((c) => found.includes(c))) {
    throw new TabConflictError(`tab "${want.title}" already exists with another header (${found.slice(0, 4).join(', ')}…): rename it, or choose another sheets.tab`);
  }
  const columns = want.layout === 'long' ? [...fixed] : [...fixed, ...ours.filter((c) => !fixed.includes(c))];
  // The next row is found at write time below everything in sheetlog's columns (write.ts).
  return { tab: { ...base, ...grid, columns, nextRow: Math.max(2, columnA.length + 1) }, origin: 'adopt' };
}

export function tabId(t: { tabKey: string; part: number }): string {
  return `${t.tabKey}\u0000${t.part}`;
}

/**
 * The batchUpdate requests for new tabs, headers of adopted empty tabs, grown grids, and the
 * developer metadata that marks each tab as sheetlog's where it is missing (`marked`: sheetIds
 * that carry it).
 */
export function structuralRequests(
  tabs: readonly TabRecord[],
  grown: readonly GridChange[],
  origins: ReadonlyMap<string, TabOrigin>,
  marked: ReadonlySet<number> = new Set(),
  baseOf: (tabKey: string) => string = (k) => k,
): sheets_v4.Schema$Request[] {
  const requests: sheets_v4.Schema$Request[] = [];
  for (const t of tabs) {
    const origin = origins.get(tabId(t));
    const g = grown.find((x) => x.tab === t);
    if (origin === 'create') {
      requests.push(...addTabRequests({ sheetId: t.sheetId, title: t.title, rows: t.gridRows, columns: t.columns }), markTabRequest(t.sheetId, { base: baseOf(t.tabKey), tabKey: t.tabKey, part: t.part }));
      continue;
    }
    if (!marked.has(t.sheetId)) requests.push(markTabRequest(t.sheetId, { base: baseOf(t.tabKey), tabKey: t.tabKey, part: t.part }));
    if (g) requests.push(...growRequests({ sheetId: t.sheetId, fromRows: g.fromRows, toRows: t.gridRows, fromCols: g.fromCols, toCols: t.gridCols, columns: t.columns }));
    if (origin === 'adopt-empty') requests.push(...headerRequests(t.sheetId, t.columns, 1, t.gridRows));
  }
  return requests;
}

