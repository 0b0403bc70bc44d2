import type { StoredReading } from '../store/readings.js';
import type { WriteOutcome } from './contract.js';

/** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z: the date-times a spreadsheet and a CSV date column hold. */
export const WRITABLE_FROM_MS = -62_135_596_800_000;
export const WRITABLE_TO_MS = 253_402_300_799_999;

/**
 * Why a stored reading cannot become a table row, or null when it can (pure). Ingest never
 * stores such a row (docs/PROTOCOL.md, "Timestamps"), but an older version did, and the database
 * is a file anybody can edit: whatever is in it, a sink refuses the row (quarantine) rather than
 * fail, or retry, forever.
 */
export function rowProblem(r: StoredReading): string | null {
  if (!isWritableTime(r.ts)) return `time ${r.ts} is outside the years 1-9999`;
  if (!isWritableTime(r.received)) return `receive time ${r.received} is outside the years 1-9999`;
  let fields: unknown;
  try {
    fields = JSON.parse(r.fields);
  } catch {
    return 'fields are not JSON';
  }
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) return 'fields are not a JSON object';
  return null;
}

function isWritableTime(ms: number): boolean {
  return Number.isFinite(ms) && ms >= WRITABLE_FROM_MS && ms <= WRITABLE_TO_MS;
}

/**
 * The rows a sink may write now: the batch up to its first unwritable row. When that row comes
 * first, the outcome to return instead: `rejected`, naming it, so the worker quarantines it
 * without narrowing the batch by halves.
 */
export function writablePrefix(rows: readonly StoredReading[]): { rows: readonly StoredReading[] } | { outcome: WriteOutcome } {
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as StoredReading;
    const problem = rowProblem(r);
    if (problem === null) continue;
    if (i > 0) return { rows: rows.slice(0, i) };
    return { outcome: { kind: 'rejected', code: 'BAD_ROW', reason: problem, rowId: r.id } };
  }
  return { rows };
}
