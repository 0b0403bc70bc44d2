import { join } from 'node:path';
import { openDatabase } from '../../gateway/store/database.js';
import { BatchWriter } from '../../gateway/store/batch-writer.js';
import type { WriteOp } from '../../gateway/store/ops.js';

/** The readings of a store file a benchmark writes (writeStoreFile). */
export interface StoreFileShape {
  readings: number;
  /** Busy devices, sending in turn. */
  busy: number;
  /** One reading in this many is the device `rare`'s, the only ones with the field `door`. */
  rareEvery: number;
  /** `received` (and `ts`) of the first reading, epoch ms; one millisecond apart. */
  start: number;
}

/**
 * `<dir>/sheetlog.db` as the gateway leaves it after storing `shape.readings` readings: written by
 * the gateway's own writer in commits of 5,000, the device counters folded as they go (a commit
 * every 5 s of the readings' time), every reading counted as delivered by the CSV sink (its cursor
 * at the top, so a gateway started on it syncs nothing), the WAL checkpointed away.
 */
export function writeStoreFile(dir: string, shape: StoreFileShape): void {
  const db = openDatabase({ path: join(dir, 'sheetlog.db'), synchronous: 'OFF', busyTimeoutMs: 5000 });
  const writer = new BatchWriter(db);
  const seqs = new Map<string, number>();
  const batch = 5_000;
  for (let from = 0; from < shape.readings; from += batch) {
    const ops: WriteOp[] = [];
    for (let i = from; i < Math.min(shape.readings, from + batch); i++) {
      const rare = i % shape.rareEvery === shape.rareEvery - 1;
      const device = rare ? 'rare' : `busy-${String(i % shape.busy).padStart(4, '0')}`;
      const seq = (seqs.get(device) ?? 0) + 1;
      seqs.set(device, seq);
      const at = shape.start + i;
      ops.push({
        kind: 'reading',
        row: { device, boot: 1, seq, ts: at, tsSource: 'gateway', deviceTs: null, received: at, fields: rare ? '{"temp_c":21.5,"door":true}' : '{"temp_c":21.5}', bytes: 30, clockUntrusted: false },
        done: () => {},
      });
    }
    writer.apply(ops, shape.start + from + batch);
  }
  const top = db.prepare('SELECT max(id) FROM readings').pluck().get() as number;
  db.prepare('INSERT OR REPLACE INTO sink_cursors (sink, last_id, updated_at) VALUES (?, ?, ?)').run('csv', top, Date.now());
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}
