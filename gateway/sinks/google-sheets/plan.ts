import { extendColumns, type TabBlock, type TableRow } from '../layout.js';
import type { Reservation, TabRecord } from './bookkeeping.js';

/**
 * A grid that must grow gets room for at least this many more batches like the one that made it
 * grow (or for the whole backlog, when more is known to be waiting: see growAhead).
 */
export const GROW_AHEAD_BATCHES = 8;

/**
 * Where each row of a batch goes. Pure: it works on copies of the tab records and returns what
 * must change; the sink does the I/O.
 *
 * Rows of readings that already have a reservation go exactly where it says (a replay of a write
 * whose confirmation never arrived). Other rows get new reservations at the end of the active
 * tab of their key, whole readings at a time; a tab that reached maxCellsPerTab is sealed and
 * the rows continue in the next part. A grid that must grow gets room for more than the batch
 * (growAhead below): for the backlog behind it when that is known, within the cells the
 * spreadsheet has left.
 */
export interface PlanLimits {
  /** 0: no per-tab limit. */
  maxCellsPerTab: number;
  growRows: number;
  /** Cells the spreadsheet may still gain. */
  budgetCells: number;
}

export interface Slot {
  tab: TabRecord;
  reservation: Reservation;
  /** Rows to write now, consecutively from reservation.startRow. */
  rows: TableRow[];
}

export interface GridChange {
  tab: TabRecord;
  fromRows: number;
  fromCols: number;
}

export type PlanResult =
  | { kind: 'planned'; slots: Slot[]; tabs: TabRecord[]; grown: GridChange[]; newReservations: Reservation[]; cells: number }
  /** The planner needs this tab part (new or adopted) in `tabs` before it can go on. */
  | { kind: 'need-tab'; tabKey: string; part: number }
  /** The batch needs more cells than the spreadsheet has left (`cells`); its rows take `rowCells`. */
  | { kind: 'over-budget'; cells: number; rowCells: number }
  /** One reading does not fit even in an empty tab. */
  | { kind: 'tab-too-small'; tabKey: string };

/**
 * `backlogReadings`: readings known to be waiting after this batch whose rows go to the tab keys
 * of this batch, like this batch's (0: none known, a live trickle). A grid that has to grow
 * anyway grows for them too, so a sink that is behind pays about one growth per spreadsheet
 * instead of one every few batches.
 */
export function planRows(blocks: readonly TabBlock[], tabsIn: readonly TabRecord[], reservations: readonly Reservation[], limits: PlanLimits, backlogReadings = 0): PlanResult {
  const tabs = tabsIn.map((t) => ({ ...t, columns: [...t.columns] }));
  const before = new Map(tabs.map((t) => [t, { rows: t.gridRows, cols: t.gridCols }]));
  const slots: Slot[] = [];
  const newReservations: Reservation[] = [];
  for (const block of blocks) {
    const own = reservations.filter((r) => r.tabKey === block.tabKey);
    const uncovered: TableRow[] = [];
    for (const row of block.rows) {
      const r = own.find((x) => row.readingId >= x.firstId && row.readingId <= x.lastId);
      const tab = r && tabs.find((t) => t.tabKey === r.tabKey && t.part === r.part);
      if (!r || !tab) {
        uncovered.push(row);
        continue;
      }
      let slot = slots.find((s) => s.reservation === r);
      if (!slot) slots.push((slot = { tab, reservation: r, rows: [] }));
      slot.rows.push(row);
    }
    const placed = placeNew(block, uncovered, tabs, limits);
    if (placed.kind !== 'placed') return placed;
    slots.push(...placed.slots);
    newReservations.push(...placed.slots.map((s) => s.reservation));
  }
  for (const slot of slots) ensureGrid(slot.tab, slot.reservation.startRow + slot.rows.length - 1, slot.reservation.columns.length);
  const added = (): number => tabs.reduce((n, t) => n + t.gridRows * t.gridCols - (before.get(t)?.rows ?? 0) * (before.get(t)?.cols ?? 0), 0);
  const needed = added();
  if (needed > limits.budgetCells) return { kind: 'over-budget', cells: needed, rowCells: slots.reduce((n, s) => n + s.rows.length * s.tab.gridCols, 0) };
  growAhead(tabs, before, slots, limits, limits.budgetCells - needed, backlogReadings);
  const grown: GridChange[] = [];
  for (const t of tabs) {
    const b = before.get(t) ?? { rows: 0, cols: 0 };
    if (t.gridRows !== b.rows || t.gridCols !== b.cols) grown.push({ tab: t, fromRows: b.rows, fromCols: b.cols });
  }
  return { kind: 'planned', slots, tabs, grown, newReservations, cells: added() };
}

type Placed = { kind: 'placed'; slots: Slot[] } | Extract<PlanResult, { kind: 'need-tab' | 'tab-too-small' }>;

