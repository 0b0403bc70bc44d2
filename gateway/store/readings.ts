import type { Statement } from 'better-sqlite3';
import type { CounterPoint } from '../fields/counter-guard.js';
import { BootSeqsReader, type BootSeqsSource } from './boot-seqs.js';
import type { Db } from './database.js';
import type { SeqRanges } from './seq-ranges.js';
import type { ReadingRow, TsSource } from './ops.js';

type RawReading = [number, string, number, number, number, TsSource, number | null, number, string];

/** A stored reading as the sync side and the API read it: the row as written, with its id. */
export type StoredReading = Omit<ReadingRow, 'bytes' | 'clockUntrusted'> & { id: number };

/** Read-side queries over the readings table. */
export class ReadingsQueries {
  /**
   * `seqs`: where a boot's stored seqs come from; by default SQLite (store/boot-seqs.ts). The
   * store passes its writer's ledger when it commits on this thread: the same answer, from memory.
   */
  constructor(
    private readonly db: Db,
    private seqs?: BootSeqsSource,
  ) {}

  maxId(): number {
    const row = this.db.prepare('SELECT max(id) AS id FROM readings').get() as { id: number | null };
    return row.id ?? 0;
  }

  /** Readings with id > afterId, oldest first. */
  after(afterId: number, limit: number): StoredReading[] {
    return this.within(afterId, limit, Number.POSITIVE_INFINITY, 0).rows;
  }

  /**
   * The sync worker's read: readings with id > afterId, oldest first, at most `limit` of them and
   * no more than `maxBytes` (each row's fields text plus `overheadBytes`; the first row always).
   * Rows are stepped through (`.raw().iterate()`) rather than materialised with `.all()`: reading
   * stops where the byte limit cuts, and each row becomes one object of a fixed shape instead of
   * better-sqlite3's per-row named-column object. `cut`: the batch was limited (more may wait).
   */
  within(afterId: number, limit: number, maxBytes: number, overheadBytes: number): { rows: StoredReading[]; cut: boolean } {
    this.afterStmt ??= this.db
      .prepare('SELECT id, device, boot, seq, ts, ts_source, device_ts, received, fields FROM readings WHERE id > ? ORDER BY id LIMIT ?')
      .raw();
    const rows: StoredReading[] = [];
    let bytes = 0;
    for (const r of this.afterStmt.iterate(afterId, limit) as IterableIterator<RawReading>) {
      const fields = r[8];
      bytes += fields.length + overheadBytes;
      if (bytes > maxBytes && rows.length > 0) return { rows, cut: true };
      rows.push({ id: r[0], device: r[1], boot: r[2], seq: r[3], ts: r[4], tsSource: r[5], deviceTs: r[6], received: r[7], fields });
    }
    return { rows, cut: rows.length >= limit };
  }

  private afterStmt: Statement | undefined;

  /** The stored seqs of (device, boot). */
  private boot(device: string, boot: number): SeqRanges {
    this.seqs ??= new BootSeqsReader(this.db);
    return this.seqs.seqsOf(device, boot);
  }

  /** Highest seq of (device, boot) ever made durable (it survives retention). 0 when none. */
  highestSeq(device: string, boot: number): number {
    return this.boot(device, boot).highest();
  }

  /**
   * The run of consecutive seqs of (device, boot) stored right after `after` (seqs at or below the
   * boot's pruned_seq count as stored: retention removed them). `prefix`: the run's last seq;
   * `more`: whether readings exist beyond the gap that ends it. Used by MQTT's gap-aware ACKs.
   */
  contiguousSeq(device: string, boot: number, after: number): { prefix: number; more: boolean } {
    return this.boot(device, boot).contiguousAfter(after);
  }

  /**
   * A counter field's stored values of (device, boot) nearest `seq` below and above it (readings
   * without the field, or with a non-number, are passed over), and whether `seq` itself is stored.
   * The neighbours are read by the (device, boot, seq) index, kept while counter rules exist
   * (store/readings-indexes.ts); usually the neighbour is the next row.
   */
  counterNear(device: string, boot: number, field: string, seq: number): { stored: boolean; below: CounterPoint | null; above: CounterPoint | null } {
    const path = `$."${field}"`;
    // Prepared once: the first reading of every (device, boot) with a counter asks.
    this.counterStmts ??= {
      below: this.db.prepare(nearestCounterSql('<', 'DESC')),
      above: this.db.prepare(nearestCounterSql('>', 'ASC')),
    };
    const { below, above } = this.counterStmts;
    const near = (stmt: Statement) => (stmt.get(path, device, boot, seq, path) as CounterPoint | undefined) ?? null;
    return { stored: this.boot(device, boot).has(seq), below: near(below), above: near(above) };
  }

  private counterStmts: { below: Statement; above: Statement } | undefined;

  bootExists(device: string, boot: number): boolean {
    return this.db.prepare('SELECT 1 FROM boots WHERE device = ? AND boot = ?').get(device, boot) !== undefined;
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM readings').get() as { n: number }).n;
  }
}

/** The nearest stored numeric value of a counter field below or above a seq of one (device, boot). */
function nearestCounterSql(op: '<' | '>', order: 'DESC' | 'ASC'): string {
  return `SELECT seq, json_extract(fields, ?) AS value FROM readings
    WHERE device = ? AND boot = ? AND seq ${op} ? AND json_type(fields, ?) IN ('integer', 'real')
    ORDER BY seq ${order} LIMIT 1`;
}
