// Developer metadata: createDeveloperMetadata / deleteDeveloperMetadata (batchUpdate) and
// spreadsheets.developerMetadata.search. Entries are located on the spreadsheet, a sheet, or
// a span of rows or columns (which moves with them: shift.ts). Metadata keys and values are
// free text; ids are unique in the spreadsheet.

import type { SpreadsheetDraft } from './draft.js';
import { ApiError, invalidArgument } from './errors.js';
import { type DeveloperMetadata, type MetadataLocation, type SheetsData, type Spreadsheet, findSheetById, findSpreadsheet } from './model.js';

type Json = Record<string, unknown>;

export function locationJson(loc: MetadataLocation): Json {
  if (loc.locationType === 'SPREADSHEET') return { locationType: 'SPREADSHEET', spreadsheet: true };
  if (loc.locationType === 'SHEET') return { locationType: 'SHEET', sheetId: loc.sheetId };
  const dimension = loc.locationType === 'ROW' ? 'ROWS' : 'COLUMNS';
  return { locationType: loc.locationType, dimensionRange: { sheetId: loc.sheetId, dimension, startIndex: loc.startIndex, endIndex: loc.endIndex } };
}

export function developerMetadataJson(m: DeveloperMetadata): Json {
  const out: Json = { metadataId: m.metadataId, metadataKey: m.metadataKey };
  if (m.metadataValue !== undefined) out['metadataValue'] = m.metadataValue;
  out['location'] = locationJson(m.location);
  out['visibility'] = m.visibility;
  return out;
}

function parseLocation(draft: SpreadsheetDraft, raw: unknown): MetadataLocation {
  const loc = (raw ?? {}) as Json;
  if (loc['spreadsheet'] === true) return { locationType: 'SPREADSHEET' };
  if (typeof loc['sheetId'] === 'number') return { locationType: 'SHEET', sheetId: findSheetById(draft.spreadsheet, loc['sheetId']).sheetId };
  const d = loc['dimensionRange'] as Json | undefined;
  if (d && typeof d === 'object') {
    const sheet = findSheetById(draft.spreadsheet, Number(d['sheetId'] ?? 0));
    const rows = d['dimension'] === 'ROWS';
    if (!rows && d['dimension'] !== 'COLUMNS') throw invalidArgument(`Invalid dimension: ${String(d['dimension'])}`);
    const start = Number(d['startIndex'] ?? 0);
    const end = Number(d['endIndex'] ?? (rows ? sheet.rowCount : sheet.columnCount));
    if (!(end > start && start >= 0)) throw invalidArgument('Invalid dimensionRange: startIndex must be less than endIndex.');
    return { locationType: rows ? 'ROW' : 'COLUMN', sheetId: sheet.sheetId, startIndex: start, endIndex: end };
  }
  throw invalidArgument('Metadata location must be set (spreadsheet, sheetId or dimensionRange).');
}

function nextMetadataId(ss: Spreadsheet): number {
  let id = 1 + ss.developerMetadata.reduce((n, m) => Math.max(n, m.metadataId), 100_000);
  while (ss.developerMetadata.some((m) => m.metadataId === id)) id++;
  return id;
}

export function createDeveloperMetadata(draft: SpreadsheetDraft, request: Json): Json {
  const raw = (request['developerMetadata'] ?? {}) as Json;
  if (typeof raw['metadataKey'] !== 'string' || raw['metadataKey'] === '') throw invalidArgument('metadataKey must be set.');
  const visibility = raw['visibility'];
  if (visibility !== 'DOCUMENT' && visibility !== 'PROJECT') throw invalidArgument('visibility must be DOCUMENT or PROJECT.');
  const ss = draft.spreadsheet;
  let metadataId = nextMetadataId(ss);
  if (raw['metadataId'] !== undefined) {
    if (typeof raw['metadataId'] !== 'number' || !Number.isInteger(raw['metadataId']) || raw['metadataId'] < 1) throw invalidArgument('Invalid metadataId.');
    if (ss.developerMetadata.some((m) => m.metadataId === raw['metadataId'])) throw invalidArgument(`Developer metadata with id ${raw['metadataId']} already exists.`);
    metadataId = raw['metadataId'];
  }
  const entry: DeveloperMetadata = {
    metadataId,
    metadataKey: raw['metadataKey'],
    ...(typeof raw['metadataValue'] === 'string' ? { metadataValue: raw['metadataValue'] } : {}),
    location: parseLocation(draft, raw['location']),
    visibility,
  };
  ss.developerMetadata = [...ss.developerMetadata, entry];
  return { createDeveloperMetadata: { developerMetadata: developerMetadataJson(entry) } };
}

