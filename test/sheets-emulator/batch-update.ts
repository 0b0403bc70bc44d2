// spreadsheets.batchUpdate: requests applied in order to a draft, committed only if all of
// them succeed (Google applies a batch atomically). Errors name the failing request the way
// Google does: "Invalid requests[1].addSheet: ...".

import { repeatCell, updateCells } from './cell-data.js';
import { SpreadsheetDraft } from './draft.js';
import { ApiError, cellLimitError, invalidArgument } from './errors.js';
import { parseFieldMask } from './fields.js';
import { type Sheet, type SheetsData, type Spreadsheet, findSheetById, findSpreadsheet, newSheet, newSheetId, totalCells } from './model.js';
import { appendDimension, deleteDimension, insertDimension, moveDimension } from './dimensions.js';
import { createDeveloperMetadata, deleteDeveloperMetadata } from './developer-metadata.js';
import { OWNER } from './model.js';
import { addProtectedRange, deleteProtectedRange, requireEditable } from './protection.js';
import { clearBasicFilter, setBasicFilter, sortRange } from './sort-filter.js';
import { resolveGridRange } from './cell-data.js';
import { deleteSpan, shiftAnchors } from './shift.js';
import { type SpreadsheetJson, sheetPropertiesJson, spreadsheetJson } from './spreadsheet-json.js';

type Json = Record<string, unknown>;
type Reply = Json;

function asObject(value: unknown, what: string): Json {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidArgument(`Invalid ${what}`);
  return value as Json;
}

function requireUniqueTitle(spreadsheet: Spreadsheet, title: string, except?: Sheet): void {
  const lower = title.toLowerCase();
  if (spreadsheet.sheets.some((s) => s !== except && s.title.toLowerCase() === lower)) {
    throw invalidArgument(`A sheet with the name "${title}" already exists. Please enter another name.`);
  }
}

function defaultTitle(spreadsheet: Spreadsheet): string {
  for (let n = spreadsheet.sheets.length + 1; ; n++) {
    const title = `Sheet${n}`;
    if (!spreadsheet.sheets.some((s) => s.title.toLowerCase() === title.toLowerCase())) return title;
  }
}

function requireFrozenFits(sheet: Sheet): void {
  if (sheet.frozenRowCount >= sheet.rowCount && sheet.frozenRowCount > 0) throw invalidArgument("You can't freeze all visible rows on the sheet.");
  if (sheet.frozenColumnCount >= sheet.columnCount && sheet.frozenColumnCount > 0) throw invalidArgument("You can't freeze all visible columns on the sheet.");
}

function positiveCount(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw invalidArgument(`Invalid ${what}: ${String(value)}`);
  return value;
}

function moveToIndex(spreadsheet: Spreadsheet, sheet: Sheet, index: number): void {
  const ordered = spreadsheet.sheets.filter((s) => s !== sheet).sort((a, b) => a.index - b.index);
  ordered.splice(Math.min(index, ordered.length), 0, sheet);
  ordered.forEach((s, i) => {
    s.index = i;
  });
}

function addSheet(draft: SpreadsheetDraft, request: Json, defaults: Pick<Sheet, 'rowCount' | 'columnCount'>): Reply {
  const ss = draft.spreadsheet;
  const props = asObject(request['properties'], 'properties');
  const grid = asObject(props['gridProperties'], 'gridProperties');
  const title = typeof props['title'] === 'string' && props['title'] !== '' ? props['title'] : defaultTitle(ss);
  requireUniqueTitle(ss, title);
  let sheetId = newSheetId(ss.sheets);
  if (props['sheetId'] !== undefined) {
    sheetId = positiveCount(props['sheetId'], 'sheetId');
    if (ss.sheets.some((s) => s.sheetId === sheetId)) throw invalidArgument(`Sheet with id ${sheetId} already exists.`);
  }
  const sheet = newSheet({
    sheetId,
    title,
    index: ss.sheets.length,
    rowCount: grid['rowCount'] === undefined ? defaults.rowCount : positiveCount(grid['rowCount'], 'rowCount'),
    columnCount: grid['columnCount'] === undefined ? defaults.columnCount : positiveCount(grid['columnCount'], 'columnCount'),
    frozenRowCount: grid['frozenRowCount'] === undefined ? 0 : positiveCount(grid['frozenRowCount'], 'frozenRowCount'),
    frozenColumnCount: grid['frozenColumnCount'] === undefined ? 0 : positiveCount(grid['frozenColumnCount'], 'frozenColumnCount'),
  });
  requireFrozenFits(sheet);
  draft.addSheet(sheet);
  if (props['index'] !== undefined) moveToIndex(ss, sheet, positiveCount(props['index'], 'index'));
  return { addSheet: { properties: sheetPropertiesJson(sheet) } };
}

