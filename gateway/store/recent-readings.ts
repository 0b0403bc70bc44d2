import type { Statement } from 'better-sqlite3';
import type { Db } from './database.js';
import { TOTALS_THROUGH_KEY } from './device-totals.js';
import type { StoredReading } from './readings.js';

/** Filters of a recent-readings query; every one is optional except `limit`. */
export interface RecentFilter {
  device?: string;
  /** Only readings carrying this field. */
  sensor?: string;
  /** Reading time (`ts`) from, inclusive, epoch ms. */
  from?: number;
  /** Reading time (`ts`) to, exclusive, epoch ms. */
  to?: number;
  /** Only readings with an id below this one (the previous page's last id). */
  beforeId?: number;
  limit: number;
}

/** The columns of a StoredReading. */
export const READING_COLUMNS = 'id, device, boot, seq, ts, ts_source AS tsSource, device_ts AS deviceTs, received, fields';

/**
 * How many reading ids one query may step through (readings have no index by device, field or
 * time on the commit's path), so the time a query holds the event loop the boards share does not
 * grow with the buffer. A sensor filter reads every row's fields, several times slower per row,
 * so it steps through fewer.
 */
export interface ScanBudget {
  ids: number;
  sensorIds: number;
}

export const DEFAULT_SCAN_BUDGET: ScanBudget = { ids: 100_000, sensorIds: 20_000 };

/** A page of a recent-readings query. */
export interface RecentPage {
  /** Newest first, at most `limit`. */
  rows: StoredReading[];
  /**
   * Set when the query stepped through its budget of ids before it found `limit` readings (older
   * ones may match): the next page is `beforeId: resumeBefore`. Null when the page is full or the
   * scan reached the oldest reading.
   */
  resumeBefore: number | null;
}

/**
 * Read-side queries for the API and the dashboard: the newest readings first, filtered, paged by
 * id. They walk the rowid backwards, so "recent" is cheap whatever the buffer holds; the ingest
 * path gains no index for them. A filtered query steps through at most a budget of ids (ScanBudget)
 * and says where to go on, so no query holds up the boards' event loop for long whatever it asks.
 * Statements are prepared once per filter shape.
 */
export class RecentReadings {
  private readonly statements = new Map<string, Statement>();

  constructor(
    private readonly db: Db,
    private readonly budget: ScanBudget = DEFAULT_SCAN_BUDGET,
  ) {}

  /** Newest first: the rows of `page(f)` (what the budget reached). */
  query(f: RecentFilter): StoredReading[] {
    return this.page(f).rows;
  }

  page(f: RecentFilter): RecentPage {
    // Two subqueries: SQLite reads min() or max() off the end of the rowid alone only in a query of its own.
    const bounds = this.statement('SELECT (SELECT min(id) FROM readings) AS low, (SELECT max(id) FROM readings) AS high').get() as { low: number | null; high: number | null };
    if (bounds.low === null || bounds.high === null) return { rows: [], resumeBefore: null };
    const top = Math.min(bounds.high, f.beforeId !== undefined ? f.beforeId - 1 : bounds.high);
    // The stretches of ids to step down through, newest first: [highest id, lowest id].
    const stretches: [number, number][] = [];
    const newest = f.device === undefined ? null : (this.statement('SELECT last_id FROM devices WHERE id = ?').pluck().get(f.device) as number | null | undefined);
    if (newest === undefined || newest === null) {
      stretches.push([top, bounds.low]);
    } else {
      // One device: without an index by device (docs/OPERATIONS.md, "Resends") SQLite would step
      // back through the newest rows by id until it had `limit` of the device's, so a device
      // silent for long made it read far. The scan starts at the device's newest reading instead:
      // the readings above `totals_through` (not folded yet, few), then from `devices.last_id`
      // (its newest folded reading, store/device-totals.ts) down. A device without that id (no
      // row, as in files from before every reading's device had one, or none folded yet) is read
      // the plain way.
      const through = Number(this.statement(`SELECT value FROM meta WHERE key = '${TOTALS_THROUGH_KEY}'`).pluck().get() ?? 0);
      if (top > through) stretches.push([top, through + 1]);
      stretches.push([Math.min(newest, through, top), bounds.low]);
    }
    let left = f.sensor !== undefined ? this.budget.sensorIds : this.budget.ids;
    const rows: StoredReading[] = [];
    for (const [high, low] of stretches) {
      if (high < low) continue;
      const floor = Math.max(low, high - left + 1);
      rows.push(...this.select({ ...f, limit: f.limit - rows.length }, { above: floor - 1, atMost: high }));
      left -= high - floor + 1;
      if (rows.length >= f.limit) return { rows, resumeBefore: null };
      if (floor > low) return { rows, resumeBefore: floor };
    }
    return { rows, resumeBefore: null };
  }

  /** The readings of `f`, newest first, within an id range. */
  private select(f: RecentFilter, range: { above?: number; atMost?: number }): StoredReading[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (range.above !== undefined) (where.push('id > ?'), args.push(range.above));
    if (range.atMost !== undefined) (where.push('id <= ?'), args.push(range.atMost));
    // `+device`: SQLite steps down the id range even where summaries or counter rules keep an
    // index by device, whose entries it would otherwise read all of and sort by id: the budget
    // bounds the range, not the device's readings.
    if (f.device !== undefined) (where.push('+device = ?'), args.push(f.device));
    if (f.from !== undefined) (where.push('ts >= ?'), args.push(f.from));
    if (f.to !== undefined) (where.push('ts < ?'), args.push(f.to));
    if (f.sensor !== undefined) (where.push('EXISTS (SELECT 1 FROM json_each(fields) WHERE key = ?)'), args.push(f.sensor));
    const sql = `SELECT ${READING_COLUMNS} FROM readings ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return this.statement(sql).all(...args, f.limit) as StoredReading[];
  }

  /** Readings with id > afterId, oldest first, at most `limit` (the live feed's per-tick read). */
  newerThan(afterId: number, limit: number): StoredReading[] {
    return this.statement(`SELECT ${READING_COLUMNS} FROM readings WHERE id > ? ORDER BY id LIMIT ?`).all(afterId, limit) as StoredReading[];
  }

  /**
   * The newest `limit` readings of one device with id > afterId, oldest first. Meant for a recent
   * afterId (the previous tick's highest id): `+device` keeps SQLite on the rowid range, so only the
   * rows newer than afterId are visited.
   */
  newerOfDevice(device: string, afterId: number, limit: number): StoredReading[] {
    const rows = this.statement(`SELECT ${READING_COLUMNS} FROM readings WHERE id > ? AND +device = ? ORDER BY id DESC LIMIT ?`).all(
      afterId,
      device,
      limit,
    ) as StoredReading[];
    return rows.reverse();
  }

  /** `received` of the oldest reading above `afterId` (a sink's oldest pending row), or null. */
  receivedAfter(afterId: number): number | null {
    const row = this.statement('SELECT received FROM readings WHERE id > ? ORDER BY id LIMIT 1').get(afterId) as { received: number } | undefined;
    return row?.received ?? null;
  }

  private statement(sql: string): Statement {
    let s = this.statements.get(sql);
    if (s === undefined) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }
}
