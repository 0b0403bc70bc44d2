import type { Db } from './database.js';

/** Per-sink delivery cursors: the id of the last reading each sink has confirmed. */
export class SinkCursors {
  constructor(private readonly db: Db) {}

  get(sink: string): number {
    const row = this.db.prepare('SELECT last_id AS lastId FROM sink_cursors WHERE sink = ?').get(sink) as { lastId: number } | undefined;
    return row?.lastId ?? 0;
  }

  /** Moves a sink's cursor forward (never back: a late confirmation cannot undo a newer one). */
  advance(sink: string, lastId: number, now: number): void {
    this.db
      .prepare(
        `INSERT INTO sink_cursors (sink, last_id, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (sink) DO UPDATE SET last_id = max(last_id, excluded.last_id), updated_at = excluded.updated_at`,
      )
      .run(sink, lastId, now);
  }

  /** The lowest cursor among the given sinks: every row at or below it is delivered everywhere. */
  minimum(sinks: readonly string[]): number | null {
    if (sinks.length === 0) return null;
    return Math.min(...sinks.map((s) => this.get(s)));
  }
}
