// Protected ranges: addProtectedRange / deleteProtectedRange, and the check every write makes.
// A write that touches a protected cell from an account that is not one of the range's editors
// (the owner always is) fails with Google's 403; a warningOnly range stops nobody through the API.

import type { Box } from './a1.js';
import { resolveGridRange } from './cell-data.js';
import type { SpreadsheetDraft } from './draft.js';
import { ApiError, invalidArgument } from './errors.js';
import { type GridBox, OWNER, type ProtectedRange, type Sheet, type Spreadsheet } from './model.js';

type Json = Record<string, unknown>;

export const PROTECTED_MESSAGE = 'You are trying to edit a protected cell or object. Please contact the spreadsheet owner to remove protection if you need to edit.';

export function protectedError(): ApiError {
  return new ApiError(403, 'PERMISSION_DENIED', PROTECTED_MESSAGE);
}

function overlaps(a: Box, b: GridBox): boolean {
  return a.startRow < b.endRow && b.startRow < a.endRow && a.startColumn < b.endColumn && b.startColumn < a.endColumn;
}

/** Refuses a change of `box` on `sheet` when a protected range there does not list `actor`. */
export function requireEditable(sheet: Sheet, box: Box, actor: string | undefined): void {
  const who = actor ?? OWNER;
  if (who === OWNER || box.endRow <= box.startRow || box.endColumn <= box.startColumn) return;
  for (const p of sheet.protectedRanges) {
    if (p.warningOnly || p.editors.includes(who)) continue;
    if (!p.box || overlaps(box, p.box)) throw protectedError();
  }
}

/** Refuses a write of single cells (values API plans) that touches a protected range. */
export function requireCellsEditable(sheet: Sheet, cells: readonly { row: number; column: number }[], actor: string | undefined): void {
  if ((actor ?? OWNER) === OWNER || sheet.protectedRanges.length === 0) return;
  for (const c of cells) requireEditable(sheet, { startRow: c.row, endRow: c.row + 1, startColumn: c.column, endColumn: c.column + 1 }, actor);
}

export function protectedRangeJson(sheet: Sheet, p: ProtectedRange): Json {
  const range: Json = { sheetId: sheet.sheetId };
  if (p.box) Object.assign(range, { startRowIndex: p.box.startRow, endRowIndex: p.box.endRow, startColumnIndex: p.box.startColumn, endColumnIndex: p.box.endColumn });
  const out: Json = { protectedRangeId: p.protectedRangeId, range };
  if (p.description) out['description'] = p.description;
  if (p.warningOnly) out['warningOnly'] = true;
  else out['editors'] = { users: [...p.editors] };
  out['requestingUserCanEdit'] = true;
  return out;
}

function nextProtectedRangeId(ss: Spreadsheet): number {
  const used = ss.sheets.flatMap((s) => s.protectedRanges.map((p) => p.protectedRangeId));
  let id = 1_000_000 + used.length * 7919;
  while (used.includes(id)) id++;
  return id;
}

export function addProtectedRange(draft: SpreadsheetDraft, request: Json, actor: string | undefined): Json {
  const raw = (request['protectedRange'] ?? {}) as Json;
  const range = (raw['range'] ?? {}) as Json;
  const wholeSheet = ['startRowIndex', 'endRowIndex', 'startColumnIndex', 'endColumnIndex'].every((k) => range[k] === undefined);
  const { sheet, box } = resolveGridRange(draft, range);
  const warningOnly = raw['warningOnly'] === true;
  const users = ((raw['editors'] as Json | undefined)?.['users'] ?? []) as unknown[];
  if (warningOnly && users.length > 0) throw invalidArgument('ProtectedRange is warningOnly. Editors cannot be set on it.');
  const protectedRange: ProtectedRange = {
    protectedRangeId: typeof raw['protectedRangeId'] === 'number' ? raw['protectedRangeId'] : nextProtectedRangeId(draft.spreadsheet),
    ...(wholeSheet ? {} : { box }),
    ...(typeof raw['description'] === 'string' ? { description: raw['description'] } : {}),
    warningOnly,
    // The one who protects a range stays able to edit it (as in Sheets), and so does the owner.
    editors: warningOnly ? [] : [...new Set([OWNER, actor ?? OWNER, ...users.map(String)])],
  };
  sheet.protectedRanges = [...sheet.protectedRanges, protectedRange];
  return { addProtectedRange: { protectedRange: protectedRangeJson(sheet, protectedRange) } };
}

export function deleteProtectedRange(draft: SpreadsheetDraft, request: Json): Json {
  const id = request['protectedRangeId'];
  const sheet = draft.spreadsheet.sheets.find((s) => s.protectedRanges.some((p) => p.protectedRangeId === id));
  if (!sheet) throw invalidArgument(`No protected range with id: ${String(id)}`);
  sheet.protectedRanges = sheet.protectedRanges.filter((p) => p.protectedRangeId !== id);
  return {};
}
