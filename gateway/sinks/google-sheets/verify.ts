import { KEY_COLUMNS, type Layout, type TableRow } from '../layout.js';
import type { CellValue } from './api.js';
import { sheetValue } from './encoder.js';
import type { ZoneClock } from '../../time/time-zone.js';

/**
 * What the sheet holds in the rows reserved for a slot, read just before writing:
 * - empty: nothing there (the usual case);
 * - ours: exactly the rows we are about to write (an earlier write landed; its answer was lost);
 * - mixed: some rows ours, the rest empty (rewriting is harmless);
 * - foreign: something else: a person typed under the log. The gateway never overwrites it;
 *   the reservation moves below it.
 */
export type RangeState = 'empty' | 'ours' | 'mixed' | 'foreign';

export function rangeState(layout: Layout, columns: readonly string[], planned: readonly TableRow[], found: readonly CellValue[][], zone: ZoneClock): RangeState {
  const keyIdx = KEY_COLUMNS[layout].map((c) => columns.indexOf(c));
  let ours = 0;
  for (let i = 0; i < found.length; i++) {
    const row = found[i] ?? [];
    if (isEmptyRow(row)) continue;
    const want = planned[i];
    if (!want) return 'foreign';
    const matches = keyIdx.every((k, j) => {
      const column = KEY_COLUMNS[layout][j] as string;
      return k >= 0 && sameCell(row[k], sheetValue(want.cells[column] ?? null, zone));
    });
    if (!matches) return 'foreign';
    ours++;
  }
  if (ours === 0) return 'empty';
  return ours === planned.length ? 'ours' : 'mixed';
}

export function isEmptyRow(row: readonly CellValue[]): boolean {
  return row.every((c) => c === '' || c === null || c === undefined);
}

function sameCell(found: CellValue | undefined, want: CellValue): boolean {
  if (typeof want === 'number' && typeof found === 'number') return Math.abs(found - want) < 1e-9;
  return String(found ?? '') === String(want);
}
