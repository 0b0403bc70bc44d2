import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Statement } from 'better-sqlite3';
import { openDatabase, type Db } from '../gateway/store/database.js';
import { keepDeviceTimeIndex } from '../gateway/store/readings-indexes.js';
import { BatchWriter } from '../gateway/store/batch-writer.js';
import type { WriteOp } from '../gateway/store/ops.js';
import { median } from './lib/stats.js';

/*
 * node --import tsx bench/commit-pages.ts [--boards 1000] [--per-commit 40] [--rows 60000] [--rounds 3]
 *   [--move-every 20000,5000] [--slices 4]
 *
 * What a commit of many boards costs SQLite, with the gateway's schema and INSERT, outside the
 * gateway (docs/BENCHMARKS.md, "What would close the gaps"): commits of `--per-commit` readings,
 * the boards in a random order (a new permutation each time every board has sent), WAL,
 * synchronous=FULL. Variants, alternating within each round:
 *   - `gateway now`: the gateway's own writer (store/batch-writer.ts) applying each commit's
 *     readings, without the (device, time) index (as the gateway runs without summaries or bills):
 *     no index by board on `readings`, resends recognised by the writer's ledger of seqs
 *     (store/seq-ledger.ts), which writes the changed boots' ranges every 5,000 readings or second;
 *   - `with the (device, time) index`: the same writer, as before commit 673b333;
 *   - `unique index, bookkeeping in place, before 799472a`: the unique (device, boot, seq) index
 *     the schema had before migration 11, the readings inserted and each board's `boots` and
 *     `devices` rows updated in the commit (a statement per board: the pages are the same as the
 *     one statement per table the writer used then);
 *   - `unique index, readings only`: the INSERTs alone with that index, no bookkeeping (the floor
 *     of the schema before migration 11: what the gateway's commit cost, less its bookkeeping);
 *   - `1 KB pages`: `gateway now` in a file of 1 KB pages;
 *   - `staged, moved every N rows`: a design not built in the gateway (BENCHMARKS.md, "What would
 *     close the gaps"): each commit appends its readings to a table without any index but its
 *     rowid (after looking each one up in the indexed table, as a duplicate check would), and
 *     every `--move-every` rows (a list; default 20000,5000) one transaction moves them, in
 *     arrival order, into `readings` and empties the staging table. The frames per commit include the moves (500 commits are a whole
 *     number of moves at the defaults). `--slices` (a list; 4 by default): also the first move
 *     size split by board (board number modulo S), a staging table per slice: every N/S rows the
 *     next slice's table moves and is emptied (each reading waits a whole cycle, as with one move
 *     of N).
 * Per variant: WAL frames (pages) per commit, read from the WAL's size over 500 commits without
 * checkpoints; then, with a PASSIVE checkpoint between commits about every 1,000 WAL pages (as
 * the gateway's checkpointer, outside the commits), bytes written per row (/proc/self/io, the
 * final checkpoint included), µs per row (checkpoints included) and the commit's p50, p99 and
 * longest (checkpoints not included). Median (min–max) of the rounds.
 */
interface Variant {
  name: string;
  timeIndex: boolean;
  /** The gateway's writer, the statements it ran before 799472a, or the INSERTs alone. */
  writes: 'writer' | 'in place' | 'readings only' | 'staged';
  /** The unique (device, boot, seq) index of the schema before migration 11 (the designs before it). */
  uniqueIndex?: boolean;
  pageSize: number;
  /** For `staged`: rows between two moves (of one slice each when `slices` > 1). */
  moveEvery?: number;
  /** For `staged`: the boards fall into this many slices (board number modulo slices), moved one at a time. */
  slices?: number;
}
const VARIANTS: Variant[] = [
  { name: 'gateway now', timeIndex: false, writes: 'writer', pageSize: 4096 },
  { name: 'with the (device, time) index', timeIndex: true, writes: 'writer', pageSize: 4096 },
  { name: 'unique index, bookkeeping in place, before 799472a', timeIndex: false, writes: 'in place', uniqueIndex: true, pageSize: 4096 },
  { name: 'unique index, readings only', timeIndex: false, writes: 'readings only', uniqueIndex: true, pageSize: 4096 },
  { name: '1 KB pages', timeIndex: false, writes: 'writer', pageSize: 1024 },
];

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const BOARDS = arg('--boards', 1000);
const PER_COMMIT = arg('--per-commit', 40);
const ROWS = arg('--rows', 60_000);
const ROUNDS = arg('--rounds', 3);
/** `--name 1,2,3`: a list of numbers. */
const listArg = (name: string, fallback: string): number[] => {
  const i = process.argv.indexOf(name);
  return (i === -1 ? fallback : String(process.argv[i + 1])).split(',').map(Number);
};
const MOVES = listArg('--move-every', '20000,5000');
for (const every of MOVES) VARIANTS.push({ name: `staged, moved every ${every} rows`, timeIndex: false, writes: 'staged', uniqueIndex: true, pageSize: 4096, moveEvery: every, slices: 1 });
const SLICED_EVERY = MOVES[0] as number;
for (const slices of listArg('--slices', '4')) {
  VARIANTS.push({ name: `staged, moved every ${SLICED_EVERY / slices} rows, a table for each of ${slices} slices of the boards`, timeIndex: false, writes: 'staged', uniqueIndex: true, pageSize: 4096, moveEvery: SLICED_EVERY / slices, slices });
}

