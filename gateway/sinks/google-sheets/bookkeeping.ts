import type { SinkState, SinkStateStore } from '../../store/sink-state/port.js';
import { SHEETS_STATE } from './state.js';

/** A tab the gateway owns: where it is, its header, and the first row it has not filled yet. */
export interface TabRecord {
  /** '' for the long layout, the device id for per-device tabs. */
  tabKey: string;
  /** 1 for the first tab of a key; roll-over tabs count up. */
  part: number;
  title: string;
  sheetId: number;
  columns: string[];
  /** 1-based row where the next data row goes (row 1 is the header). */
  nextRow: number;
  gridRows: number;
  gridCols: number;
  /** Full: writing continues in the next part. */
  sealed: boolean;
}

/**
 * Rows reserved, before the write is sent, for readings `firstId..lastId` of one tab key: their
 * rows go, consecutively in reading order, from `startRow` on. A retried or replayed write puts
 * the same readings into the same cells, so a write that landed but whose answer was lost is
 * simply written again, identically.
 */
export interface Reservation {
  tabKey: string;
  part: number;
  firstId: number;
  lastId: number;
  startRow: number;
  /** Header of the tab for these rows. */
  columns: string[];
  /** The header row must be (re)written with these rows (new tab, or new columns). */
  writeHeader: boolean;
}

export interface SinkRecord {
  spreadsheetId: string;
  /** Every reading up to here is on the sheet. */
  deliveredThrough: number;
  /** Every reading up to here has reserved rows (>= deliveredThrough). */
  plannedThrough: number;
}

interface TabRow {
  tab_key: string;
  part: number;
  title: string;
  sheet_id: number;
  columns: string;
  next_row: number;
  grid_rows: number;
  grid_cols: number;
  sealed: number;
}

/**
 * The Sheets sink's own SQLite state (its tables: state.ts), reached through the store's state
 * port. `deliveredThrough` and the tabs' `nextRow` move together in one transaction after a
 * confirmed write, so after any crash the sink knows both which readings are on the sheet and
 * where the next ones go.
 */
export class SheetBookkeeping {
  private opened: SinkState | null = null;

  constructor(
    private readonly store: SinkStateStore,
    private readonly sink: string,
  ) {}

  /** The handle, opened (migrations applied) on first use: constructing a sink touches no file. */
  private get state(): SinkState {
    this.opened ??= this.store.open(SHEETS_STATE);
    return this.opened;
  }

  current(): SinkRecord | null {
    return (
      this.state.get<SinkRecord>(
        'SELECT spreadsheet_id AS spreadsheetId, delivered_through AS deliveredThrough, planned_through AS plannedThrough FROM sheet_sinks WHERE sink = ?',
        this.sink,
      ) ?? null
    );
  }

  /** Switches spreadsheet; reservations elsewhere are void (their readings are planned anew). */
  useSpreadsheet(spreadsheetId: string, now: number): void {
    this.state.transaction(() => {
      this.state.run(
        `INSERT INTO sheet_sinks (sink, spreadsheet_id, delivered_through, planned_through, updated_at) VALUES (?, ?, 0, 0, ?)
         ON CONFLICT (sink) DO UPDATE SET spreadsheet_id = excluded.spreadsheet_id, planned_through = delivered_through,
           updated_at = excluded.updated_at`,
        this.sink,
        spreadsheetId,
        now,
      );
      this.state.run('DELETE FROM sheet_reservations WHERE sink = ?', this.sink);
    });
  }

  reservations(spreadsheetId: string): Reservation[] {
    const rows = this.state.all<{ tab_key: string; part: number; first_id: number; last_id: number; start_row: number; columns: string; write_header: number }>(
      'SELECT * FROM sheet_reservations WHERE sink = ? AND spreadsheet_id = ? ORDER BY tab_key, part',
      this.sink,
      spreadsheetId,
    );
    return rows.map((r) => ({
      tabKey: r.tab_key,
      part: r.part,
      firstId: r.first_id,
      lastId: r.last_id,
      startRow: r.start_row,
      columns: JSON.parse(r.columns) as string[],
      writeHeader: r.write_header !== 0,
    }));
  }

