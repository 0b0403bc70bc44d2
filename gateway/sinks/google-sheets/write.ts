import type { Logger } from '../../log.js';
import { KEY_COLUMNS, type Layout } from '../layout.js';
import type { ZoneClock } from '../../time/time-zone.js';
import type { CellValue, SheetsApi, SpreadsheetMeta } from './api.js';
import type { Reservation, SheetBookkeeping, TabRecord } from './bookkeeping.js';
import { blockRange, isEmptyCell, mapColumns, openRows, ownCells, span, spread, type ColumnMap } from './columns.js';
import { encodeRows, growRequests, quoteTitle, sheetValue, type SheetValue } from './encoder.js';
import type { GridChange, PlanResult, Slot } from './plan.js';
import { structuralRequests, tabId, TabConflictError, type TabOrigin } from './tabs.js';
import { isEmptyRow, rangeState } from './verify.js';

export interface PlannedWrite {
  spreadsheetId: string;
  meta: SpreadsheetMeta;
  result: Extract<PlanResult, { kind: 'planned' }>;
  origins: ReadonlyMap<string, TabOrigin>;
  /** Highest reading id of the batch: every reading up to here has reserved rows once saved. */
  plannedThrough: number;
}

export interface WriteDeps {
  api: SheetsApi;
  book: SheetBookkeeping;
  layout: Layout;
  /** Name of the long layout's tab (sheets.tab): what its parts and its mark are named after. */
  tabBase: string;
  zone: ZoneClock;
  now: () => number;
  log: Logger;
}

/** How often rows typed under the log may push a reservation down within one write. */
const MAX_MOVES = 3;

/**
 * Carries out a plan, in the order that keeps every step safe to repeat:
 *   1. create tabs / grow grids: the real grid is read first and never set below what it is
 *      (a person may have inserted rows or columns since sheetlog last looked);
 *   2. record the reservations in SQLite;
 *   3. read the header and the reserved rows to the end of the grid: find sheetlog's columns by
 *      their header cells, skip rows already there, move below anything in sheetlog's columns;
 *   4. write the values to exactly those cells (a person's columns in between are left alone).
 * A failure at any step leaves SQLite describing a write that can simply be done again.
 */
export async function writePlan(plan: PlannedWrite, deps: WriteDeps): Promise<void> {
  const { api, book } = deps;
  const { result, origins, spreadsheetId } = plan;
  const tabs = result.tabs.filter((t) => !(origins.get(tabId(t)) === 'create' && t.gridRows === 0));
  const grown = await againstRealGrids(plan, deps);
  const marked = new Set(plan.meta.sheets.filter((s) => s.mark).map((s) => s.sheetId));
  const baseOf = (k: string): string => (k === '' ? deps.tabBase : k);
  const structural = structuralRequests(tabs, grown, origins, marked, baseOf);
  if (structural.length > 0) {
    await api.batchUpdate(spreadsheetId, structural);
    updateMeta(plan.meta, tabs, baseOf);
  }
  book.savePlan(spreadsheetId, tabs, result.newReservations, plan.plannedThrough, deps.now());
  const { skip, maps } = await placeSlots(plan, deps);
  const data: { range: string; values: (SheetValue | null)[][] }[] = [];
  const headers = new Map<string, { title: string; column: number; name: string }>();
  for (const slot of result.slots) {
    const { reservation: r, tab } = slot;
    const map = maps.get(slot) ?? mapColumns([], r.columns);
    for (const h of map.newHeaders) headers.set(`${tab.sheetId}:${h.column}`, { title: tab.title, ...h });
    if (skip.has(slot)) continue;
    const { first, last } = span(map);
    data.push({ range: blockRange(tab.title, r.startRow, r.startRow + slot.rows.length - 1, first, last), values: spread(map, encodeRows(r.columns, slot.rows, deps.zone)) });
  }
  data.unshift(...headerRuns([...headers.values()]));
  if (data.length === 0) return;
  await api.writeValues(spreadsheetId, data);
}

/** Header cells to write, one values entry per run of adjacent cells of a tab. */
function headerRuns(cells: { title: string; column: number; name: string }[]): { range: string; values: SheetValue[][] }[] {
  const sorted = [...cells].sort((a, b) => a.title.localeCompare(b.title) || a.column - b.column);
  const runs: { title: string; first: number; names: string[] }[] = [];
  for (const c of sorted) {
    const last = runs[runs.length - 1];
    if (last && last.title === c.title && last.first + last.names.length === c.column) last.names.push(c.name);
    else runs.push({ title: c.title, first: c.column, names: [c.name] });
  }
  return runs.map((r) => ({ range: blockRange(r.title, 1, 1, r.first, r.first + r.names.length - 1), values: [r.names] }));
}

