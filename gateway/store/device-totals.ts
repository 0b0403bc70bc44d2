import type { Statement } from 'better-sqlite3';
import type { Db } from './database.js';

/**
 * A device's counters as a commit adds them: [device, readings, duplicates, bytes, untrusted
 * clocks, last seen]. The shape of one element of a `device_deltas` row.
 */
export type TotalsRow = [string, number, number, number, number, number];

/** How often (by the commit clock) the writer folds the waiting `device_deltas` rows into `devices`. */
export const DEVICE_TOTALS_FOLD_MS = 250;

/** The waiting rows added up per device (what a reader adds to `devices`). */
const PENDING = `SELECT value ->> 0 AS device, sum(value ->> 1) AS readings, sum(value ->> 2) AS duplicates,
    sum(value ->> 3) AS bytes, sum(value ->> 4) AS untrusted, max(value ->> 5) AS lastSeen
  FROM device_deltas, json_each(device_deltas.rows)`;

/**
 * Adds totals to `devices`, a primary-key lookup per device (an UPDATE joined with the totals
 * would scan them once per device). Every device named has a row already (the commit of its first
 * reading added it), so the INSERT part never inserts; it is there for the upsert's lookup.
 */
const ADD = `INSERT INTO devices (id, origin, created_at, readings, duplicates, bytes, clock_untrusted, last_seen)
  SELECT device, 'open', 0, readings, duplicates, bytes, untrusted, lastSeen FROM (%s) WHERE true
  ON CONFLICT (id) DO UPDATE SET readings = readings + excluded.readings, duplicates = duplicates + excluded.duplicates,
    bytes = bytes + excluded.bytes, clock_untrusted = clock_untrusted + excluded.clock_untrusted,
    last_seen = max(coalesce(last_seen, 0), excluded.last_seen)`;

/**
 * The device counters of commits, kept off the boards' `devices` rows: a commit appends ONE row to
 * `device_deltas` (at the table's end: a page or two, whatever the number of boards in it) and the
 * writer folds the waiting rows into `devices` every DEVICE_TOTALS_FOLD_MS. Readers add what waits
 * (`pending`), so counts are exact at any moment, from any process; a crash leaves the rows to the
 * next fold.
 */
export class DeviceTotals {
  private readonly insert: Statement;
  private readonly addRows: Statement;
  private readonly addWaiting: Statement;
  private readonly clear: Statement;
  private waitingStmt: Statement | undefined;
  private waitingOfStmt: Statement | undefined;

  constructor(private readonly db: Db) {
    this.insert = db.prepare('INSERT INTO device_deltas (rows) VALUES (?)');
    this.addRows = db.prepare(
      ADD.replace('%s', `SELECT value ->> 0 AS device, value ->> 1 AS readings, value ->> 2 AS duplicates, value ->> 3 AS bytes,
        value ->> 4 AS untrusted, value ->> 5 AS lastSeen FROM json_each(?)`),
    );
    this.addWaiting = db.prepare(ADD.replace('%s', `${PENDING} GROUP BY 1`));
    this.clear = db.prepare('DELETE FROM device_deltas');
  }

  /** Appends a commit's counters (inside its transaction). */
  append(rows: readonly TotalsRow[]): void {
    this.insert.run(JSON.stringify(rows));
  }

  /**
   * Folds into `devices` the waiting rows, whose sums per device the caller knows (`sums`: the
   * writer added them up as it appended them). Inside the caller's transaction.
   */
  foldKnown(sums: readonly TotalsRow[]): void {
    if (sums.length > 0) this.addRows.run(JSON.stringify(sums));
    this.clear.run();
  }

  /** Folds the waiting rows, adding them up from the table (after a crash, at a clean stop). */
  foldStored(): void {
    this.addWaiting.run();
    this.clear.run();
  }

  /** The waiting counters per device, added up. */
  pending(): Map<string, TotalsRow> {
    this.waitingStmt ??= this.db.prepare(`${PENDING} GROUP BY 1`).raw();
    const out = new Map<string, TotalsRow>();
    for (const r of this.waitingStmt.all() as TotalsRow[]) out.set(r[0], r);
    return out;
  }

  /** The waiting counters of one device, or undefined. */
  pendingOf(device: string): TotalsRow | undefined {
    this.waitingOfStmt ??= this.db.prepare(`${PENDING} WHERE value ->> 0 = ? GROUP BY 1`).raw();
    return this.waitingOfStmt.get(device) as TotalsRow | undefined;
  }
}

/** Adds `row`'s counters to `into` (a per-device sum the writer keeps between folds). */
export function addTotals(into: Map<string, TotalsRow>, row: TotalsRow): void {
  const t = into.get(row[0]);
  if (t === undefined) {
    into.set(row[0], [row[0], row[1], row[2], row[3], row[4], row[5]]);
    return;
  }
  t[1] += row[1];
  t[2] += row[2];
  t[3] += row[3];
  t[4] += row[4];
  if (row[5] > t[5]) t[5] = row[5];
}
