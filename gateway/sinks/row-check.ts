import type { StoredReading } from '../store/readings.js';
import type { WriteOutcome } from './contract.js';
import type { ReadingFields } from './layout.js';

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
  const checked = checkRow(r);
  return typeof checked === 'string' ? checked : null;
}

/** The row's problem, or its fields as parsed when it can become a table row. */
function checkRow(r: StoredReading): string | ReadingFields {
  if (!isWritableTime(r.ts)) return `time ${r.ts} is outside the years 1-9999`;
  if (!isWritableTime(r.received)) return `receive time ${r.received} is outside the years 1-9999`;
  let fields: unknown;
  try {
    fields = JSON.parse(r.fields);
  } catch {
    return 'fields are not JSON';
  }
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) return 'fields are not a JSON object';
  return fields as ReadingFields;
}

function isWritableTime(ms: number): boolean {
  return Number.isFinite(ms) && ms >= WRITABLE_FROM_MS && ms <= WRITABLE_TO_MS;
}

/** The rows a sink may write, each with its fields as the check parsed them (`fields[i]` is `rows[i]`'s). */
export interface WritableRows {
  rows: readonly StoredReading[];
  fields: readonly ReadingFields[];
}

/**
 * The rows a sink may write now: the batch up to its first unwritable row, with their fields
 * parsed (a sink lays them out from these instead of parsing each row's text again). When that
 * row comes first, the outcome to return instead: `rejected`, naming it, so the worker
 * quarantines it without narrowing the batch by halves.
 */
export function writablePrefix(rows: readonly StoredReading[]): WritableRows | { outcome: WriteOutcome } {
  const fields: ReadingFields[] = [];
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as StoredReading;
    const checked = checkRow(r);
    if (typeof checked !== 'string') {
      fields.push(checked);
      continue;
    }
    if (i > 0) return { rows: rows.slice(0, i), fields };
    return { outcome: { kind: 'rejected', code: 'BAD_ROW', reason: checked, rowId: r.id } };
  }
  return { rows, fields };
}