/**
 * The plan's grid growth, checked against the grids as they are now: never below the real row
 * or column count (grow = max(real, wanted)); a growth the real grid already has is dropped.
 */
async function againstRealGrids(plan: PlannedWrite, deps: WriteDeps): Promise<GridChange[]> {
  const grown = plan.result.grown.filter((g) => plan.origins.get(tabId(g.tab)) !== 'create');
  if (grown.length === 0) return plan.result.grown;
  const real = await deps.api.spreadsheet(plan.spreadsheetId);
  plan.meta.sheets = real.sheets;
  for (const g of grown) {
    const sheet = real.sheets.find((s) => s.sheetId === g.tab.sheetId);
    if (!sheet) continue; // deleted meanwhile: the request fails and the tab is looked up again
    g.fromRows = sheet.rowCount;
    g.fromCols = sheet.columnCount;
    g.tab.gridRows = Math.max(g.tab.gridRows, sheet.rowCount);
    g.tab.gridCols = Math.max(g.tab.gridCols, sheet.columnCount);
  }
  return plan.result.grown.filter((g) => plan.origins.get(tabId(g.tab)) === 'create' || g.tab.gridRows !== g.fromRows || g.tab.gridCols !== g.fromCols);
}

/**
 * After a confirmed write through `throughId`: each slot's reservation loses the rows just
 * written; reservations with nothing left are done.
 */
export function settleReservations(plan: PlannedWrite, throughId: number): [remaining: Reservation[], done: Reservation[]] {
  const remaining: Reservation[] = [];
  const done: Reservation[] = [];
  for (const { reservation: r, rows } of plan.result.slots) {
    if (throughId >= r.lastId) done.push(r);
    else remaining.push({ ...r, firstId: throughId + 1, startRow: r.startRow + rows.length, writeHeader: false });
  }
  return [remaining, done];
}

/**
 * Decides where each slot's rows go: the slots whose rows are already on the sheet (skipped), and
 * the column map of the others. Reservations move below anything in sheetlog's columns.
 */
async function placeSlots(plan: PlannedWrite, deps: WriteDeps): Promise<{ skip: Set<Slot>; maps: Map<Slot, ColumnMap> }> {
  const skip = new Set<Slot>();
  const maps = new Map<Slot, ColumnMap>();
  const replayed = new Set(plan.result.slots.filter((s) => !plan.result.newReservations.includes(s.reservation)));
  for (let round = 0; ; round++) {
    // A tab created by this plan is known to be empty, its header exactly sheetlog's.
    const slots = plan.result.slots.filter((s) => !skip.has(s) && (round > 0 || plan.origins.get(tabId(s.tab)) !== 'create'));
    if (slots.length === 0) return { skip, maps };
    const ranges = slots.flatMap((s) => [`${quoteTitle(s.tab.title)}!1:1`, openRows(s.tab.title, s.reservation.startRow, 0, Math.max(1, s.tab.gridCols) - 1)]);
    const found = await deps.api.batchGet(plan.spreadsheetId, ranges);
    const moves: { slot: Slot; below: number }[] = [];
    for (const [i, s] of slots.entries()) {
      const map = mapColumns(found[2 * i]?.[0] ?? [], s.reservation.columns);
      maps.set(s, map);
      const own = ownCells(found[2 * i + 1] ?? [], map);
      const verdict = judge(s, own, deps);
      if (verdict === 'write') continue;
      if (verdict === 'ours' || (replayed.has(s) && (await landedElsewhere(s, map, plan, deps)))) {
        skip.add(s);
        continue;
      }
      moves.push({ slot: s, below: s.reservation.startRow + lastFilledRow(own) + 1 });
    }
    if (moves.length === 0) {
      await ensureColumns(plan, slots, maps, deps);
      return { skip, maps };
    }
    if (round >= MAX_MOVES) throw new TabConflictError('rows keep appearing where sheetlog is about to write; retrying later');
    for (const m of moves) await moveTo(m.slot, m.below, plan, deps);
  }
}

/** ours: the rows are there already; write: the rows and everything below are empty; move: anything else. */
function judge(slot: Slot, own: CellValue[][], deps: WriteDeps): 'ours' | 'write' | 'move' {
  const n = slot.rows.length;
  const below = lastFilledRow(own) >= n;
  const state = rangeState(deps.layout, slot.reservation.columns, slot.rows, own.slice(0, n), deps.zone);
  if (state === 'ours') return 'ours';
  if ((state === 'empty' || state === 'mixed') && !below) return 'write';
  return 'move';
}

