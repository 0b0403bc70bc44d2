import type { Logger } from '../../log.js';
import type { Layout } from '../layout.js';
import type { ZoneClock } from '../time-zone.js';
import type { SheetsApi, SpreadsheetMeta } from './api.js';
import type { Reservation, SheetBookkeeping, TabRecord } from './bookkeeping.js';
import { encodeRows, growRequests, rowsRange, wholeRows, type SheetValue } from './encoder.js';
import type { PlanResult, Slot } from './plan.js';
import { structuralRequests, tabId, TabConflictError, type TabOrigin } from './tabs.js';
import { rangeState } from './verify.js';

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
  zone: ZoneClock;
  now: () => number;
  log: Logger;
}

/** How often rows typed under the log may push a reservation down within one write. */
const MAX_MOVES = 3;

/**
 * Carries out a plan, in the order that keeps every step safe to repeat:
 *   1. create tabs / grow grids (absolute sizes, one atomic batchUpdate);
 *   2. record the reservations in SQLite;
 *   3. read the reserved rows back: skip rows already there, move below rows typed by a person;
 *   4. write the values to exactly those ranges.
 * A failure at any step leaves SQLite describing a write that can simply be done again.
 */
export async function writePlan(plan: PlannedWrite, deps: WriteDeps): Promise<void> {
  const { api, book } = deps;
  const { result, origins, spreadsheetId } = plan;
  const tabs = result.tabs.filter((t) => !(origins.get(tabId(t)) === 'create' && t.gridRows === 0));
  const structural = structuralRequests(tabs, result.grown, origins);
  if (structural.length > 0) {
    await api.batchUpdate(spreadsheetId, structural);
    updateMeta(plan.meta, tabs);
  }
  book.savePlan(spreadsheetId, tabs, result.newReservations, plan.plannedThrough, deps.now());
  const skip = await checkReservedRows(plan, deps);
  const data: { range: string; values: SheetValue[][] }[] = [];
  for (const slot of result.slots) {
    const { reservation: r, tab } = slot;
    if (r.writeHeader) data.push({ range: rowsRange(tab.title, 1, 1, r.columns.length), values: [r.columns] });
    if (skip.has(slot)) continue;
    data.push({ range: rowsRange(tab.title, r.startRow, r.startRow + slot.rows.length - 1, r.columns.length), values: encodeRows(r.columns, slot.rows, deps.zone) });
  }
  if (data.length === 0) return;
  try {
    await api.writeValues(spreadsheetId, data);
  } catch (e) {
    // Marks a refusal of the content itself (as opposed to the ranges or the tabs).
    if (e && typeof e === 'object') (e as { sheetlogValuesWrite?: boolean }).sheetlogValuesWrite = true;
    throw e;
  }
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

/** Returns the slots whose rows are already on the sheet; moves reservations below foreign rows. */
async function checkReservedRows(plan: PlannedWrite, deps: WriteDeps): Promise<Set<Slot>> {
  const skip = new Set<Slot>();
  for (let round = 0; ; round++) {
    // A tab created by this plan is known to be empty.
    const slots = plan.result.slots.filter((s) => round > 0 || plan.origins.get(tabId(s.tab)) !== 'create');
    if (slots.length === 0) return skip;
    const ranges = slots.map((s) => wholeRows(s.tab.title, s.reservation.startRow, s.reservation.startRow + s.rows.length - 1));
    const found = await deps.api.batchGet(plan.spreadsheetId, ranges);
    const foreign: Slot[] = [];
    slots.forEach((s, i) => {
      const state = rangeState(deps.layout, s.reservation.columns, s.rows, found[i] ?? [], deps.zone);
      if (state === 'ours') skip.add(s);
      if (state === 'foreign') foreign.push(s);
    });
    if (foreign.length === 0) return skip;
    if (round >= MAX_MOVES) throw new TabConflictError('rows keep appearing where sheetlog is about to write; retrying later');
    for (const s of foreign) await moveBelow(s, plan, deps);
  }
}

/** Moves a slot's reservation (and the tab's next free row) below the last non-empty row. */
async function moveBelow(slot: Slot, plan: PlannedWrite, deps: WriteDeps): Promise<void> {
  const { tab, reservation: r } = slot;
  const [tail = []] = await deps.api.batchGet(plan.spreadsheetId, [wholeRows(tab.title, r.startRow, Math.max(r.startRow, tab.gridRows))]);
  const reserved = tab.nextRow - r.startRow;
  const from = r.startRow;
  r.startRow = from + tail.length;
  tab.nextRow = r.startRow + reserved;
  const lastRow = r.startRow + Math.max(reserved, slot.rows.length) - 1;
  if (lastRow > tab.gridRows) {
    const fromRows = tab.gridRows;
    tab.gridRows = lastRow;
    await deps.api.batchUpdate(plan.spreadsheetId, growRequests({ sheetId: tab.sheetId, fromRows, toRows: tab.gridRows, fromCols: tab.gridCols, toCols: tab.gridCols, columns: tab.columns }));
  }
  deps.book.savePlan(plan.spreadsheetId, [tab], [r], plan.plannedThrough, deps.now());
  deps.log.warn({ tab: tab.title, from, to: r.startRow }, 'rows were typed under the log: writing below them, never over them');
}

function updateMeta(meta: SpreadsheetMeta, tabs: readonly TabRecord[]): void {
  for (const t of tabs) {
    const sheet = meta.sheets.find((s) => s.sheetId === t.sheetId);
    if (sheet) {
      sheet.rowCount = t.gridRows;
      sheet.columnCount = t.gridCols;
    } else meta.sheets.push({ sheetId: t.sheetId, title: t.title, rowCount: t.gridRows, columnCount: t.gridCols });
  }
}
