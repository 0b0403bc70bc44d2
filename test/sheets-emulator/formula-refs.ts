// Formulas follow inserted, deleted and moved rows and columns, as in Sheets: a reference to a
// cell of the same sheet (`D5`, `$D$5`, `D5:D9`, without a sheet prefix) is rewritten to where
// that cell went; a reference to a deleted cell becomes `#REF!`. References with a sheet prefix,
// whole-column / whole-row ranges and named ranges are left as typed (see README).

import { columnToLetters, lettersToColumn } from './a1.js';
import type { SpreadsheetDraft } from './draft.js';
import type { Sheet } from './model.js';
import type { Dimension } from './shift.js';

/** Maps a 0-based row or column index to its new index; undefined: it was deleted. */
export type PointMap = (index: number) => number | undefined;

// A cell reference not preceded by a letter, digit, "!", "." or "_" (function names, sheet
// prefixes) and not followed by "(" (a function call such as LOG10(...)).
const REF = /(?<![A-Za-z0-9_!.$])(\$?)([A-Z]{1,3})(\$?)([1-9]\d*)(?![\d(A-Za-z_])/g;

/** Rewrites the references of one formula; strings in double quotes are left alone. */
export function shiftFormula(formula: string, dimension: Dimension, map: PointMap): string {
  return formula
    .split(/("(?:[^"]|"")*")/)
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part.replace(REF, (whole, colAbs: string, letters: string, rowAbs: string, digits: string) => {
            const row = Number(digits) - 1;
            const column = lettersToColumn(letters);
            if (column === undefined) return whole;
            if (dimension === 'ROWS') {
              const to = map(row);
              return to === undefined ? '#REF!' : `${colAbs}${letters}${rowAbs}${to + 1}`;
            }
            const to = map(column);
            return to === undefined ? '#REF!' : `${colAbs}${columnToLetters(to)}${rowAbs}${digits}`;
          }),
    )
    .join('');
}

/** Applies a dimension change to the formulas of every cell of the sheet. */
export function shiftFormulas(draft: SpreadsheetDraft, sheet: Sheet, dimension: Dimension, map: PointMap): void {
  sheet.rows.forEach((row, r) => {
    if (!row?.some((c) => c?.formula !== undefined)) return;
    const copy = draft.mutableRow(sheet, r);
    copy.forEach((cell, c) => {
      if (cell?.formula === undefined) return;
      const shifted = shiftFormula(cell.formula, dimension, map);
      if (shifted !== cell.formula) copy[c] = { ...cell, formula: shifted };
    });
  });
}
