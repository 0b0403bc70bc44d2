import type { Statement } from 'better-sqlite3';
import type { Db } from './database.js';
import { SeqRanges } from './seq-ranges.js';

/** The `meta` key holding the highest reading id whose seq every `boots.stored` includes. */
export const SEQ_THROUGH_KEY = 'seq_through';

/** Where the readers get a boot's stored seqs: SQLite (BootSeqsReader) or the writer's ledger on the same thread. */
export interface BootSeqsSource {
  /** The stored seqs of (device, boot); read-only for the caller. */
  seqsOf(device: string, boot: number): SeqRanges;
}

/** One (device, boot) as the store holds it: its seqs and whether it has a `boots` row. */
export interface StoredBoot {
  seqs: SeqRanges;
  hasRow: boolean;
}

/**
 * What the store holds of a (device, boot), read from SQLite alone (docs/OPERATIONS.md, "Resends"):
 * `readings` has no index by board on the commit's path, so the seqs come from the boot's
 * `boots.stored` ranges (written in bulk by the writer, store/seq-ledger.ts), its `pruned_seq`
 * floor and the readings committed since that write (`id` above `meta.seq_through`, a scan of
 * the newest rows by id). The three are read in one transaction, so a write of the ranges by
 * another connection in between cannot hide a reading.
 */
export class BootSeqsReader implements BootSeqsSource {
  private readonly row: Statement;
  private readonly through: Statement;
  private readonly tail: Statement;
  private readonly read: (device: string, boot: number) => StoredBoot;

  constructor(db: Db) {
    // `max_seq` is not read: the first stored seq, or raised by retention together with `pruned_seq`.
    this.row = db.prepare('SELECT stored, pruned_seq AS pruned FROM boots WHERE device = ? AND boot = ?');
    this.through = db.prepare(`SELECT value FROM meta WHERE key = '${SEQ_THROUGH_KEY}'`).pluck();
    // `+device`: step through the newest rows by id, never through an index by device.
    this.tail = db.prepare('SELECT seq FROM readings WHERE id > ? AND +device = ? AND boot = ?').pluck();
    this.read = db.transaction((device: string, boot: number): StoredBoot => {
      const row = this.row.get(device, boot) as { stored: string | null; pruned: number } | undefined;
      const seqs = SeqRanges.parse(row?.stored ?? null, row?.pruned ?? 0);
      const through = Number(this.through.get() ?? 0);
      for (const seq of this.tail.iterate(through, device, boot) as IterableIterator<number>) seqs.add(seq);
      return { seqs, hasRow: row !== undefined };
    });
  }

  load(device: string, boot: number): StoredBoot {
    return this.read(device, boot);
  }

  seqsOf(device: string, boot: number): SeqRanges {
    return this.read(device, boot).seqs;
  }
}
