import type { Db } from './database.js';
import { TOTALS_THROUGH_KEY } from './device-totals.js';
import { Quarantine } from './quarantine.js';

/** Rows a transaction of retention deletes at most: a few milliseconds of the event loop. */
export const RETENTION_CHUNK_ROWS = 2000;

/**
 * Deletes readings that every sink has delivered and that are older than the retention period.
 * Before deleting, it records per (device, boot) the highest pruned seq, so that a board resending
 * an old reading is still recognised as a duplicate. Works in chunks to keep each transaction short,
 * and the gateway runs one chunk a turn of its event loop (pruneChunk).
 * A reading some sink holds in quarantine is never pruned: `sheetlog quarantine retry` needs it,
 * and `drop` (which keeps its own record) lets retention have it.
 *
 * The newest reading is never pruned either. `readings.id` is a plain INTEGER PRIMARY KEY: SQLite
 * gives a new row the highest id in the table plus one, so a table emptied by retention would
 * hand out ids from 1 again, at or below the sinks' cursors (which would never deliver them) and
 * `meta.seq_through` (which would not see them). Keeping the newest row keeps ids increasing.
 * Nor are readings above `meta.totals_through`: the devices' counts of them are read from them
 * until the writer folds them (store/device-totals.ts: every 250 ms while readings arrive, and
 * at a clean stop), so a later round prunes them.
 */
export class Retention {
  private readonly raisePruned;
  private readonly remove;
  private readonly forgetSkips;
  private readonly newest;
  private readonly counted;
  private readonly find;

  constructor(
    private readonly db: Db,
    /** Rows a transaction deletes at most (bench:retention passes the size it had before). */
    private readonly chunkRows = RETENTION_CHUNK_ROWS,
  ) {
    this.raisePruned = db.prepare(
      `INSERT INTO boots (device, boot, max_seq, pruned_seq, first_seen)
         SELECT device, boot, max(seq), max(seq), min(received) FROM readings WHERE id <= ? GROUP BY device, boot
       ON CONFLICT (device, boot) DO UPDATE SET pruned_seq = max(pruned_seq, excluded.pruned_seq),
         max_seq = max(max_seq, excluded.max_seq)`,
    );
    // received too: a retried reading (store/quarantine.ts) has a new, high id and an old receive time.
    this.remove = db.prepare(`DELETE FROM readings WHERE id <= ? AND received < ? AND id NOT IN (${Quarantine.HELD_READINGS})`);
    this.newest = db.prepare('SELECT max(id) FROM readings').pluck();
    this.counted = db.prepare(`SELECT CAST(value AS INTEGER) FROM meta WHERE key = '${TOTALS_THROUGH_KEY}'`).pluck();
    this.find = db.prepare(`SELECT max(id) AS id FROM (SELECT id FROM readings WHERE id <= ? AND received < ? AND id NOT IN (${Quarantine.HELD_READINGS}) ORDER BY id LIMIT ?)`);
    this.forgetSkips = db.prepare('DELETE FROM sink_skips WHERE reading_id <= ? AND reading_id NOT IN (SELECT id FROM readings WHERE id <= ?)');
  }

  /**
   * Prunes rows with id <= deliveredId and received < olderThan, except the newest reading and
   * those not counted in `devices` yet, all of them at once (Store.prune). Returns how many
   * were deleted.
   */
  prune(deliveredId: number, olderThan: number): number {
    let deleted = 0;
    for (;;) {
      const step = this.pruneChunk(deliveredId, olderThan);
      deleted += step.deleted;
      if (!step.more) return deleted;
    }
  }

  /**
   * One transaction of at most `chunkRows` rows of `prune`. The gateway runs one a turn
   * of its event loop, so a large backlog of old readings (a busy gateway's minute of readings
   * once they pass `retentionHours`, or what piled up during a long stop) does not hold up the
   * boards' ACKs for seconds. `more`: another chunk may be waiting.
   */
  pruneChunk(deliveredId: number, olderThan: number): { deleted: number; more: boolean } {
    // Below the newest reading and counted in `devices` (see the class comment). Both only grow,
    // so values read before the transaction below stay safe.
    const below = Math.min(deliveredId, ((this.newest.get() as number | null) ?? 0) - 1, (this.counted.get() as number | undefined) ?? 0);
    const upTo = this.find.get(below, olderThan, this.chunkRows) as { id: number | null };
    if (upTo.id === null) return { deleted: 0, more: false };
    const limit = upTo.id;
    // IMMEDIATE: take the write lock up front (waiting on busy_timeout) rather than fail when the
    // sync thread's connection wrote in between.
    const deleted = this.db.transaction(() => {
      this.raisePruned.run(limit);
      const n = this.remove.run(limit, olderThan).changes;
      this.forgetSkips.run(limit, limit);
      return n;
    }).immediate();
    return { deleted, more: deleted >= this.chunkRows };
  }
}
