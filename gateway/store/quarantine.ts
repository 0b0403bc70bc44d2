import type { Db } from './database.js';
import { DeviceTotals } from './device-totals.js';
import type { StoredReading } from './readings.js';

export type QuarantineState = 'held' | 'retried' | 'dropped';

/** One quarantined row of one sink, as `sheetlog quarantine list` and the API show it. */
export interface QuarantineEntry {
  /** The entry's own id (what `quarantine retry|drop` take). */
  id: number;
  sink: string;
  /** The reading's current id (it changes when another sink's entry for it is retried). */
  readingId: number;
  device: string;
  boot: number;
  seq: number;
  ts: number;
  received: number;
  fields: string;
  code: string;
  reason: string;
  /** When the sink quarantined it. */
  at: number;
  state: QuarantineState;
  /** When it was retried or dropped. */
  settledAt: number | null;
}

export interface QuarantineFilter {
  sink?: string;
  device?: string;
  /** Entry ids; empty or absent: every entry matching the rest. */
  ids?: readonly number[];
}

/**
 * What retry did: entries given back to their sinks; those whose reading is gone; and those left
 * held because another sink has not yet passed the reading (moving it now could make that sink,
 * with the reading in a write at this moment, write it twice; retry again later).
 */
export interface RetryResult {
  retried: number;
  missing: number[];
  waiting: number[];
}

const SELECT = `SELECT id, sink, reading_id AS readingId, device, boot, seq, ts, received, fields, code, reason, at, state,
  settled_at AS settledAt FROM quarantine`;

/**
 * The quarantine (dead-letter) of rows a sink cannot write, and the skip list that keeps retries
 * exactly-once. Used by the sync worker (through SyncStore), the API and `sheetlog quarantine`,
 * which may run beside the gateway: every change is one IMMEDIATE transaction.
 *
 * Retry and the cursor: a quarantined reading lies below its sink's cursor, and below what the
 * sink itself records as delivered (CSV's deliveredThrough, the Sheets bookkeeping), so handing
 * it back as it is would be recognised as "already written" and lost. Instead the reading gets a
 * new id above every cursor: to every sink it is a new row. Sinks that already hold it (their
 * cursor passed its old id and they did not quarantine it, or they still keep it quarantined)
 * get a skip entry for the new id, so they never write it twice.
 */
export class Quarantine {
  /** Prepared at the first retry (store/device-totals.ts). */
  private totals: DeviceTotals | undefined;

  constructor(private readonly db: Db) {}