const GRID_FIELDS = ['rowCount', 'columnCount', 'frozenRowCount', 'frozenColumnCount'] as const;
/** Sheet properties the emulator accepts in a mask but does not model. */
const IGNORED_SHEET_FIELDS = new Set(['hidden', 'tabColor', 'tabColorStyle', 'rightToLeft', 'gridProperties.hideGridlines', 'gridProperties.rowGroupControlAfter', 'gridProperties.columnGroupControlAfter']);

function updateSheetProperties(draft: SpreadsheetDraft, request: Json, actor: string): Reply {
  const props = asObject(request['properties'], 'properties');
  if (typeof request['fields'] !== 'string' || request['fields'] === '') throw invalidArgument("At least one field must be specified in 'fields'.");
  const sheet = findSheetById(draft.spreadsheet, props['sheetId'] === undefined ? 0 : positiveCount(props['sheetId'], 'sheetId'));
  const grid = asObject(props['gridProperties'], 'gridProperties');
  const paths = parseFieldMask(request['fields']).map((p) => p.join('.'));
  const expanded = paths.flatMap((p) => (p === '*' ? ['title', 'index', ...GRID_FIELDS.map((f) => `gridProperties.${f}`)] : p === 'gridProperties' ? GRID_FIELDS.map((f) => `gridProperties.${f}`) : [p]));
  const oldRows = sheet.rowCount;
  const oldColumns = sheet.columnCount;
  for (const path of expanded) {
    if (path === 'title') {
      const title = String(props['title'] ?? '');
      if (title === '') throw invalidArgument('Sheet title cannot be empty.');
      requireUniqueTitle(draft.spreadsheet, title, sheet);
      sheet.title = title;
    } else if (path === 'index') {
      moveToIndex(draft.spreadsheet, sheet, positiveCount(props['index'] ?? 0, 'index'));
    } else if (path.startsWith('gridProperties.') && (GRID_FIELDS as readonly string[]).includes(path.slice(15))) {
      const field = path.slice(15) as (typeof GRID_FIELDS)[number];
      sheet[field] = positiveCount(grid[field] ?? 0, field);
    } else if (!IGNORED_SHEET_FIELDS.has(path)) {
      throw invalidArgument(`Invalid field selection ${path}`);
    }
  }
  if (sheet.rowCount < 1 || sheet.columnCount < 1) throw invalidArgument('A sheet must have at least one row and one column.');
  requireFrozenFits(sheet);
  if (sheet.rowCount < oldRows || sheet.columnCount < oldColumns) {
    // Shrinking a grid deletes its last rows / columns, protected ones included.
    if (sheet.rowCount < oldRows) requireEditable(sheet, { startRow: sheet.rowCount, endRow: oldRows, startColumn: 0, endColumn: oldColumns }, actor);
    if (sheet.columnCount < oldColumns) requireEditable(sheet, { startRow: 0, endRow: oldRows, startColumn: sheet.columnCount, endColumn: oldColumns }, actor);
    if (sheet.rowCount < oldRows) shiftAnchors(draft, sheet, 'ROWS', deleteSpan(sheet.rowCount, oldRows));
    if (sheet.columnCount < oldColumns) shiftAnchors(draft, sheet, 'COLUMNS', deleteSpan(sheet.columnCount, oldColumns));
    truncate(draft, sheet);
  }
  return {};
}

