import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RequestLogEntry, type SheetsEmulator, startSheetsEmulator } from '../../test/sheets-emulator/index.js';

/**
 * The Sheets emulator in the benchmark's own process, with Google's real quota on the real clock,
 * spreadsheets created on first use, and every served request observed the moment it is logged
 * (its changes are in the emulator's model by then): no polling, and no guessing when rows became
 * visible.
 */
export interface ObservedRequest {
  /** Date.now() when the request arrived (the emulator's clock is the real one). */
  at: number;
  /** Date.now() when the emulator had applied and answered it (when it was logged). */
  doneAt: number;
  operation: string;
  status: number;
  fault?: string;
  kind: 'read' | 'write' | 'auth';
  /** The spreadsheet an API call addressed ('' for others). */
  spreadsheetId: string;
  /** For a values write that was applied: data rows written (header rows not counted). */
  dataRows: number;
}

export interface ObservedEmulator {
  emu: SheetsEmulator;
  requests: ObservedRequest[];
  /** Called after each applied values write, while its rows are fresh in the model. */
  onValuesWritten: ((r: ObservedRequest) => void) | null;
  /** Writes the service-account key the emulator accepts; returns the path. */
  writeCredentials(dir: string): string;
  /** A gateway config: `{ sheets: {...}, ...other sections }` pointed at this emulator. */
  config(dir: string, sheets: Record<string, unknown>, other?: Record<string, unknown>): string;
}

const READS = new Set(['get', 'values.get', 'values.batchGet']);

/** Header rows in a values.batchUpdate answer: ranges that are exactly row 1 ("'readings'!A1:H1"). */
function dataRowsOf(response: unknown): number {
  const r = response as { totalUpdatedRows?: number; responses?: { updatedRange?: string }[] } | undefined;
  const headers = (r?.responses ?? []).filter((u) => /![A-Z]+1:[A-Z]+1$/.test(u.updatedRange ?? '')).length;
  return Math.max(0, (r?.totalUpdatedRows ?? 0) - headers);
}

export async function startObservedEmulator(): Promise<ObservedEmulator> {
  const observed: ObservedEmulator = {
    emu: undefined as unknown as SheetsEmulator,
    requests: [],
    onValuesWritten: null,
    writeCredentials(dir) {
      const path = join(dir, 'service-account.json');
      writeFileSync(path, JSON.stringify(observed.emu.serviceAccountCredentials()), { mode: 0o600 });
      return path;
    },
    config(dir, sheets, other = {}) {
      const path = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
      const more = (other['sheets'] ?? {}) as Record<string, unknown>;
      writeFileSync(path, JSON.stringify({ ...other, sheets: { rootUrl: observed.emu.rootUrl, tokenUrl: observed.emu.tokenUrl, layout: 'long', ...more, ...sheets } }));
      return path;
    },
  };
  const onRequest = (entry: RequestLogEntry, response: unknown): void => {
    const kind = entry.operation === 'token' || entry.operation === 'authorize' || entry.operation === 'revoke' ? 'auth' : READS.has(entry.operation) ? 'read' : 'write';
    const applied = response !== undefined && entry.operation === 'values.batchUpdate';
    const spreadsheetId = /^\/v4\/spreadsheets\/([^/:]+)/.exec(entry.path)?.[1] ?? '';
    const r: ObservedRequest = { at: entry.at, doneAt: Date.now(), operation: entry.operation, status: entry.status, kind, spreadsheetId, dataRows: applied ? dataRowsOf(response) : 0 };
    if (entry.fault) r.fault = entry.fault;
    observed.requests.push(r);
    if (applied) observed.onValuesWritten?.(r);
  };
  observed.emu = await startSheetsEmulator({ spreadsheetIds: [], createOnFirstUse: true, onRequest });
  return observed;
}

/** Most requests of a kind in any `windowMs` (sliding), and how many were answered 429. */
export function requestRates(requests: readonly ObservedRequest[], kind: 'read' | 'write', windowMs = 60_000): { total: number; maxPerWindow: number; throttled: number } {
  const times = requests.filter((r) => r.kind === kind).map((r) => r.at);
  let max = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while ((times[i] as number) - (times[j] as number) >= windowMs) j++;
    max = Math.max(max, i - j + 1);
  }
  return { total: times.length, maxPerWindow: max, throttled: requests.filter((r) => r.kind === kind && r.status === 429).length };
}