  /**
   * Records a plan before its write is sent: the tabs (new ones, grown grids, sealed parts, rows
   * now reserved), the reservations, and how far readings are planned. One transaction.
   */
  savePlan(spreadsheetId: string, tabs: readonly TabRecord[], reservations: readonly Reservation[], plannedThrough: number, now: number): void {
    this.state.transaction(() => {
      for (const t of tabs) this.saveTab(spreadsheetId, t);
      for (const r of reservations) this.saveReservation(spreadsheetId, r);
      this.state.run('UPDATE sheet_sinks SET planned_through = max(planned_through, ?), updated_at = ? WHERE sink = ?', plannedThrough, now, this.sink);
    });
  }

  dropReservation(spreadsheetId: string, tabKey: string, part: number): void {
    this.state.run('DELETE FROM sheet_reservations WHERE sink = ? AND spreadsheet_id = ? AND tab_key = ? AND part = ?', this.sink, spreadsheetId, tabKey, part);
  }

  tabs(spreadsheetId: string): TabRecord[] {
    const rows = this.state.all<TabRow>('SELECT * FROM sheet_tabs WHERE sink = ? AND spreadsheet_id = ? ORDER BY tab_key, part', this.sink, spreadsheetId);
    return rows.map((r) => ({
      tabKey: r.tab_key,
      part: r.part,
      title: r.title,
      sheetId: r.sheet_id,
      columns: JSON.parse(r.columns) as string[],
      nextRow: r.next_row,
      gridRows: r.grid_rows,
      gridCols: r.grid_cols,
      sealed: r.sealed !== 0,
    }));
  }

  saveTab(spreadsheetId: string, t: TabRecord): void {
    this.state.run(
      `INSERT INTO sheet_tabs (sink, spreadsheet_id, tab_key, part, title, sheet_id, columns, next_row, grid_rows, grid_cols, sealed)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (sink, spreadsheet_id, tab_key, part) DO UPDATE SET title = excluded.title, sheet_id = excluded.sheet_id,
         columns = excluded.columns, next_row = excluded.next_row, grid_rows = excluded.grid_rows,
         grid_cols = excluded.grid_cols, sealed = excluded.sealed`,
      this.sink, spreadsheetId, t.tabKey, t.part, t.title, t.sheetId, JSON.stringify(t.columns), t.nextRow, t.gridRows, t.gridCols, t.sealed ? 1 : 0,
    );
  }

  deleteTab(spreadsheetId: string, tabKey: string, part: number): void {
    this.state.run('DELETE FROM sheet_tabs WHERE sink = ? AND spreadsheet_id = ? AND tab_key = ? AND part = ?', this.sink, spreadsheetId, tabKey, part);
  }

  /**
   * After a confirmed write: what remains of each reservation (rows of readings up to
   * deliveredThrough are done) and the highest reading now on the sheet, at once.
   */
  commitDelivery(spreadsheetId: string, remaining: readonly Reservation[], done: readonly Reservation[], deliveredThrough: number, now: number): void {
    this.state.transaction(() => {
      for (const r of done) this.dropReservation(spreadsheetId, r.tabKey, r.part);
      for (const r of remaining) this.saveReservation(spreadsheetId, r);
      this.state.run(
        'UPDATE sheet_sinks SET delivered_through = max(delivered_through, ?), planned_through = max(planned_through, ?), updated_at = ? WHERE sink = ?',
        deliveredThrough, deliveredThrough, now, this.sink,
      );
    });
  }

  private saveReservation(spreadsheetId: string, r: Reservation): void {
    this.state.run(
      `INSERT INTO sheet_reservations (sink, spreadsheet_id, tab_key, part, first_id, last_id, start_row, columns, write_header)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (sink, spreadsheet_id, tab_key, part) DO UPDATE SET first_id = excluded.first_id, last_id = excluded.last_id,
         start_row = excluded.start_row, columns = excluded.columns, write_header = excluded.write_header`,
      this.sink, spreadsheetId, r.tabKey, r.part, r.firstId, r.lastId, r.startRow, JSON.stringify(r.columns), r.writeHeader ? 1 : 0,
    );
  }
}
