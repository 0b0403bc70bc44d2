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

const COLUMNS = 'id, device, boot, seq, ts, ts_source AS tsSource, device_ts AS deviceTs, received, fields';

/**
 * Read-side queries for the API and the dashboard: the newest readings first, filtered, paged by
 * id. They walk the rowid backwards, so "recent" is cheap whatever the buffer holds; the ingest
 * path gains no index for them. Statements are prepared once per filter shape.
 */
export class RecentReadings {
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly db: Db) {}

  /** Newest first. */
  query(f: RecentFilter): StoredReading[] {
    if (f.device === undefined) return this.select(f, {});
    // One device: without an index by device (docs/OPERATIONS.md, "Resends") SQLite steps back
    // through the newest rows by id until it has `limit` of the device's, so a device silent for
    // long made it read the whole buffer. The scan starts at the device's newest reading instead:
    // the readings above `totals_through` (not folded yet, few), then from `devices.last_id`
    // (its newest folded reading, store/device-totals.ts) down. A device without that id (no row,
    // as in files from before every reading's device had one, or none folded yet) is read the
    // plain way (an unknown id too: a scan of the buffer, as before).
    const newest = this.statement('SELECT last_id FROM devices WHERE id = ?').pluck().get(f.device) as number | null | undefined;
    if (newest === undefined || newest === null) return this.select(f, {});
    const through = Number(this.statement(`SELECT value FROM meta WHERE key = '${TOTALS_THROUGH_KEY}'`).pluck().get() ?? 0);
    const above = this.select(f, { above: through });
    if (above.length >= f.limit) return above;
    return above.concat(this.select({ ...f, limit: f.limit - above.length }, { atMost: Math.min(newest, through) }));
  }

  /** The readings of `f`, newest first, within an id range. */
  private select(f: RecentFilter, range: { above?: number; atMost?: number }): StoredReading[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (range.above !== undefined) (where.push('id > ?'), args.push(range.above));
    if (range.atMost !== undefined) (where.push('id <= ?'), args.push(range.atMost));
    if (f.beforeId !== undefined) (where.push('id < ?'), args.push(f.beforeId));
    // With a device, SQLite reads that device's rows through the (device, time) index when
    // summaries or bills keep it, through the (device, boot, seq) one when counter rules keep that;
    // without either it steps through the rows by id, from the top of the range down.
    if (f.device !== undefined) (where.push('device = ?'), args.push(f.device));
    if (f.from !== undefined) (where.push('ts >= ?'), args.push(f.from));
    if (f.to !== undefined) (where.push('ts < ?'), args.push(f.to));
    if (f.sensor !== undefined) (where.push('EXISTS (SELECT 1 FROM json_each(fields) WHERE key = ?)'), args.push(f.sensor));
    const sql = `SELECT ${COLUMNS} FROM readings ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return this.statement(sql).all(...args, f.limit) as StoredReading[];
  }

  /** Readings with id > afterId, oldest first, at most `limit` (the live feed's per-tick read). */
  newerThan(afterId: number, limit: number): StoredReading[] {
    return this.statement(`SELECT ${COLUMNS} FROM readings WHERE id > ? ORDER BY id LIMIT ?`).all(afterId, limit) as StoredReading[];
  }

  /**
   * The newest `limit` readings of one device with id > afterId, oldest first. Meant for a recent
   * afterId (the previous tick's highest id): `+device` keeps SQLite on the rowid range, so only the
   * rows newer than afterId are visited.
   */
  newerOfDevice(device: string, afterId: number, limit: number): StoredReading[] {
    const rows = this.statement(`SELECT ${COLUMNS} FROM readings WHERE id > ? AND +device = ? ORDER BY id DESC LIMIT ?`).all(
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
