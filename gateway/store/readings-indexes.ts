import type { Db } from './database.js';

/**
 * Indexes on `readings` kept only while something reads by them. Each puts every board's newest
 * entries in a page of their own, so a commit of many boards rewrote one more page per board in
 * it (docs/OPERATIONS.md, "The commit window"). Turned on again, an index is built from the stored readings, once, at that start.
 */
export type IndexChange = 'created' | 'dropped' | null;

/** The index of readings by (device, time): what summaries and bills read a device's span with. */
export const DEVICE_TIME_INDEX = 'readings_by_device_ts';

/**
 * The index of readings by (device, boot, seq): what the counter guard reads a counter's
 * neighbours with (fields of kind "counter"). Not unique: resends are recognised by the writer's
 * ledger (store/seq-ledger.ts), not by this index.
 */
export const BOOT_SEQ_INDEX = 'readings_by_boot_seq';

/** Keeps the (device, time) index only while summaries (`summaries.periods`) or bills (`billing.field`) read by it. */
export function keepDeviceTimeIndex(db: Db, wanted: boolean): IndexChange {
  return keepIndex(db, DEVICE_TIME_INDEX, '(device, ts)', wanted);
}

/** Keeps the (device, boot, seq) index only while a field rule of kind "counter" reads by it. */
export function keepBootSeqIndex(db: Db, wanted: boolean): IndexChange {
  return keepIndex(db, BOOT_SEQ_INDEX, '(device, boot, seq)', wanted);
}

function keepIndex(db: Db, name: string, columns: string, wanted: boolean): IndexChange {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?").get(name) !== undefined;
  if (exists === wanted) return null;
  db.exec(wanted ? `CREATE INDEX IF NOT EXISTS ${name} ON readings ${columns}` : `DROP INDEX IF EXISTS ${name}`);
  return wanted ? 'created' : 'dropped';
}
