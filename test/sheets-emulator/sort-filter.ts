// sortRange, setBasicFilter and clearBasicFilter. A sort reorders the rows of a range, moving
// only the cells inside the range's columns (cells to its left and right stay), as in Sheets:
// blanks go last in either order; numbers sort before text, text before booleans; text without
// regard to case; ties keep their order. A basic filter is stored (criteria are not evaluated:
// the emulator hides no rows); its sortSpecs sort the rows under the filter's header row.

import type { Box } from './a1.js';
import { resolveGridRange } from './cell-data.js';
import type { SpreadsheetDraft } from './draft.js';
import { invalidArgument } from './errors.js';
import { type Cell, type Sheet, findSheetById } from './model.js';
import { requireEditable } from './protection.js';

type Json = Record<string, unknown>;

interface SortSpec {
  column: number;
  descending: boolean;
}

function parseSortSpecs(raw: unknown, box: Box): SortSpec[] {
  const specs = Array.isArray(raw) ? (raw as Json[]) : [];
  return specs.map((s, i) => {
    const column = s?.['dimensionIndex'];
    if (typeof column !== 'number' || column < box.startColumn || column >= box.endColumn) throw invalidArgument(`Invalid sortSpecs[${i}]: dimensionIndex must be inside the range.`);
    const order = s['sortOrder'] ?? 'ASCENDING';
    if (order !== 'ASCENDING' && order !== 'DESCENDING') throw invalidArgument(`Invalid sortSpecs[${i}].sortOrder: ${String(order)}`);
    return { column, descending: order === 'DESCENDING' };
  });
}

function rank(v: Cell['value']): number {
  return typeof v === 'number' ? 0 : typeof v === 'string' ? 1 : 2;
}

function compareValues(a: Cell['value'], b: Cell['value']): number {
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a.localeCompare(b, 'en', { sensitivity: 'base' });
  return Number(a) - Number(b);
}

function isBlank(cell: Cell | undefined): boolean {
  return cell === undefined || (cell.value === undefined && cell.formula === undefined) || cell.value === '';
}

function compareRows(a: Array<Cell | undefined>, b: Array<Cell | undefined>, specs: readonly SortSpec[], box: Box): number {
  for (const spec of specs) {
    const x = a[spec.column - box.startColumn];
    const y = b[spec.column - box.startColumn];
    if (isBlank(x) || isBlank(y)) {
      if (isBlank(x) !== isBlank(y)) return isBlank(x) ? 1 : -1;
      continue;
    }
    const c = compareValues(x?.value ?? x?.formula, y?.value ?? y?.formula);
    if (c !== 0) return spec.descending ? -c : c;
  }
  return 0;
}

/** Sorts the rows of `box` by `specs`, moving only the cells inside the box. */
export function sortBox(draft: SpreadsheetDraft, sheet: Sheet, box: Box, specs: readonly SortSpec[], actor: string | undefined): void {
  if (box.endRow - box.startRow < 2 || specs.length === 0) return;
  requireEditable(sheet, box, actor);
  draft.materializeBands(sheet); // cells move: formats kept as bands become cells first
  const slices: Array<Array<Cell | undefined>> = [];
  for (let r = box.startRow; r < box.endRow; r++) {
    const row = sheet.rows[r];
    slices.push(Array.from({ length: box.endColumn - box.startColumn }, (_, i) => row?.[box.startColumn + i]));
  }
  const order = slices.map((cells, i) => ({ cells, i })).sort((a, b) => compareRows(a.cells, b.cells, specs, box) || a.i - b.i);
  order.forEach(({ cells }, k) => {
    const r = box.startRow + k;
    if (!sheet.rows[r] && cells.every((c) => c === undefined)) return;
    const row = draft.mutableRow(sheet, r);
    cells.forEach((c, i) => {
      row[box.startColumn + i] = c ? { ...c } : undefined;
    });
  });
}

export function sortRange(draft: SpreadsheetDraft, request: Json, actor: string | undefined): Json {
  const { sheet, box } = resolveGridRange(draft, request['range']);
  sortBox(draft, sheet, box, parseSortSpecs(request['sortSpecs'], box), actor);
  return {};
}

export function setBasicFilter(draft: SpreadsheetDraft, request: Json, actor: string | undefined): Json {
  const filter = (request['filter'] ?? {}) as Json;
  const { sheet, box } = resolveGridRange(draft, filter['range']);
  const specs = parseSortSpecs(filter['sortSpecs'], box);
  sheet.basicFilter = {
    box,
    ...(specs.length > 0 ? { sortSpecs: structuredClone(filter['sortSpecs'] as unknown[]) } : {}),
    ...(Array.isArray(filter['filterSpecs']) ? { filterSpecs: structuredClone(filter['filterSpecs']) } : {}),
    ...(filter['criteria'] && typeof filter['criteria'] === 'object' ? { criteria: structuredClone(filter['criteria'] as Json) } : {}),
  };
  // The filter's first row is its header: a sort in the filter orders the rows below it.
  sortBox(draft, sheet, { ...box, startRow: box.startRow + 1 }, specs, actor);
  return {};
}

export function clearBasicFilter(draft: SpreadsheetDraft, request: Json): Json {
  const sheet = findSheetById(draft.spreadsheet, Number(request['sheetId'] ?? 0));
  delete sheet.basicFilter;
  return {};
}

export function basicFilterJson(sheet: Sheet): Json | undefined {
  const f = sheet.basicFilter;
  if (!f) return undefined;
  const out: Json = {
    range: { sheetId: sheet.sheetId, startRowIndex: f.box.startRow, endRowIndex: f.box.endRow, startColumnIndex: f.box.startColumn, endColumnIndex: f.box.endColumn },
  };
  if (f.sortSpecs) out['sortSpecs'] = structuredClone(f.sortSpecs);
  if (f.filterSpecs) out['filterSpecs'] = structuredClone(f.filterSpecs);
  if (f.criteria) out['criteria'] = structuredClone(f.criteria);
  return out;
}