/** Drops data that a smaller grid no longer holds, copying rows into the draft first. */
function truncate(draft: SpreadsheetDraft, sheet: Sheet): void {
  draft.materializeBands(sheet);
  sheet.rows.length = Math.min(sheet.rows.length, sheet.rowCount);
  sheet.rows.forEach((row, r) => {
    if (row && row.length > sheet.columnCount) draft.mutableRow(sheet, r).length = sheet.columnCount;
  });
}

function deleteSheet(draft: SpreadsheetDraft, request: Json): Reply {
  const ss = draft.spreadsheet;
  const sheet = findSheetById(ss, positiveCount(request['sheetId'] ?? 0, 'sheetId'));
  if (ss.sheets.length === 1) throw invalidArgument("You can't remove all the sheets in a document.");
  ss.sheets = ss.sheets.filter((s) => s !== sheet);
  // Metadata located on the sheet or its rows and columns goes with it.
  ss.developerMetadata = ss.developerMetadata.filter((m) => !('sheetId' in m.location && m.location.sheetId === sheet.sheetId));
  [...ss.sheets].sort((a, b) => a.index - b.index).forEach((s, i) => {
    s.index = i;
  });
  return {};
}

function updateSpreadsheetProperties(draft: SpreadsheetDraft, request: Json): Reply {
  const props = asObject(request['properties'], 'properties');
  const fields = typeof request['fields'] === 'string' ? parseFieldMask(request['fields']).map((p) => p.join('.')) : [];
  if (fields.length === 0) throw invalidArgument("At least one field must be specified in 'fields'.");
  if ((fields.includes('title') || fields.includes('*')) && typeof props['title'] === 'string') draft.spreadsheet.title = props['title'];
  return {};
}

/** What a request handler may need besides the draft: new tabs' grid, and who is asking. */
interface BatchEnv {
  rowCount: number;
  columnCount: number;
  actor: string;
}

type Handler = (draft: SpreadsheetDraft, request: Json, env: BatchEnv) => Reply;

/** updateCells / repeatCell may not touch a protected range of another account. */
function requireCellsWritable(draft: SpreadsheetDraft, request: Json, actor: string): void {
  if (request['range'] !== undefined) {
    const { sheet, box } = resolveGridRange(draft, request['range']);
    requireEditable(sheet, box, actor);
    return;
  }
  const start = asObject(request['start'], 'start');
  const rows = Array.isArray(request['rows']) ? (request['rows'] as Json[]) : [];
  const width = rows.reduce((n, r) => Math.max(n, Array.isArray(r?.['values']) ? (r['values'] as unknown[]).length : 0), 0);
  const sheet = findSheetById(draft.spreadsheet, Number(start['sheetId'] ?? 0));
  const row = Number(start['rowIndex'] ?? 0);
  const column = Number(start['columnIndex'] ?? 0);
  requireEditable(sheet, { startRow: row, endRow: row + rows.length, startColumn: column, endColumn: column + width }, actor);
}

