import type { Statement } from 'better-sqlite3';
import type { Db } from './database.js';

/**
 * A device's counters as a commit adds them: [device, readings, duplicates, bytes, untrusted
 * clocks, last seen, newest reading id (0: none)]. The shape of one element of a `device_deltas`
 * row (which holds only what the stored readings do not tell: their count, bytes, receive times
 * and ids are read from them; rows written before migration 13 have no id).
 */
export type TotalsRow = [string, number, number, number, number, number, number];

/** How often (by the commit clock) the writer folds the waiting counters into `devices`. */
export const DEVICE_TOTALS_FOLD_MS = 250;

/** The `meta` key holding the highest reading id whose counts `devices` includes. */
export const TOTALS_THROUGH_KEY = 'totals_through';

const THROUGH = `coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = '${TOTALS_THROUGH_KEY}'), 0)`;

/**
 * What waits, per device: the `device_deltas` rows and the stored readings above `totals_through`
 * (a scan of the newest rows by id: `+device` keeps SQLite off any index by device), added up.
 */
const PENDING = `SELECT device, sum(readings) AS readings, sum(duplicates) AS duplicates, sum(bytes) AS bytes,
    sum(untrusted) AS untrusted, max(lastSeen) AS lastSeen, max(lastId) AS lastId FROM (
    SELECT value ->> 0 AS device, value ->> 1 AS readings, value ->> 2 AS duplicates, value ->> 3 AS bytes,
      value ->> 4 AS untrusted, value ->> 5 AS lastSeen, coalesce(value ->> 6, 0) AS lastId
    FROM device_deltas, json_each(device_deltas.rows) WHERE true %d1
    UNION ALL
    SELECT +device, 1, 0, bytes, 0, received, id FROM readings WHERE id > ${THROUGH} %d2
  ) GROUP BY device`;

const pending = (oneDevice: boolean) =>
  PENDING.replace('%d1', oneDevice ? 'AND value ->> 0 = @device' : '').replace('%d2', oneDevice ? 'AND +device = @device' : '');

/**
 * Adds totals to `devices`, a primary-key lookup per device (an UPDATE joined with the totals
 * would scan them once per device). Every device named has a row already (the commit of its first
 * reading added it), so the INSERT part never inserts; it is there for the upsert's lookup.
 */
const ADD = `INSERT INTO devices (id, origin, created_at, readings, duplicates, bytes, clock_untrusted, last_seen, last_id)
  SELECT device, 'open', 0, readings, duplicates, bytes, untrusted, lastSeen, lastId FROM (%s) WHERE true
  ON CONFLICT (id) DO UPDATE SET readings = readings + excluded.readings, duplicates = duplicates + excluded.duplicates,
    bytes = bytes + excluded.bytes, clock_untrusted = clock_untrusted + excluded.clock_untrusted,
    last_seen = max(coalesce(last_seen, 0), excluded.last_seen), last_id = max(coalesce(last_id, 0), excluded.last_id)`;

/**
 * The device counters (readings, duplicates, bytes, untrusted clocks, last seen), kept off the
 * boards' `devices` rows between folds (docs/OPERATIONS.md, "The commit window"). What a stored
 * reading adds is in the reading itself: `devices` counts every reading up to `meta.totals_through`
 * and readers add the readings above it, so a commit of only stored readings writes nothing for
 * its counters. What a reading row does not tell (a duplicate, an untrusted clock) goes to ONE
 * `device_deltas` row per commit that has any. The writer folds both into `devices` every
 * DEVICE_TOTALS_FOLD_MS and moves `totals_through` to the newest reading, in the same
 * transaction. Readers add what waits (`pending`), so counts are exact at any moment, from any
 * process; a crash leaves it to the next fold.
 */
export class DeviceTotals {
  private readonly insert: Statement;
  private readonly addRows: Statement;
  private readonly addWaiting: Statement;
  private readonly clear: Statement;
  private readonly moveThrough: Statement;
  private readonly uncount: Statement;
  private readonly raiseLastId: Statement;
  private waitingStmt: Statement | undefined;
  private waitingOfStmt: Statement | undefined;

