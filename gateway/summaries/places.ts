import type { Db } from '../store/database.js';
import type { SummaryRow } from './table.js';

/** A summary row with where one sink table holds it (place null: not yet placed there). */
export interface PlacedRow extends SummaryRow {
  place: number | null;
  writtenRevision: number;
  byteOffset: number | null;
}

export interface Place {
  summaryId: number;
  place: number;
  writtenRevision: number;
  byteOffset: number | null;
}

/**
 * The fixed place of every summary row in every sink table (`summary_places`): reserved in
 * SQLite before the row is first written, never moved, so a repeated write of a row rewrites the
 * same place and a crash between the write and its record cannot make a second copy. Places count
 * from 1 in the order rows were first written; `writtenRevision` says which revision is there.
 */
export class SummaryPlaces {
  constructor(
    private readonly db: Db,
    private readonly sink: string,
    private readonly tab: string,
  ) {}

  /** Rows of `period` missing from this table or holding an older revision, oldest place first. */
  due(period: string, limit: number): PlacedRow[] {
    return this.db
      .prepare(
        `SELECT s.id, s.period, s.device, s.field, s.start, s.end, s.kind, s.unit, s.count, s.min, s.max, s.mean, s.last,
           s.last_ts AS lastTs, s.consumption, s.revision, s.updated_at AS updatedAt,
           p.place, coalesce(p.written_revision, 0) AS writtenRevision, p.byte_offset AS byteOffset
         FROM summaries s LEFT JOIN summary_places p ON p.sink = ? AND p.tab = ? AND p.summary_id = s.id
         WHERE s.period = ? AND (p.place IS NULL OR p.written_revision < s.revision)
         ORDER BY p.place IS NULL, p.place, s.start, s.device, s.field LIMIT ?`,
      )
      .all(this.sink, this.tab, period, limit) as PlacedRow[];
  }

  /** Gives each unplaced row the next place, in one transaction; returns the rows with places. */
  reserve(rows: readonly PlacedRow[]): PlacedRow[] {
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
  tail(from: number): PlacedRow[] {
    return this.db
      .prepare(
        `SELECT s.id, s.period, s.device, s.field, s.start, s.end, s.kind, s.unit, s.count, s.min, s.max, s.mean, s.last,
           s.last_ts AS lastTs, s.consumption, s.revision, s.updated_at AS updatedAt,
           p.place, p.written_revision AS writtenRevision, p.byte_offset AS byteOffset
         FROM summary_places p JOIN summaries s ON s.id = p.summary_id
         WHERE p.sink = ? AND p.tab = ? AND p.place >= ? ORDER BY p.place`,
      )
      .all(this.sink, this.tab, from) as PlacedRow[];
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
