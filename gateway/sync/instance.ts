import { randomUUID } from 'node:crypto';
import type { Db } from '../store/database.js';

/**
 * A random id naming this SQLite store, created on first use and kept in its `meta` table. Sinks
 * that keep state outside SQLite (the CSV files) record it, so that state from an older store
 * (whose reading ids started again at 1) is never mistaken for this one's.
 */
export function storeInstanceId(db: Db): string {
  db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('instance', ?)").run(randomUUID());
  return (db.prepare("SELECT value FROM meta WHERE key = 'instance'").get() as { value: string }).value;
}
