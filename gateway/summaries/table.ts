import type { Statement } from 'better-sqlite3';
import type { Db } from '../store/database.js';
import type { Figures, Sample } from './aggregate.js';
import type { Span } from '../time/periods.js';

/** A computed summary row as stored (table `summaries`). */
export interface SummaryRow extends Figures {
  id: number;
  period: string;
  device: string;
  field: string;
  start: number;
  end: number;
  revision: number;
  updatedAt: number;
}

export interface DirtySpan extends Span {
  period: string;
  device: string;
  field: string;
}

const ROW_COLUMNS = `id, period, device, field, start, end, kind, unit, count, min, max, mean, last, last_ts AS lastTs,
  consumption, revision, updated_at AS updatedAt`;

/** A JSON path naming one field of a reading's fields object (field names are quoted). */
function fieldPath(field: string): string {
  return `$."${field.replace(/"/g, '""')}"`;
}

/** The SQL side of summaries: progress, dirty spans, the raw samples of a span, the rows. */
export class SummaryTable {
  /** Statements by SQL, prepared once: a scan runs some of them once per dirty span. */
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly db: Db) {}

  private prepared(sql: string): Statement {
    let stmt = this.statements.get(sql);
    if (stmt === undefined) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  /** Readings after `afterId`, oldest first, as a scan reads them. */
  readingsAfter(afterId: number, limit: number): { id: number; device: string; ts: number; fields: string }[] {
    return this.prepared('SELECT id, device, ts, fields FROM readings WHERE id > ? ORDER BY id LIMIT ?').all(afterId, limit) as {
      id: number;
      device: string;
      ts: number;
      fields: string;
    }[];
  }

  progress(period: string): number {
    const row = this.prepared('SELECT through_id AS id FROM summary_progress WHERE period = ?').get(period) as { id: number } | undefined;
    return row?.id ?? 0;
  }

  setProgress(period: string, throughId: number): void {
    this.prepared('INSERT INTO summary_progress (period, through_id) VALUES (?, ?) ON CONFLICT (period) DO UPDATE SET through_id = max(through_id, excluded.through_id)')
      .run(period, throughId);
  }

  markDirty(span: DirtySpan): void {
    this.prepared('INSERT OR IGNORE INTO summary_dirty (period, device, field, start, end) VALUES (?, ?, ?, ?, ?)')
      .run(span.period, span.device, span.field, span.start, span.end);
  }

  /** Dirty spans that ended at or before `endedBy`, oldest first. */
  dueSpans(endedBy: number, limit: number): DirtySpan[] {
    return this.prepared('SELECT period, device, field, start, end FROM summary_dirty WHERE end <= ? ORDER BY end, period, device, field LIMIT ?')
      .all(endedBy, limit) as DirtySpan[];
  }

  clearDirty(span: DirtySpan): void {
    this.prepared('DELETE FROM summary_dirty WHERE period = ? AND device = ? AND field = ? AND start = ?').run(span.period, span.device, span.field, span.start);
  }

  /** The numeric values of `field` of `device` in [start, end), in summary order. */
  samples(device: string, field: string, span: Span): Sample[] {
    return this.prepared(
        `SELECT ts, boot, seq, value FROM (SELECT ts, boot, seq, json_extract(fields, ?) AS value FROM readings
           WHERE device = ? AND ts >= ? AND ts < ?) WHERE typeof(value) IN ('integer', 'real') ORDER BY ts, boot, seq`,
      )
      .all(fieldPath(field), device, span.start, span.end) as Sample[];
  }

  /** The last numeric sample of `field` of `device` before `t` (a counter's starting point). */
  sampleBefore(device: string, field: string, t: number): Sample | null {
    const row = this.prepared(
        `SELECT ts, boot, seq, value FROM (SELECT ts, boot, seq, json_extract(fields, ?) AS value FROM readings
           WHERE device = ? AND ts < ? ORDER BY ts DESC, boot DESC, seq DESC)
         WHERE typeof(value) IN ('integer', 'real') LIMIT 1`,
      )
      .get(fieldPath(field), device, t) as Sample | undefined;
    return row ?? null;
  }

  /** The time of the first numeric sample of `field` of `device` after `t`, if any. */
  sampleAfter(device: string, field: string, t: number): number | null {
    const row = this.prepared(
        `SELECT ts FROM (SELECT ts, boot, seq, json_extract(fields, ?) AS value FROM readings
           WHERE device = ? AND ts > ? ORDER BY ts, boot, seq)
         WHERE typeof(value) IN ('integer', 'real') LIMIT 1`,
      )
      .get(fieldPath(field), device, t) as { ts: number } | undefined;
    return row?.ts ?? null;
  }

  /** Stores a span's figures; the revision goes up only when they changed. Returns the row. */
  upsert(span: DirtySpan, f: Figures, now: number): SummaryRow {
    const existing = this.find(span.period, span.device, span.field, span.start);
    if (existing && sameFigures(existing, f) && existing.end === span.end) return existing;
    if (existing) {
      this.prepared(
          `UPDATE summaries SET end = ?, kind = ?, unit = ?, count = ?, min = ?, max = ?, mean = ?, last = ?, last_ts = ?,
             consumption = ?, revision = revision + 1, updated_at = ? WHERE id = ?`,
        )
        .run(span.end, f.kind, f.unit, f.count, f.min, f.max, f.mean, f.last, f.lastTs, f.consumption, now, existing.id);
    } else {
      this.prepared(
          `INSERT INTO summaries (period, device, field, start, end, kind, unit, count, min, max, mean, last, last_ts, consumption, revision, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)`,
        )
        .run(span.period, span.device, span.field, span.start, span.end, f.kind, f.unit, f.count, f.min, f.max, f.mean, f.last, f.lastTs, f.consumption, now);
    }
    return this.find(span.period, span.device, span.field, span.start) as SummaryRow;
  }

  find(period: string, device: string, field: string, start: number): SummaryRow | null {
    const row = this.prepared(`SELECT ${ROW_COLUMNS} FROM summaries WHERE period = ? AND device = ? AND field = ? AND start = ?`).get(period, device, field, start);
    return (row as SummaryRow | undefined) ?? null;
  }

  /** Rows of a period, by start then device and field (optionally one device, a time range). */
  rows(period: string, opts: { device?: string; from?: number; to?: number } = {}): SummaryRow[] {
    return this.prepared(
        `SELECT ${ROW_COLUMNS} FROM summaries WHERE period = ? AND (? IS NULL OR device = ?) AND start >= ? AND start < ?
         ORDER BY start, device, field`,
      )
      .all(period, opts.device ?? null, opts.device ?? null, opts.from ?? -8.64e15, opts.to ?? 8.64e15) as SummaryRow[];
  }

  byIds(ids: readonly number[]): SummaryRow[] {
    if (ids.length === 0) return [];
    const stmt = this.prepared(`SELECT ${ROW_COLUMNS} FROM summaries WHERE id = ?`);
    return ids.map((id) => stmt.get(id) as SummaryRow | undefined).filter((r): r is SummaryRow => r !== undefined);
  }
}

function sameFigures(a: Figures, b: Figures): boolean {
  return (
    a.kind === b.kind &&
    a.unit === b.unit &&
    a.count === b.count &&
    a.min === b.min &&
    a.max === b.max &&
    a.mean === b.mean &&
    a.last === b.last &&
    a.lastTs === b.lastTs &&
    a.consumption === b.consumption
  );
}
