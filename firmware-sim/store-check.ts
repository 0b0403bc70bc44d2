import Database from 'better-sqlite3';
import type { AckedRecord } from './fleet.js';

/**
 * Checks a gateway's SQLite file, read-only, against what the boards saw acknowledged: every
 * acknowledged (device, boot, seq) must be stored exactly once. Rows the gateway already pruned
 * after delivering them to every sink (seq <= boots.pruned_seq) count as present.
 */
export interface StoreCheck {
  path: string;
  /** Acknowledged readings looked up. */
  checked: number;
  /** Acknowledged readings found neither as a row nor below the pruned watermark. */
  missing: number;
  /** Acknowledged readings already pruned (delivered, then deleted by retention). */
  pruned: number;
  /** (device, boot, seq) keys stored more than once for the fleet's boards. */
  duplicates: number;
  /** Up to 10 missing readings as `device/boot/seq`. */
  missingSamples: string[];
}

export function checkStore(path: string, acked: readonly AckedRecord[]): StoreCheck {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const hasBoots = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'boots'").get() !== undefined;
    const seqsOf = db.prepare('SELECT seq FROM readings WHERE device = ? AND boot = ?').pluck();
    const prunedOf = hasBoots ? db.prepare('SELECT pruned_seq FROM boots WHERE device = ? AND boot = ?').pluck() : null;
    const duplicatesOf = db
      .prepare('SELECT count(*) FROM (SELECT 1 FROM readings WHERE device = ? GROUP BY boot, seq HAVING count(*) > 1)')
      .pluck();
    const result: StoreCheck = { path, checked: 0, missing: 0, pruned: 0, duplicates: 0, missingSamples: [] };
    const read = db.transaction(() => {
      for (const record of acked) {
        const stored = new Set(seqsOf.all(record.deviceId, record.bootId) as number[]);
        const prunedUpTo = Number(prunedOf?.get(record.deviceId, record.bootId) ?? 0);
        result.duplicates += Number(duplicatesOf.get(record.deviceId));
        for (const [low, high] of record.seqs) {
          for (let seq = low; seq <= high; seq++) {
            result.checked += 1;
            if (stored.has(seq)) continue;
            if (seq <= prunedUpTo) {
              result.pruned += 1;
              continue;
            }
            result.missing += 1;
            if (result.missingSamples.length < 10) result.missingSamples.push(`${record.deviceId}/${record.bootId}/${seq}`);
          }
        }
      }
    });
    read();
    return result;
  } finally {
    db.close();
  }
}