interface Result { frames: number; bytesPerRow: number; usPerRow: number; p50: number; p99: number; max: number }

function writeBytes(): number {
  return Number(/write_bytes:\s+(\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))?.[1] ?? 0);
}

function open(path: string, v: Variant): Db {
  // As the gateway creates a file with `store.pageSize`.
  return openDatabase({ path, synchronous: 'FULL', busyTimeoutMs: 5000, pageSize: v.pageSize });
}

function run(v: Variant): Result {
  const dir = mkdtempSync(join(tmpdir(), 'bench-commit-pages-'));
  try {
    const path = join(dir, 'x.db');
    const db = open(path, v);
    keepDeviceTimeIndex(db, v.timeIndex);
    if (v.uniqueIndex === true) db.exec('CREATE UNIQUE INDEX readings_key ON readings (device, boot, seq)');
    const names = Array.from({ length: BOARDS }, (_, i) => `bench-${String(i).padStart(5, '0')}`);
    const addDevice = db.prepare(`INSERT INTO devices (id, origin, created_at) VALUES (?, 'open', 0)`);
    for (const n of names) addDevice.run(n);
    // The INSERT of the designs before migration 11 (the unique index answers a resend).
    const insert = db.prepare(
      `INSERT INTO readings (device, boot, seq, ts, ts_source, device_ts, received, fields, bytes)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ${v.uniqueIndex === true ? 'ON CONFLICT (device, boot, seq) DO NOTHING' : ''}`,
    );
    const raiseBoot = db.prepare(
      `INSERT INTO boots (device, boot, max_seq, first_seen) VALUES (?, ?, ?, ?)
       ON CONFLICT (device, boot) DO UPDATE SET max_seq = max(max_seq, excluded.max_seq)`,
    );
    const addTotals = db.prepare(
      `UPDATE devices SET readings = readings + ?, bytes = bytes + ?, last_seen = max(coalesce(last_seen, 0), ?) WHERE id = ?`,
    );
    const seqs = new Array<number>(BOARDS).fill(0);
    let order: number[] = [];
    let at = 0;
    const nextBoard = () => {
      if (at >= order.length) {
        order = names.map((_, i) => i).sort(() => Math.random() - 0.5);
        at = 0;
      }
      return order[at++] as number;
    };
    const inPlace = db.transaction((n: number) => {
      const now = Date.now();
      const boards = new Set<number>();
      for (let i = 0; i < n; i++) {
        const b = nextBoard();
        seqs[b] = (seqs[b] as number) + 1;
        insert.run(names[b], 1, seqs[b], now, 'gateway', null, now, '{"temp_c":21.5}', 24);
        boards.add(b);
      }
      if (v.writes === 'in place') for (const b of boards) (raiseBoot.run(names[b], 1, seqs[b], now), addTotals.run(1, 60, now, names[b]));
    });
    const COLUMNS = 'device, boot, seq, ts, ts_source, device_ts, received, fields, bytes';
    const slices = v.slices ?? 1;
    let nextSlice = 0;
    // One staging table per slice, so that a move empties a table whole (a DELETE of some rows of
    // every page would rewrite every page).
    const stageInto: Statement[] = [];
    if (v.writes === 'staged') {
      for (let k = 0; k < slices; k++) {
        db.exec(`CREATE TABLE staged_${k} (device TEXT NOT NULL, boot INTEGER NOT NULL, seq INTEGER NOT NULL, ts INTEGER NOT NULL,
          ts_source TEXT NOT NULL, device_ts INTEGER, received INTEGER NOT NULL, fields TEXT NOT NULL, bytes INTEGER NOT NULL)`);
        stageInto.push(db.prepare(`INSERT INTO staged_${k} (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`));
      }
    }
    const known = db.prepare('SELECT 1 FROM readings WHERE device = ? AND boot = ? AND seq = ?').pluck();
    const moveOne = (k: number) => {
      db.exec(`INSERT INTO readings (${COLUMNS}) SELECT ${COLUMNS} FROM staged_${k} ORDER BY rowid ON CONFLICT (device, boot, seq) DO NOTHING`);
      db.exec(`DELETE FROM staged_${k}`);
    };
    /** Moves the next slice of the boards (every slice with `all`). */
    const move = db.transaction((all = false) => {
      if (all) for (let k = 0; k < slices; k++) moveOne(k);
      else moveOne(nextSlice);
      nextSlice = (nextSlice + 1) % slices;
    });
    let staged = 0;
    const stageCommit = db.transaction((n: number) => {
      const now = Date.now();
      for (let i = 0; i < n; i++) {
        const b = nextBoard();
        seqs[b] = (seqs[b] as number) + 1;
        if (known.get(names[b], 1, seqs[b]) !== undefined) continue;
        stageInto[b % slices]?.run(names[b], 1, seqs[b], now, 'gateway', null, now, '{"temp_c":21.5}', 24);
      }
    });
    const writer = v.writes === 'writer' ? new BatchWriter(db) : null;
    const done = () => {};
    const commit = { immediate(n: number): void {
      if (v.writes === 'staged') {
        stageCommit.immediate(n);
        staged += n;
        if (staged >= (v.moveEvery ?? Infinity)) (move.immediate(), (staged = 0));
        return;
      }
      if (writer === null) return inPlace.immediate(n);
      const now = Date.now();
      const ops: WriteOp[] = [];
      for (let i = 0; i < n; i++) {
        const b = nextBoard();
        seqs[b] = (seqs[b] as number) + 1;
        const row = { device: names[b] as string, boot: 1, seq: seqs[b] as number, ts: now, tsSource: 'gateway' as const, deviceTs: null, received: now, fields: '{"temp_c":21.5}', bytes: 24, clockUntrusted: false };
        ops.push({ kind: 'reading', row, done });
      }
      writer.apply(ops, now);
    } };
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.pragma('wal_autocheckpoint = 0');
    for (let i = 0; i < 500; i++) commit.immediate(PER_COMMIT);
    const pageSize = Number(db.pragma('page_size', { simple: true }));
    const frames = (statSync(`${path}-wal`).size - 32) / (pageSize + 24) / 500;
    db.pragma('wal_checkpoint(TRUNCATE)');
    // Checkpoints outside the commits, as the gateway's checkpointer runs them (store/checkpointer.ts:
    // another connection, PASSIVE): here about every 1,000 WAL pages, counted in the time per row
    // and the bytes, not in the commits' durations.
    const checkpointEvery = Math.max(1, Math.round(1000 / frames));
    const before = writeBytes();
    const durations: number[] = [];
    const started = performance.now();
    for (let i = 0, n = 0; i < ROWS; i += PER_COMMIT, n++) {
      const t = performance.now();
      commit.immediate(Math.min(PER_COMMIT, ROWS - i));
      durations.push(performance.now() - t);
      if (n % checkpointEvery === checkpointEvery - 1) db.pragma('wal_checkpoint(PASSIVE)');
    }
    // What is still staged moves at the end (its bytes and time count, but it is not a commit of
    // the steady state: with slices it moves a whole cycle's worth at once).
    if (v.writes === 'staged' && staged > 0) move.immediate(true);
    const elapsed = performance.now() - started;
    db.pragma('wal_checkpoint(TRUNCATE)');
    const bytesPerRow = (writeBytes() - before) / ROWS;
    db.close();
    durations.sort((a, b) => a - b);
    return { frames, bytesPerRow, usPerRow: (elapsed * 1000) / ROWS, p50: durations[durations.length >> 1] as number, p99: durations[Math.floor(durations.length * 0.99)] as number, max: durations[durations.length - 1] as number };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const startLoad = loadAverage();
const results = VARIANTS.map(() => [] as Result[]);
for (let r = 0; r < ROUNDS; r++) for (const [k, v] of VARIANTS.entries()) (results[k] as Result[]).push(run(v));
const fmt = (xs: number[], digits: number) => `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;
console.log(`| ${BOARDS} boards, ${PER_COMMIT} readings per commit, ${ROWS} rows, ${ROUNDS} rounds | WAL frames per commit | bytes written per row | µs per row | commit p50 (ms) | commit p99 (ms) | longest commit (ms) |`);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const [k, v] of VARIANTS.entries()) {
  const rs = results[k] as Result[];
  console.log(`| ${v.name} | ${fmt(rs.map((x) => x.frames), 1)} | ${fmt(rs.map((x) => x.bytesPerRow), 0)} | ${fmt(rs.map((x) => x.usPerRow), 1)} | ${fmt(rs.map((x) => x.p50), 2)} | ${fmt(rs.map((x) => x.p99), 2)} | ${fmt(rs.map((x) => x.max), 1)} |`);
}
console.log(`\nload average at the start ${startLoad}, at the end ${loadAverage()}`);