  /** Quarantines `row` for `sink` and moves the sink's cursor past it, in one transaction. */
  hold(sink: string, row: StoredReading, code: string, reason: string, now: number): void {
    this.db
      .transaction(() => {
        this.db
          .prepare(
            `INSERT INTO quarantine (sink, reading_id, device, boot, seq, ts, received, fields, code, reason, at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(sink, row.id, row.device, row.boot, row.seq, row.ts, row.received, row.fields, code, reason, now);
        this.db
          .prepare(
            `INSERT INTO sink_cursors (sink, last_id, updated_at) VALUES (?, ?, ?)
             ON CONFLICT (sink) DO UPDATE SET last_id = max(last_id, excluded.last_id), updated_at = excluded.updated_at`,
          )
          .run(sink, row.id, now);
      })
      .immediate();
  }

  /** Held entries of a sink, in total and per device. */
  counts(sink: string): { rows: number; byDevice: Record<string, number> } {
    const rows = this.db
      .prepare("SELECT device, count(*) AS n FROM quarantine WHERE sink = ? AND state = 'held' GROUP BY device ORDER BY device")
      .all(sink) as { device: string; n: number }[];
    const byDevice: Record<string, number> = Object.create(null) as Record<string, number>;
    let total = 0;
    for (const r of rows) {
      byDevice[r.device] = r.n;
      total += r.n;
    }
    return { rows: total, byDevice };
  }

  /** Entries, newest first; `states` defaults to held only. */
  list(filter: QuarantineFilter = {}, states: readonly QuarantineState[] = ['held'], limit = 1000): QuarantineEntry[] {
    const { where, args } = this.where(filter, states);
    return this.db.prepare(`${SELECT} WHERE ${where} ORDER BY id DESC LIMIT ?`).all(...args, limit) as QuarantineEntry[];
  }

  /** Ids among `fromId..toId` that `sink` must pass over (it already holds those readings). */
  skipped(sink: string, fromId: number, toId: number): Set<number> {
    const ids = this.db.prepare('SELECT reading_id FROM sink_skips WHERE reading_id BETWEEN ? AND ? AND sink = ?').pluck().all(fromId, toId, sink) as number[];
    return new Set(ids);
  }

  /** Gives held entries back to their sinks (see the class comment). */
  retry(filter: QuarantineFilter, now: number): RetryResult {
    return this.db
      .transaction((): RetryResult => {
        const entries = this.list(filter, ['held'], Number.MAX_SAFE_INTEGER);
        const bySink = new Map<number, Set<string>>();
        for (const e of entries) bySink.set(e.readingId, (bySink.get(e.readingId) ?? new Set()).add(e.sink));
        const missing: number[] = [];
        const waiting: number[] = [];
        let retried = 0;
        // A sink that skips the reading never writes it, wherever its cursor is.
        const behind = this.db.prepare('SELECT 1 FROM sink_cursors c WHERE last_id < ? AND NOT EXISTS (SELECT 1 FROM sink_skips s WHERE s.reading_id = ? AND s.sink = c.sink)');
        for (const [oldId, sinks] of bySink) {
          const ids = entries.filter((e) => e.readingId === oldId).map((e) => e.id);
          if (this.db.prepare('SELECT 1 FROM readings WHERE id = ?').get(oldId) === undefined) missing.push(...ids);
          else if (behind.get(oldId, oldId) !== undefined) waiting.push(...ids);
          else {
            this.requeue(oldId, sinks, now);
            retried += ids.length;
          }
        }
        return { retried, missing, waiting };
      })
      .immediate();
  }

  /** Gives held entries up for good; the entries stay as the record. Returns how many. */
  drop(filter: QuarantineFilter, now: number): number {
    const { where, args } = this.where(filter, ['held']);
    return this.db.transaction(() => this.db.prepare(`UPDATE quarantine SET state = 'dropped', settled_at = ? WHERE ${where}`).run(now, ...args).changes).immediate();
  }

  /** Readings some sink holds in quarantine: retention keeps them (store/retention.ts). */
  static readonly HELD_READINGS = "SELECT reading_id FROM quarantine WHERE state = 'held'";

  private requeue(oldId: number, sinks: ReadonlySet<string>, now: number): void {
    const top = this.db.prepare('SELECT max(coalesce((SELECT max(id) FROM readings), 0), coalesce((SELECT max(last_id) FROM sink_cursors), 0)) AS top').get() as { top: number };
    const newId = top.top + 1;
    const holders = new Set<string>([
      ...(this.db.prepare('SELECT sink FROM sink_cursors WHERE last_id >= ?').pluck().all(oldId) as string[]),
      ...(this.db.prepare('SELECT sink FROM sink_skips WHERE reading_id = ?').pluck().all(oldId) as string[]),
    ]);
    // Above `totals_through` the reading would be counted in its device's totals a second time,
    // and it is now its device's newest.
    this.totals ??= new DeviceTotals(this.db);
    this.totals.moving(oldId, newId);
    this.db.prepare('UPDATE readings SET id = ? WHERE id = ?').run(newId, oldId);
    const marks = [...sinks].map(() => '?').join(', ');
    this.db.prepare(`UPDATE quarantine SET state = 'retried', settled_at = ? WHERE reading_id = ? AND state = 'held' AND sink IN (${marks})`).run(now, oldId, ...sinks);
    // Other sinks' held entries follow the reading to its new id.
    this.db.prepare("UPDATE quarantine SET reading_id = ? WHERE reading_id = ? AND state = 'held'").run(newId, oldId);
    this.db.prepare('DELETE FROM sink_skips WHERE reading_id = ?').run(oldId);
    const skip = this.db.prepare('INSERT OR IGNORE INTO sink_skips (reading_id, sink) VALUES (?, ?)');
    for (const sink of holders) if (!sinks.has(sink)) skip.run(newId, sink);
  }

  private where(filter: QuarantineFilter, states: readonly QuarantineState[]): { where: string; args: (string | number)[] } {
    const parts = [`state IN (${states.map(() => '?').join(', ')})`];
    const args: (string | number)[] = [...states];
    if (filter.sink !== undefined) {
      parts.push('sink = ?');
      args.push(filter.sink);
    }
    if (filter.device !== undefined) {
      parts.push('device = ?');
      args.push(filter.device);
    }
    if (filter.ids && filter.ids.length > 0) {
      parts.push(`id IN (${filter.ids.map(() => '?').join(', ')})`);
      args.push(...filter.ids);
    }
    return { where: parts.join(' AND '), args };
  }
}