/** Does an entry match a DataFilter's developerMetadataLookup (every field that is set)? */
function matchesLookup(m: DeveloperMetadata, lookup: Json): boolean {
  if (lookup['metadataId'] !== undefined && lookup['metadataId'] !== m.metadataId) return false;
  if (lookup['metadataKey'] !== undefined && lookup['metadataKey'] !== m.metadataKey) return false;
  if (lookup['metadataValue'] !== undefined && lookup['metadataValue'] !== m.metadataValue) return false;
  if (lookup['visibility'] !== undefined && lookup['visibility'] !== m.visibility) return false;
  if (lookup['locationType'] !== undefined && lookup['locationType'] !== m.location.locationType) return false;
  const where = lookup['metadataLocation'] as Json | undefined;
  if (where && typeof where['sheetId'] === 'number' && !('sheetId' in m.location && m.location.sheetId === where['sheetId'] && m.location.locationType === 'SHEET')) return false;
  if (where && where['spreadsheet'] === true && m.location.locationType !== 'SPREADSHEET') return false;
  return true;
}

function lookups(raw: unknown): Json[] {
  const filters = Array.isArray(raw) ? (raw as Json[]) : [];
  return filters.map((f, i) => {
    const lookup = f?.['developerMetadataLookup'];
    if (!lookup || typeof lookup !== 'object') throw invalidArgument(`dataFilters[${i}]: the emulator supports developerMetadataLookup filters only.`);
    return lookup as Json;
  });
}

export function deleteDeveloperMetadata(draft: SpreadsheetDraft, request: Json): Json {
  const [lookup] = lookups([request['dataFilter']]);
  const ss = draft.spreadsheet;
  const deleted = ss.developerMetadata.filter((m) => matchesLookup(m, lookup ?? {}));
  ss.developerMetadata = ss.developerMetadata.filter((m) => !deleted.includes(m));
  return { deleteDeveloperMetadata: { deletedDeveloperMetadata: deleted.map(developerMetadataJson) } };
}

/** POST /v4/spreadsheets/{id}/developerMetadata:search */
export function developerMetadataSearch(data: SheetsData, spreadsheetId: string, rawBody: unknown): Json {
  const ss = findSpreadsheet(data.spreadsheets, spreadsheetId);
  const body = (rawBody ?? {}) as Json;
  const found = lookups(body['dataFilters']).flatMap((lookup) =>
    ss.developerMetadata.filter((m) => matchesLookup(m, lookup)).map((m) => ({ developerMetadata: developerMetadataJson(m), dataFilters: [{ developerMetadataLookup: lookup }] })),
  );
  // Google leaves an empty list out of the JSON.
  return found.length > 0 ? { matchedDeveloperMetadata: found } : {};
}

/** GET /v4/spreadsheets/{id}/developerMetadata/{metadataId} */
export function developerMetadataGet(data: SheetsData, spreadsheetId: string, metadataId: number): Json {
  const ss = findSpreadsheet(data.spreadsheets, spreadsheetId);
  const m = ss.developerMetadata.find((x) => x.metadataId === metadataId);
  if (!m) throw new ApiError(404, 'NOT_FOUND', `No developer metadata with id ${metadataId}.`);
  return developerMetadataJson(m);
}
