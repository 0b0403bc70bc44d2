import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Synchronous } from '../gateway/store/database.js';
import { keepDeviceTimeIndex } from '../gateway/store/readings-indexes.js';

/*
 * node --import tsx bench/raw-sqlite.ts <rows> <devices> <synchronous> <rowsPerTransaction>
 *
 * The raw better-sqlite3 reference for bench:ingest, run as its own process so that its disk
 * writes can be read from /proc/self/io: a fresh file with the gateway's schema and indexes
 * (openDatabase applies gateway/store/schema.ts MIGRATIONS, WAL; the (device, time) index dropped,
 * as the gateway drops it without summaries or bills), the given `synchronous`, and the gateway's
 * own INSERT of a reading, in large transactions, devices interleaved as a gateway's commits
 * interleave them. Prints one JSON line: rows/s and bytes written per row.
 */
const [rows, devices, synchronous, perTx] = [Number(process.argv[2] ?? 200_000), Number(process.argv[3] ?? 100), (process.argv[4] ?? 'FULL') as Synchronous, Number(process.argv[5] ?? 20_000)];
const dir = mkdtempSync(join(tmpdir(), 'bench-raw-sqlite-'));
try {
  const db = openDatabase({ path: join(dir, 'raw.db'), synchronous, busyTimeoutMs: 5000 });
  // The gateway's schema as it runs by default: without summaries or bills it drops this index.
  keepDeviceTimeIndex(db, false);
  const insert = db.prepare(
    `INSERT INTO readings (device, boot, seq, ts, ts_source, device_ts, received, fields, bytes)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const names = Array.from({ length: devices }, (_, i) => `bench-${i}`);
  const fields = '{"temp_c":21.5}';
  const tx = db.transaction((from: number, to: number) => {
    const now = Date.now();
    for (let i = from; i < to; i++) insert.run(names[i % devices], 1, Math.floor(i / devices) + 1, now, 'gateway', null, now, fields, 24);
  });
  const before = writeBytes();
  const start = performance.now();
  for (let i = 0; i < rows; i += perTx) tx.immediate(i, Math.min(rows, i + perTx));
  const elapsed = performance.now() - start;
  db.pragma('wal_checkpoint(TRUNCATE)');
  const written = writeBytes() - before;
  db.close();
  process.stdout.write(`${JSON.stringify({ rowsPerSecond: (rows / elapsed) * 1000, bytesPerRow: written / rows })}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function writeBytes(): number {
  return Number(/write_bytes:\s+(\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))?.[1] ?? 0);
}
