import type { Db } from './database.js';

const CHUNK = 5000;

/**
 * Deletes readings that every sink has delivered and that are older than the retention period.
 * Before deleting, it records per (device, boot) the highest pruned seq, so that a board resending
 * an old reading is still recognised as a duplicate. Works in chunks to keep each transaction short.
 */
export class Retention {
  private readonly raisePruned;
  private readonly remove;

  constructor(private readonly db: Db) {
    this.raisePruned = db.prepare(
      `INSERT INTO boots (device, boot, max_seq, pruned_seq, first_seen)
         SELECT device, boot, max(seq), max(seq), min(received) FROM readings WHERE id <= ? GROUP BY device, boot
       ON CONFLICT (device, boot) DO UPDATE SET pruned_seq = max(pruned_seq, excluded.pruned_seq),
         max_seq = max(max_seq, excluded.max_seq)`,
    );
    this.remove = db.prepare('DELETE FROM readings WHERE id <= ?');
  }

  /**
   * Prunes rows with id <= deliveredId and received < olderThan. Returns how many were deleted.
   */
  prune(deliveredId: number, olderThan: number): number {
    let deleted = 0;
    for (;;) {
      const upTo = this.db
        .prepare('SELECT max(id) AS id FROM (SELECT id FROM readings WHERE id <= ? AND received < ? ORDER BY id LIMIT ?)')
        .get(deliveredId, olderThan, CHUNK) as { id: number | null };
      if (upTo.id === null) return deleted;
      const limit = upTo.id;
      // IMMEDIATE: take the write lock up front (waiting on busy_timeout) rather than fail when the
      // sync thread's connection wrote in between.
      const n = this.db.transaction(() => {
        this.raisePruned.run(limit);
        return this.remove.run(limit).changes;
      }).immediate();
      deleted += n;
      if (n < CHUNK) return deleted;
    }
  }
}
