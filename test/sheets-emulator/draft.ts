// A copy-on-write working copy of a spreadsheet, so spreadsheets.batchUpdate can apply its
// requests one after another and then either commit them all or drop them all (Google: "if
// any request is not valid then the entire update is unsuccessful").
//
// Copying every cell on each batchUpdate would make "grow the grid, then write" cost the whole
// sheet each time; instead sheets are copied shallowly and a row is copied the first time the
// draft writes to it. Rows are tracked by identity so row insertions and deletions in the
// draft cannot confuse which rows it already owns.

import { type Cell, type Row, type Sheet, type Spreadsheet, materializeBands, newCell } from './model.js';

export class SpreadsheetDraft {
  readonly spreadsheet: Spreadsheet;
  private readonly ownedRows = new WeakSet<Row>();

  constructor(original: Spreadsheet) {
    this.spreadsheet = {
      ...original,
      sheets: original.sheets.map((s) => ({ ...s, rows: s.rows.slice() })),
    };
  }

  /** The row, copied into the draft if it still belongs to the committed spreadsheet. */
  mutableRow(sheet: Sheet, row: number): Row {
    const current = sheet.rows[row];
    if (current && this.ownedRows.has(current)) return current;
    // Cells are copied shallowly: formats are always replaced, never edited in place.
    const copy: Row = current ? current.map((c) => (c ? { ...c } : c)) : [];
    this.ownedRows.add(copy);
    sheet.rows[row] = copy;
    return copy;
  }

  mutableCell(sheet: Sheet, row: number, column: number): Cell {
    const r = this.mutableRow(sheet, row);
    let cell = r[column];
    if (!cell) {
      cell = newCell(sheet, row, column);
      r[column] = cell;
    }
    return cell;
  }

  /** The sheet's format bands become cells of the draft (model.ts, FormatBand): before cells move. */
  materializeBands(sheet: Sheet): void {
    materializeBands(sheet, (r, c) => this.mutableCell(sheet, r, c));
  }

  /** Adds a sheet created inside the draft; its rows are the draft's from the start. */
  addSheet(sheet: Sheet): void {
    this.spreadsheet.sheets.push(sheet);
  }
}
