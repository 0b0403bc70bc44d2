import type { Db } from './database.js';

/** The index of readings by (device, time): what summaries and bills read a device's span with. */
export const DEVICE_TIME_INDEX = 'readings_by_device_ts';

export type IndexChange = 'created' | 'dropped' | null;

/**
 * Keeps the (device, time) index only while something reads by it: summaries (`summaries.periods`)
 * or bills (`billing.field`). Without them it is dropped: like the unique (device, boot, seq)
 * index, it puts each board's newest entries in a page of their own, so every commit rewrote one
 * more page per board in it, about half of what a commit wrote with many boards (docs/STORE.md).
 * Turned on again, it is built from the stored readings, once, at that start. Returns what changed.
 */
export function keepDeviceTimeIndex(db: Db, wanted: boolean): IndexChange {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?").get(DEVICE_TIME_INDEX) !== undefined;
  if (exists === wanted) return null;
  db.exec(wanted ? `CREATE INDEX IF NOT EXISTS ${DEVICE_TIME_INDEX} ON readings (device, ts)` : `DROP INDEX IF EXISTS ${DEVICE_TIME_INDEX}`);
  return wanted ? 'created' : 'dropped';
}
