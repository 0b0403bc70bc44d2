// What insertDimension, deleteDimension and moveDimension do to the things anchored to rows and
// columns besides cells, as in Sheets: protected ranges, the basic filter and developer metadata
// located on rows or columns move with their rows; a range inside an insertion grows; one whose
// rows are all deleted is gone. Pure functions over the draft's sheet and spreadsheet.

import type { SpreadsheetDraft } from './draft.js';
import type { DeveloperMetadata, GridBox, Sheet } from './model.js';

export type Dimension = 'ROWS' | 'COLUMNS';

/** Maps a [start, end) span of one dimension to its new span; undefined: nothing of it is left. */
export type SpanMap = (start: number, end: number) => [number, number] | undefined;

/** Where one index goes (undefined: deleted), for formulas' references. */
export function insertPoint(at: number, count: number): (i: number) => number | undefined {
  return (i) => (i >= at ? i + count : i);
}

export function deletePoint(from: number, to: number): (i: number) => number | undefined {
  return (i) => (i < from ? i : i >= to ? i - (to - from) : undefined);
}

export function movePoint(from: number, to: number, destination: number): (i: number) => number {
  const count = to - from;
  return (i) => {
    if (i >= from && i < to) return destination <= from ? destination + (i - from) : destination - count + (i - from);
    if (destination <= from && i >= destination && i < from) return i + count;
    if (destination > to && i >= to && i < destination) return i - count;
    return i;
  };
}

export function insertSpan(at: number, count: number): SpanMap {
  return (start, end) => [start >= at ? start + count : start, end > at ? end + count : end];
}

export function deleteSpan(from: number, to: number): SpanMap {
  const removed = to - from;
  const map = (i: number): number => (i <= from ? i : i >= to ? i - removed : from);
  return (start, end) => {
    const s = map(start);
    const e = map(end);
    return e > s ? [s, e] : undefined;
  };
}

/**
 * moveDimension: [from, to) goes before `destination`, an index in the coordinates *before* the
 * source is taken out (Google's definition). A span that the move splits keeps its outer bounds.
 */
export function moveSpan(from: number, to: number, destination: number): SpanMap {
  const map = movePoint(from, to, destination);
  return (start, end) => {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let i = start; i < end; i++) {
      lo = Math.min(lo, map(i));
      hi = Math.max(hi, map(i) + 1);
    }
    return hi > lo ? [lo, hi] : undefined;
  };
}

/** Old index of the cell that lands at each new position after moveSpan (the permutation). */
export function movedOrder(length: number, from: number, to: number, destination: number): number[] {
  const all = Array.from({ length }, (_, i) => i);
  const moved = all.slice(from, to);
  const rest = [...all.slice(0, from), ...all.slice(to)];
  const at = destination <= from ? destination : destination >= to ? destination - (to - from) : from;
  return [...rest.slice(0, at), ...moved, ...rest.slice(at)];
}

function mapBox(box: GridBox, dimension: Dimension, map: SpanMap): GridBox | undefined {
  if (dimension === 'ROWS') {
    const span = map(box.startRow, box.endRow);
    return span && { ...box, startRow: span[0], endRow: span[1] };
  }
  const span = map(box.startColumn, box.endColumn);
  return span && { ...box, startColumn: span[0], endColumn: span[1] };
}

/** Moves the sheet's protected ranges, basic filter and row/column metadata along with a dimension change. */
export function shiftAnchors(draft: SpreadsheetDraft, sheet: Sheet, dimension: Dimension, map: SpanMap): void {
  sheet.protectedRanges = sheet.protectedRanges.flatMap((p) => {
    if (!p.box) return [p];
    const box = mapBox(p.box, dimension, map);
    return box ? [{ ...p, box }] : [];
  });
  if (sheet.basicFilter) {
    const box = mapBox(sheet.basicFilter.box, dimension, map);
    if (box) sheet.basicFilter = { ...sheet.basicFilter, box };
    else delete sheet.basicFilter;
  }
  const kind = dimension === 'ROWS' ? 'ROW' : 'COLUMN';
  const ss = draft.spreadsheet;
  ss.developerMetadata = ss.developerMetadata.flatMap((m): DeveloperMetadata[] => {
    const loc = m.location;
    if (loc.locationType !== kind || loc.sheetId !== sheet.sheetId) return [m];
    const span = map(loc.startIndex, loc.endIndex);
    return span ? [{ ...m, location: { ...loc, startIndex: span[0], endIndex: span[1] } }] : [];
  });
}
