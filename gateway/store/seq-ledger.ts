import type { Statement } from 'better-sqlite3';
import { BootSeqsReader, SEQ_THROUGH_KEY, type BootSeqsSource } from './boot-seqs.js';
import type { Db } from './database.js';
import type { SeqRanges } from './seq-ranges.js';

/** Rows stored between two writes of the changed boots' ranges into `boots.stored`. */
export const SEQ_FLUSH_ROWS = 5000;
/** Longest time between two such writes while boots changed (the commit clock). */
export const SEQ_FLUSH_MS = 1000;
/**
 * Most ranges (runs of seqs separated by gaps) one boot may hold above its floor. A reading that
 * would open one more is not stored (outcome `gaps`: the board hears NAK TOO_MANY_GAPS): a board that leaves tens of thousands of
 * gaps in one boot is broken or hostile, and each range costs memory and bytes in every write of
 * its row (about 1 MB at the limit). docs/OPERATIONS.md, "Resends".
 */
export const MAX_RANGES_PER_BOOT = 65_536;
/** How many boots the ledger keeps in memory (clean ones go first, oldest first). */
const BOOTS_REMEMBERED = 65_536;

interface Entry {
  /** `device \0 boot`: the entry's key in the ledger. */
  key: string;
  device: string;
  boot: number;
  seqs: SeqRanges;
  /** A `boots` row exists (the first stored reading of a boot adds it). */
  hasRow: boolean;
}

/**
 * The writer's record of which seqs of each (device, boot) are stored (docs/OPERATIONS.md, "Resends"):
 * what recognises a resent reading without a unique index on `readings`, whose per-board pages a
 * commit of many boards rewrote one per board. Boots are loaded from SQLite on first use
 * (BootSeqsReader) and kept; the ranges of the boots changed since the last write go to
 * `boots.stored`, with `meta.seq_through`, in the commit that crosses SEQ_FLUSH_ROWS stored
 * readings or SEQ_FLUSH_MS: a crash loses nothing, because a load adds the readings committed
 * after `seq_through`. Only the writer stores readings, so what it holds is what is stored.
 */
export class SeqLedger implements BootSeqsSource {
  private readonly boots = new Map<string, Entry>();
  /** Boots with readings stored since the last write of their ranges (kept across a rollback). */
  private readonly dirty = new Map<string, [string, number]>();
  /** Boots changed in the running transaction: forgotten if it rolls back. */
  private readonly touched = new Set<string>();
  private readonly reader: BootSeqsReader;
  private readonly writeBoot: Statement;
  private readonly writeThrough: Statement;
  private storedSinceFlush = 0;
  private flushedAt = Number.NEGATIVE_INFINITY;

  constructor(db: Db) {
    this.reader = new BootSeqsReader(db);
    this.writeBoot = db.prepare(
      `INSERT INTO boots (device, boot, max_seq, first_seen, stored) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (device, boot) DO UPDATE SET stored = excluded.stored`,
    );
    this.writeThrough = db.prepare(`INSERT INTO meta (key, value) VALUES ('${SEQ_THROUGH_KEY}', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`);
    // Readings committed after the last write of the ranges (a crash, a writer replaced): their
    // boots are due for a write, or the next one would move `seq_through` past them.
    const through = Number(db.prepare(`SELECT value FROM meta WHERE key = '${SEQ_THROUGH_KEY}'`).pluck().get() ?? 0);
    const since = db.prepare('SELECT DISTINCT device, boot FROM readings WHERE id > ?').raw();
    for (const [device, boot] of since.iterate(through) as IterableIterator<[string, number]>) this.dirty.set(`${device}\u0000${boot}`, [device, boot]);
  }

  /** The boot's entry, loaded from SQLite the first time. */
  entry(device: string, boot: number): Entry {
    const key = `${device}\u0000${boot}`;
    let e = this.boots.get(key);
    if (e === undefined) {
      const loaded = this.reader.load(device, boot);
      e = { key, device, boot, seqs: loaded.seqs, hasRow: loaded.hasRow };
      this.remember(key, e);
    }
    return e;
  }

  /**
   * The stored seqs of (device, boot) for a reader on the writer's own thread, between commits
   * (what it holds then is what is committed): loaded and kept like the writer's own use.
   */
  seqsOf(device: string, boot: number): SeqRanges {
    return this.entry(device, boot).seqs;
  }

  /** Records `seq` of the entry as stored (call it inside the transaction that inserted it). */
  stored(e: Entry, seq: number): void {
    e.seqs.add(seq);
    this.touched.add(e.key);
    if (!this.dirty.has(e.key)) this.dirty.set(e.key, [e.device, e.boot]);
    this.storedSinceFlush++;
  }

  /**
   * Inside the transaction, after its readings: writes the changed boots' ranges and the highest
   * reading id they include, when due. Returns whether it wrote.
   */
  flushIfDue(now: number, highestId: number): boolean {
    if (this.dirty.size === 0) return false;
    if (this.storedSinceFlush < SEQ_FLUSH_ROWS && now - this.flushedAt < SEQ_FLUSH_MS && now >= this.flushedAt) return false;
    for (const [device, boot] of this.dirty.values()) {
      const e = this.entry(device, boot);
      this.writeBoot.run(device, boot, e.seqs.highest(), now, e.seqs.toJSON());
      e.hasRow = true;
    }
    this.writeThrough.run(String(highestId));
    return true;
  }

  /** The transaction committed; `flushed`: it wrote the ranges (flushIfDue returned true). */
  committed(now: number, flushed: boolean): void {
    this.touched.clear();
    if (!flushed) return;
    this.dirty.clear();
    this.storedSinceFlush = 0;
    this.flushedAt = now;
  }

  /**
   * The transaction rolled back: the boots it changed are read again from SQLite when next used.
   * Boots changed by earlier commits stay due for a write of their ranges.
   */
  rolledBack(): void {
    for (const key of this.touched) this.boots.delete(key);
    // A write of the ranges may have been rolled back too (and the `hasRow` it set).
    for (const key of this.dirty.keys()) this.boots.delete(key);
    this.touched.clear();
  }

  private remember(key: string, e: Entry): void {
    if (this.boots.size >= BOOTS_REMEMBERED) {
      for (const k of this.boots.keys()) {
        if (this.dirty.has(k) || this.touched.has(k)) continue;
        this.boots.delete(k);
        break;
      }
    }
    this.boots.set(key, e);
  }
}
