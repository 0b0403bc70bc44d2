import type { Db } from '../store/database.js';
import type { SummaryRow } from './table.js';

/** Where one sink table holds a row (place null: not yet placed there). */
export interface PlaceInfo {
  place: number | null;
  writtenRevision: number;
  byteOffset: number | null;
}

/** A summary row with its place. */
export type PlacedRow = SummaryRow & PlaceInfo;

/**
 * The rows a placed table shows: SQL naming the source table (`s`), its columns, a filter with
 * its arguments, and the order in which new rows get places.
 */
export interface RowSource {
  table: 'summaries' | 'bills';
  columns: string;
  where: string;
  args: readonly (string | number)[];
  order: string;
}

/** A period's rows in the `summaries` table. */
export function summarySource(period: string): RowSource {
  return {
    table: 'summaries',
    columns: `s.id, s.period, s.device, s.field, s.start, s.end, s.kind, s.unit, s.count, s.min, s.max, s.mean, s.last,
      s.last_ts AS lastTs, s.consumption, s.revision, s.updated_at AS updatedAt`,
    where: 's.period = ?',
    args: [period],
    order: 's.start, s.device, s.field',
  };
}

export interface Place {
  summaryId: number;
  place: number;
  writtenRevision: number;
  byteOffset: number | null;
}

/**
 * The fixed place of every summary row (and bill row) in every sink table (`summary_places`): reserved in
 * SQLite before the row is first written, never moved, so a repeated write of a row rewrites the
 * same place and a crash between the write and its record cannot make a second copy. Places count
 * from 1 in the order rows were first written; `writtenRevision` says which revision is there.
 */
export class SummaryPlaces<R extends { id: number; revision: number } = SummaryRow> {
  constructor(
    private readonly db: Db,
    private readonly sink: string,
    private readonly tab: string,
    private readonly source: RowSource,
  ) {}

  /** Source rows missing from this table or holding an older revision, oldest place first. */
  due(limit: number): (R & PlaceInfo)[] {
    const src = this.source;
    return this.db
      .prepare(
        `SELECT ${src.columns}, p.place, coalesce(p.written_revision, 0) AS writtenRevision, p.byte_offset AS byteOffset
         FROM ${src.table} s LEFT JOIN summary_places p ON p.sink = ? AND p.tab = ? AND p.summary_id = s.id
         WHERE ${src.where} AND (p.place IS NULL OR p.written_revision < s.revision)
         ORDER BY p.place IS NULL, p.place, ${src.order} LIMIT ?`,
      )
      .all(this.sink, this.tab, ...src.args, limit) as (R & PlaceInfo)[];
  }

  /** Gives each unplaced row the next place, in one transaction; returns the rows with places. */
  reserve(rows: readonly (R & PlaceInfo)[]): (R & PlaceInfo)[] {
    const insert = this.db.prepare('INSERT INTO summary_places (sink, tab, summary_id, place, written_revision) VALUES (?, ?, ?, ?, 0)');
    return this.db.transaction(() => {
      let next = this.highestPlace() + 1;
      return rows.map((r) => {
        if (r.place !== null) return r;
        insert.run(this.sink, this.tab, r.id, next);
        return { ...r, place: next++ };
      });
    })();
  }

  highestPlace(): number {
    const row = this.db.prepare('SELECT max(place) AS p FROM summary_places WHERE sink = ? AND tab = ?').get(this.sink, this.tab) as { p: number | null };
    return row.p ?? 0;
  }

  /** Places from `from` on with their current rows, in place order. */
  tail(from: number): (R & PlaceInfo)[] {
    return this.db
      .prepare(
        `SELECT ${this.source.columns}, p.place, p.written_revision AS writtenRevision, p.byte_offset AS byteOffset
         FROM summary_places p JOIN ${this.source.table} s ON s.id = p.summary_id
         WHERE p.sink = ? AND p.tab = ? AND p.place >= ? ORDER BY p.place`,
      )
      .all(this.sink, this.tab, from) as (R & PlaceInfo)[];
  }

  placeOf(place: number): Place | null {
    const row = this.db
      .prepare('SELECT summary_id AS summaryId, place, written_revision AS writtenRevision, byte_offset AS byteOffset FROM summary_places WHERE sink = ? AND tab = ? AND place = ?')
      .get(this.sink, this.tab, place);
    return (row as Place | undefined) ?? null;
  }

  /** Records what a write put where (after the destination confirmed it), in one transaction. */
  written(rows: readonly { id: number; revision: number; byteOffset?: number | null }[]): void {
    const update = this.db.prepare('UPDATE summary_places SET written_revision = max(written_revision, ?), byte_offset = coalesce(?, byte_offset) WHERE sink = ? AND tab = ? AND summary_id = ?');
    this.db.transaction(() => {
      for (const r of rows) update.run(r.revision, r.byteOffset ?? null, this.sink, this.tab, r.id);
    })();
  }
}
