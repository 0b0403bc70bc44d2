// Maps Sheets API v4 URLs to operations, exactly as @googleapis/sheets builds them:
//   POST /v4/spreadsheets                                   create
//   GET  /v4/spreadsheets/{id}                              get
//   POST /v4/spreadsheets/{id}:batchUpdate                  batchUpdate
//   GET  /v4/spreadsheets/{id}/values/{range}               values.get
//   PUT  /v4/spreadsheets/{id}/values/{range}               values.update
//   POST /v4/spreadsheets/{id}/values/{range}:append        values.append
//   POST /v4/spreadsheets/{id}/values/{range}:clear         values.clear
//   GET  /v4/spreadsheets/{id}/values:batchGet              values.batchGet
//   POST /v4/spreadsheets/{id}/values:batchUpdate           values.batchUpdate
//   POST /v4/spreadsheets/{id}/values:batchClear            values.batchClear
//   POST /v4/spreadsheets/{id}/developerMetadata:search     developerMetadata.search
//   GET  /v4/spreadsheets/{id}/developerMetadata/{metadataId} developerMetadata.get
// The client percent-encodes the range (":" becomes %3A), so a literal ":" before a verb
// is unambiguous; a raw range typed into curl also works for GET and PUT.

import { spreadsheetsBatchUpdate } from './batch-update.js';
import { developerMetadataGet, developerMetadataSearch } from './developer-metadata.js';
import type { SheetsData } from './model.js';
import type { RequestKind } from './quota.js';
import { spreadsheetsCreate, spreadsheetsGet } from './spreadsheets.js';
import { valuesAppend, valuesBatchClear, valuesBatchGet, valuesBatchUpdate, valuesClear, valuesGet, valuesUpdate } from './values.js';

export interface ApiOperation {
  /** e.g. "values.append", for the request log. */
  name: string;
  kind: RequestKind;
  /** Google's RPC method name, which its 401/403 bodies mention. */
  rpc: string;
  /** The spreadsheet the call addresses (none for create). */
  spreadsheetId?: string;
  run(data: SheetsData, body: unknown, query: URLSearchParams): unknown;
}

function values(id: string, rawRange: string, method: string): ApiOperation | undefined {
  let range = rawRange;
  let verb = '';
  if (method === 'POST') {
    const colon = rawRange.lastIndexOf(':');
    if (colon < 0) return undefined;
    range = rawRange.slice(0, colon);
    verb = rawRange.slice(colon + 1);
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(range);
  } catch {
    return undefined;
  }
  if (method === 'GET') return { name: 'values.get', kind: 'read', rpc: 'GetValues', run: (d, _b, q) => valuesGet(d, id, decoded, q) };
  if (method === 'PUT') return { name: 'values.update', kind: 'write', rpc: 'UpdateValues', run: (d, b, q) => valuesUpdate(d, id, decoded, b, q) };
  if (verb === 'append') return { name: 'values.append', kind: 'write', rpc: 'AppendValues', run: (d, b, q) => valuesAppend(d, id, decoded, b, q) };
  if (verb === 'clear') return { name: 'values.clear', kind: 'write', rpc: 'ClearValues', run: (d) => valuesClear(d, id, decoded) };
  return undefined;
}

function spreadsheetVerb(id: string, verb: string, method: string): ApiOperation | undefined {
  if (verb === '' && method === 'GET') return { name: 'get', kind: 'read', rpc: 'GetSpreadsheet', run: (d, _b, q) => spreadsheetsGet(d, id, q) };
  if (verb === 'batchUpdate' && method === 'POST') return { name: 'batchUpdate', kind: 'write', rpc: 'BatchUpdateSpreadsheet', run: (d, b) => spreadsheetsBatchUpdate(d, id, b) };
  return undefined;
}

function valuesVerb(id: string, verb: string, method: string): ApiOperation | undefined {
  if (verb === 'batchGet' && method === 'GET') return { name: 'values.batchGet', kind: 'read', rpc: 'BatchGetValues', run: (d, _b, q) => valuesBatchGet(d, id, q) };
  if (verb === 'batchUpdate' && method === 'POST') return { name: 'values.batchUpdate', kind: 'write', rpc: 'BatchUpdateValues', run: (d, b) => valuesBatchUpdate(d, id, b) };
  if (verb === 'batchClear' && method === 'POST') return { name: 'values.batchClear', kind: 'write', rpc: 'BatchClearValues', run: (d, b) => valuesBatchClear(d, id, b) };
  return undefined;
}

/** The operation for a request, or undefined when no Sheets method lives at that URL. */
export function matchApiRoute(method: string, pathname: string): ApiOperation | undefined {
  if (pathname === '/v4/spreadsheets' && method === 'POST') {
    return { name: 'create', kind: 'write', rpc: 'CreateSpreadsheet', run: (d, b) => spreadsheetsCreate(d, b) };
  }
  const meta = /^\/v4\/spreadsheets\/([A-Za-z0-9_-]+)\/developerMetadata(?::search|\/(\d+))$/.exec(pathname);
  if (meta) {
    const [, id = '', metadataId] = meta;
    if (metadataId === undefined && method === 'POST') return { name: 'developerMetadata.search', kind: 'read', rpc: 'SearchDeveloperMetadata', spreadsheetId: id, run: (d, b) => developerMetadataSearch(d, id, b) };
    if (metadataId !== undefined && method === 'GET') return { name: 'developerMetadata.get', kind: 'read', rpc: 'GetDeveloperMetadata', spreadsheetId: id, run: (d) => developerMetadataGet(d, id, Number(metadataId)) };
    return undefined;
  }
  const m = /^\/v4\/spreadsheets\/([A-Za-z0-9_-]+)(?::([A-Za-z]+))?(?:\/values(?::([A-Za-z]+)|\/([^/]+))?)?$/.exec(pathname);
  if (!m) return undefined;
  const [, id = '', sheetVerb, valuesVerbName, range] = m;
  const op = operationOn(id, pathname.includes('/values'), sheetVerb, valuesVerbName, range, method);
  return op && { ...op, spreadsheetId: id };
}

function operationOn(id: string, isValuesPath: boolean, sheetVerb: string | undefined, valuesVerbName: string | undefined, range: string | undefined, method: string): ApiOperation | undefined {
  if (!isValuesPath) return spreadsheetVerb(id, sheetVerb ?? '', method);
  if (sheetVerb !== undefined) return undefined;
  if (valuesVerbName !== undefined) return valuesVerb(id, valuesVerbName, method);
  if (range !== undefined) return values(id, range, method);
  return undefined;
}