  constructor(private readonly db: Db) {
    this.insert = db.prepare('INSERT INTO device_deltas (rows) VALUES (?)');
    this.addRows = db.prepare(
      ADD.replace('%s', `SELECT value ->> 0 AS device, value ->> 1 AS readings, value ->> 2 AS duplicates, value ->> 3 AS bytes,
        value ->> 4 AS untrusted, value ->> 5 AS lastSeen, value ->> 6 AS lastId FROM json_each(?)`),
    );
    this.addWaiting = db.prepare(ADD.replace('%s', pending(false)));
    this.clear = db.prepare('DELETE FROM device_deltas');
    // Unchanged when no reading came (no page written); ids only increase (store/retention.ts).
    this.moveThrough = db.prepare(
      `INSERT INTO meta (key, value) SELECT '${TOTALS_THROUGH_KEY}', id FROM (SELECT id FROM readings ORDER BY id DESC LIMIT 1) WHERE id > ${THROUGH}
       ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    );
    this.raiseLastId = db.prepare('UPDATE devices SET last_id = max(coalesce(last_id, 0), ?) WHERE id = (SELECT device FROM readings WHERE id = ?)');
    this.uncount = db.prepare(
      `INSERT INTO device_deltas (rows) SELECT json_array(json_array(device, -1, 0, -bytes, 0, 0, 0)) FROM readings
       WHERE id = ? AND id <= ${THROUGH}`,
    );
  }

  /** Appends a commit's counters that its readings do not tell (inside its transaction). */
  append(rows: readonly TotalsRow[]): void {
    this.insert.run(JSON.stringify(rows));
  }

  /**
   * Folds into `devices` what waits, whose sums per device the caller knows (`sums`: the writer
   * added up the readings it stored and the rows it appended). Inside the caller's transaction.
   */
  foldKnown(sums: readonly TotalsRow[]): void {
    if (sums.length > 0) this.addRows.run(JSON.stringify(sums));
    this.clear.run();
    this.moveThrough.run();
  }

  /** Folds what waits, adding it up from the tables (after a crash, at a clean stop). */
  foldStored(): void {
    this.addWaiting.run();
    this.clear.run();
    this.moveThrough.run();
  }

  /**
   * A reading moves from `id` to `newId`, above every other (`sheetlog quarantine retry`). From
   * there it would count again among the readings above `totals_through`, so a row takes it back
   * out when it was counted already; and its device's newest id becomes `newId` (the writer's
   * fold does not see the move). Call it before the move, in the same transaction.
   */
  moving(id: number, newId: number): void {
    this.uncount.run(id);
    this.raiseLastId.run(newId, id);
  }

  /** The waiting counters per device, added up. */
  pending(): Map<string, TotalsRow> {
    this.waitingStmt ??= this.db.prepare(pending(false)).raw();
    const out = new Map<string, TotalsRow>();
    for (const r of this.waitingStmt.all() as TotalsRow[]) out.set(r[0], r);
    return out;
  }

  /** The waiting counters of one device, or undefined. */
  pendingOf(device: string): TotalsRow | undefined {
    this.waitingOfStmt ??= this.db.prepare(pending(true)).raw();
    return this.waitingOfStmt.get({ device }) as TotalsRow | undefined;
  }
}

/** Adds `row`'s counters to `into` (a per-device sum the writer keeps between folds). */
export function addTotals(into: Map<string, TotalsRow>, row: TotalsRow): void {
  const t = into.get(row[0]);
  if (t === undefined) {
    into.set(row[0], [row[0], row[1], row[2], row[3], row[4], row[5], row[6]]);
    return;
  }
  t[1] += row[1];
  t[2] += row[2];
  t[3] += row[3];
  t[4] += row[4];
  if (row[5] > t[5]) t[5] = row[5];
  if (row[6] > t[6]) t[6] = row[6];
}