function lastFilledRow(rows: readonly CellValue[][]): number {
  for (let i = rows.length - 1; i >= 0; i--) if (!isEmptyRow(rows[i] ?? [])) return i;
  return -1;
}

/**
 * For a write whose answer was lost and whose rows are not where they were reserved: are they on
 * the tab anywhere else? A person may have sorted, inserted or deleted rows since it landed. The
 * key columns of the whole tab are read (only in this rare case) and each planned row looked up.
 */
async function landedElsewhere(slot: Slot, map: ColumnMap, plan: PlannedWrite, deps: WriteDeps): Promise<boolean> {
  const keys = KEY_COLUMNS[deps.layout];
  const positions = keys.map((k) => map.positions[slot.reservation.columns.indexOf(k)]);
  if (positions.some((p) => p === undefined || p >= slot.tab.gridCols)) return false;
  const columns = await deps.api.batchGet(plan.spreadsheetId, positions.map((p) => openRows(slot.tab.title, 2, p as number, p as number)));
  const height = Math.max(...columns.map((c) => c.length));
  const onSheet = new Set<string>();
  for (let r = 0; r < height; r++) {
    const key = columns.map((c) => c[r]?.[0]);
    if (!key.every(isEmptyCell)) onSheet.add(JSON.stringify(key.map((v) => String(v ?? ''))));
  }
  const found = slot.rows.some((row) => onSheet.has(JSON.stringify(keys.map((k) => String(sheetValue(row.cells[k] ?? null, deps.zone))))));
  if (found) deps.log.warn({ tab: slot.tab.title, from: slot.reservation.startRow }, 'rows whose write was not confirmed are on the sheet elsewhere (a person moved rows): not writing them again');
  return found;
}

/** Grows a grid (rows or columns) to at least the wanted size, after reading its real size. */
async function growTo(tab: TabRecord, rows: number, cols: number, plan: PlannedWrite, deps: WriteDeps): Promise<void> {
  const real = (await deps.api.spreadsheet(plan.spreadsheetId)).sheets.find((s) => s.sheetId === tab.sheetId);
  const fromRows = real?.rowCount ?? tab.gridRows;
  const fromCols = real?.columnCount ?? tab.gridCols;
  tab.gridRows = Math.max(fromRows, rows);
  tab.gridCols = Math.max(fromCols, cols);
  if (tab.gridRows === fromRows && tab.gridCols === fromCols) return;
  await deps.api.batchUpdate(plan.spreadsheetId, growRequests({ sheetId: tab.sheetId, fromRows, toRows: tab.gridRows, fromCols, toCols: tab.gridCols, columns: tab.columns }));
}

/** Columns placed right of the grid (new header cells beside a person's columns) need room. */
async function ensureColumns(plan: PlannedWrite, slots: readonly Slot[], maps: ReadonlyMap<Slot, ColumnMap>, deps: WriteDeps): Promise<void> {
  for (const s of slots) {
    const map = maps.get(s);
    if (map && span(map).last + 1 > s.tab.gridCols) await growTo(s.tab, s.tab.gridRows, span(map).last + 1, plan, deps);
  }
}

/** Moves a slot's reservation (and the tab's next free row) to `startRow`, below everything there. */
async function moveTo(slot: Slot, startRow: number, plan: PlannedWrite, deps: WriteDeps): Promise<void> {
  const { tab, reservation: r } = slot;
  const reserved = tab.nextRow - r.startRow;
  const from = r.startRow;
  r.startRow = startRow;
  tab.nextRow = r.startRow + reserved;
  const lastRow = r.startRow + Math.max(reserved, slot.rows.length) - 1;
  if (lastRow > tab.gridRows) await growTo(tab, lastRow, tab.gridCols, plan, deps);
  deps.book.savePlan(plan.spreadsheetId, [tab], [r], plan.plannedThrough, deps.now());
  deps.log.warn({ tab: tab.title, from, to: r.startRow }, 'rows were typed under the log: writing below them, never over them');
}

function updateMeta(meta: SpreadsheetMeta, tabs: readonly TabRecord[], baseOf: (tabKey: string) => string): void {
  for (const t of tabs) {
    const mark = { base: baseOf(t.tabKey), tabKey: t.tabKey, part: t.part };
    const sheet = meta.sheets.find((s) => s.sheetId === t.sheetId);
    if (sheet) {
      sheet.rowCount = t.gridRows;
      sheet.columnCount = t.gridCols;
      sheet.mark = mark;
    } else meta.sheets.push({ sheetId: t.sheetId, title: t.title, rowCount: t.gridRows, columnCount: t.gridCols, mark });
  }
}