const HANDLERS: Record<string, Handler> = {
  addSheet,
  updateSheetProperties: (d, r, env) => updateSheetProperties(d, r, env.actor),
  deleteSheet: (d, r) => deleteSheet(d, r),
  appendDimension: (d, r) => appendDimension(d, r),
  insertDimension: (d, r) => insertDimension(d, r),
  deleteDimension: (d, r, env) => deleteDimension(d, r, env.actor),
  moveDimension: (d, r, env) => moveDimension(d, r, env.actor),
  updateCells: (d, r, env) => (requireCellsWritable(d, r, env.actor), updateCells(d, r), {}),
  repeatCell: (d, r, env) => (requireCellsWritable(d, r, env.actor), repeatCell(d, r), {}),
  sortRange: (d, r, env) => sortRange(d, r, env.actor),
  setBasicFilter: (d, r, env) => setBasicFilter(d, r, env.actor),
  clearBasicFilter: (d, r) => clearBasicFilter(d, r),
  addProtectedRange: (d, r, env) => addProtectedRange(d, r, env.actor),
  deleteProtectedRange: (d, r) => deleteProtectedRange(d, r),
  createDeveloperMetadata: (d, r) => createDeveloperMetadata(d, r),
  deleteDeveloperMetadata: (d, r) => deleteDeveloperMetadata(d, r),
  updateSpreadsheetProperties: (d, r) => updateSpreadsheetProperties(d, r),
  // Cosmetic requests a sink may send; accepted (after checking the sheet exists) and not modelled.
  autoResizeDimensions: (d, r) => (findSheetById(d.spreadsheet, Number(asObject(r['dimensions'], 'dimensions')['sheetId'] ?? 0)), {}),
  updateDimensionProperties: (d, r) => (findSheetById(d.spreadsheet, Number(asObject(r['range'], 'range')['sheetId'] ?? 0)), {}),
};

/** Request kinds Google has but the emulator does not implement: a clear 400, never a silent no-op. */
const KNOWN_UNSUPPORTED = ['addNamedRange', 'updateProtectedRange', 'addBanding', 'addChart', 'mergeCells', 'copyPaste', 'findReplace', 'duplicateSheet', 'setDataValidation', 'updateBorders', 'addConditionalFormatRule', 'pasteData', 'appendCells', 'deleteRange', 'insertRange', 'updateDeveloperMetadata', 'addFilterView', 'unmergeCells'];

function applyOne(draft: SpreadsheetDraft, raw: unknown, index: number, env: BatchEnv, maxCells: number): Reply {
  const request = asObject(raw, `requests[${index}]`);
  const kinds = Object.keys(request);
  if (kinds.length !== 1) throw invalidArgument(`Invalid requests[${index}]: exactly one request kind must be set (got ${kinds.length}).`);
  const kind = kinds[0] as string;
  const handler = HANDLERS[kind];
  if (!handler) {
    if (KNOWN_UNSUPPORTED.includes(kind)) throw invalidArgument(`Invalid requests[${index}].${kind}: not supported by the Sheets emulator.`);
    throw invalidArgument(`Invalid JSON payload received. Unknown name "${kind}" at 'requests[${index}]': Cannot find field.`);
  }
  try {
    const reply = handler(draft, asObject(request[kind], kind), env);
    if (totalCells(draft.spreadsheet) > maxCells) throw cellLimitError(maxCells);
    return reply;
  } catch (err) {
    throw err instanceof ApiError ? err.withPrefix(`Invalid requests[${index}].${kind}`) : err;
  }
}

export interface BatchUpdateJson {
  spreadsheetId: string;
  replies: Reply[];
  updatedSpreadsheet?: SpreadsheetJson;
}

export function spreadsheetsBatchUpdate(data: SheetsData, spreadsheetId: string, rawBody: unknown): BatchUpdateJson {
  const original = findSpreadsheet(data.spreadsheets, spreadsheetId);
  const body = asObject(rawBody, 'body');
  const requests = Array.isArray(body['requests']) ? body['requests'] : [];
  if (requests.length === 0) throw invalidArgument('Must specify at least one request.');
  const draft = new SpreadsheetDraft(original);
  const env: BatchEnv = { ...data.grid, actor: data.actor ?? OWNER };
  const replies = requests.map((r, i) => applyOne(draft, r, i, env, data.maxCells));
  data.spreadsheets.set(spreadsheetId, draft.spreadsheet);
  const result: BatchUpdateJson = { spreadsheetId, replies };
  if (body['includeSpreadsheetInResponse'] === true) {
    result.updatedSpreadsheet = spreadsheetJson(draft.spreadsheet, { includeGridData: body['responseIncludeGridData'] === true });
  }
  return result;
}