function placeNew(block: TabBlock, rows: TableRow[], tabs: TabRecord[], limits: PlanLimits): Placed {
  const slots: Slot[] = [];
  let rest = rows;
  while (rest.length > 0) {
    const parts = tabs.filter((t) => t.tabKey === block.tabKey).sort((a, b) => a.part - b.part);
    const tab = parts.find((t) => !t.sealed);
    if (!tab) return { kind: 'need-tab', tabKey: block.tabKey, part: (parts[parts.length - 1]?.part ?? 0) + 1 };
    const columns = extendColumns(tab.columns, block.columns);
    const capacity = rowLimit(limits, Math.max(columns.length, tab.gridCols)) - (tab.nextRow - 1);
    const take = wholeReadings(rest, capacity);
    if (take === 0) {
      if (tab.nextRow <= 2) return { kind: 'tab-too-small', tabKey: block.tabKey };
      tab.sealed = true;
      continue;
    }
    const reservation: Reservation = {
      tabKey: tab.tabKey,
      part: tab.part,
      firstId: (rest[0] as TableRow).readingId,
      lastId: (rest[take - 1] as TableRow).readingId,
      startRow: tab.nextRow,
      columns,
      writeHeader: columns.length !== tab.columns.length || tab.nextRow === 2,
    };
    slots.push({ tab, reservation, rows: rest.slice(0, take) });
    tab.nextRow += take;
    tab.columns = columns;
    rest = rest.slice(take);
  }
  return { kind: 'placed', slots };
}

/** How many rows (at most `capacity`) make up whole readings from the start of `rows`. */
function wholeReadings(rows: readonly TableRow[], capacity: number): number {
  if (rows.length <= capacity) return rows.length;
  let n = Math.max(0, capacity);
  while (n > 0 && (rows[n - 1] as TableRow).readingId === (rows[n] as TableRow).readingId) n--;
  return n;
}

function rowLimit(limits: PlanLimits, width: number): number {
  return limits.maxCellsPerTab > 0 ? Math.floor(limits.maxCellsPerTab / Math.max(1, width)) : Number.POSITIVE_INFINITY;
}

/** The grid just large enough for the rows and columns planned. */
function ensureGrid(tab: TabRecord, lastRow: number, width: number): void {
  tab.gridCols = Math.max(tab.gridCols, width);
  tab.gridRows = Math.max(tab.gridRows, lastRow);
}

/**
 * A grid that had to grow takes room for more rows than this batch: the most of `growRows`,
 * GROW_AHEAD_BATCHES times this batch's rows (a growth is a write request, and a sink that is
 * behind sends big batches under a per-minute quota), and, for the part of a tab key that rows
 * continue in (its last one, not sealed), the backlog: the readings known to be waiting, at this
 * batch's rows per reading for that key. Never past maxCellsPerTab or the cells the spreadsheet
 * has left (`spare`), so a backlog bigger than the spreadsheet fills it with one growth and goes
 * on in the next one.
 */
function growAhead(tabs: TabRecord[], before: ReadonlyMap<TabRecord, { rows: number; cols: number }>, slots: readonly Slot[], limits: PlanLimits, spare: number, backlogReadings: number): void {
  let left = spare;
  const batchReadings = countReadings(slots);
  for (const t of tabs) {
    if (t.gridRows <= (before.get(t)?.rows ?? 0) || t.gridCols === 0) continue;
    const batchRows = slots.filter((s) => s.tab === t).reduce((n, s) => n + s.rows.length, 0);
    let backlogRows = 0;
    if (backlogReadings > 0 && batchReadings > 0 && isLastOpenPart(t, tabs)) {
      const keyRows = slots.filter((s) => s.tab.tabKey === t.tabKey).reduce((n, s) => n + s.rows.length, 0);
      backlogRows = Math.ceil((keyRows * backlogReadings) / batchReadings);
    }
    const wanted = Math.max(limits.growRows, GROW_AHEAD_BATCHES * batchRows, backlogRows);
    const extra = Math.max(0, Math.min(wanted, rowLimit(limits, t.gridCols) - t.gridRows, Math.floor(left / t.gridCols)));
    t.gridRows += extra;
    left -= extra * t.gridCols;
  }
}

/** The part of its tab key that new rows go to: not sealed, and no later part. */
function isLastOpenPart(t: TabRecord, tabs: readonly TabRecord[]): boolean {
  return !t.sealed && !tabs.some((o) => o.tabKey === t.tabKey && o.part > t.part);
}

/** Readings in the slots (a reading's rows are consecutive within a block, and blocks may share it). */
function countReadings(slots: readonly Slot[]): number {
  const ids = new Set<number>();
  for (const s of slots) for (const r of s.rows) ids.add(r.readingId);
  return ids.size;
}
