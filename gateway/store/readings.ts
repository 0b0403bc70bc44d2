import type { Db } from './database.js';
import type { TsSource } from './ops.js';

/** A stored reading as the sync side and the API read it. */
export interface StoredReading {
  id: number;
  device: string;
  boot: number;
  seq: number;
  ts: number;
  tsSource: TsSource;
  deviceTs: number | null;
  received: number;
  fields: string;
}

/** Read-side queries over the readings table. */
export class ReadingsQueries {
  constructor(private readonly db: Db) {}

  maxId(): number {
    const row = this.db.prepare('SELECT max(id) AS id FROM readings').get() as { id: number | null };
    return row.id ?? 0;
  }

  /** Readings with id > afterId, oldest first (the sync worker's read). */
  after(afterId: number, limit: number): StoredReading[] {
    return this.db
      .prepare(
        `SELECT id, device, boot, seq, ts, ts_source AS tsSource, device_ts AS deviceTs, received, fields
         FROM readings WHERE id > ? ORDER BY id LIMIT ?`,
      )
      .all(afterId, limit) as StoredReading[];
  }

  /** Highest seq of (device, boot) ever made durable (it survives retention). 0 when none. */
  highestSeq(device: string, boot: number): number {
    const row = this.db.prepare('SELECT max_seq AS maxSeq FROM boots WHERE device = ? AND boot = ?').get(device, boot) as
      | { maxSeq: number }
      | undefined;
    return row?.maxSeq ?? 0;
  }

  bootExists(device: string, boot: number): boolean {
    return this.db.prepare('SELECT 1 FROM boots WHERE device = ? AND boot = ?').get(device, boot) !== undefined;
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM readings').get() as { n: number }).n;
  }
}
