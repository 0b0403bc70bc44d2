import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS } from './schema.js';
import { StoreError } from './errors.js';

export type Synchronous = 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';
export type Db = Database.Database;

export interface OpenOptions {
  path: string;
  synchronous: Synchronous;
  busyTimeoutMs: number;
  /** Open an existing store only (commands that read): a missing file is SQLite's error, nothing is created. */
  mustExist?: boolean;
  /**
   * The page size of a file this call creates (`store.pageSize`). A file that exists keeps its
   * own: SQLite changes it only by rewriting the whole file, which WAL mode does not allow.
   * Absent: SQLite's 4,096.
   */
  pageSize?: number;
  /**
   * WAL bytes after which a commit of this connection checkpoints, turned into pages for the
   * file's page size. Absent: DEFAULT_AUTOCHECKPOINT_BYTES. Larger when another connection
   * checkpoints on a timer (checkpointer.ts).
   */
  autocheckpointBytes?: number;
}

/** SQLite's automatic checkpoint of 1,000 pages, at its default page size of 4 KB. */
export const DEFAULT_AUTOCHECKPOINT_BYTES = 1000 * 4096;

/**
 * Opens (creating if needed) the SQLite file in WAL mode, so the CLI can read and write while the
 * gateway runs, and brings the schema up to date.
 */
export function openDatabase(opts: OpenOptions): Db {
  if (!opts.mustExist) mkdirSync(dirname(opts.path), { recursive: true });
  const db = new Database(opts.path, { fileMustExist: opts.mustExist === true });
  try {
    db.pragma(`busy_timeout = ${Math.trunc(opts.busyTimeoutMs)}`);
    // Before the first write (WAL mode included): on a file that exists this does nothing.
    if (opts.pageSize !== undefined) db.pragma(`page_size = ${Math.trunc(opts.pageSize)}`);
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (String(mode).toLowerCase() !== 'wal') throw new StoreError('STORE_NO_WAL', `SQLite refused WAL mode (got ${mode})`);
    db.pragma(`synchronous = ${opts.synchronous}`);
    db.pragma('foreign_keys = ON');
    const pageSize = Number(db.pragma('page_size', { simple: true }));
    db.pragma(`wal_autocheckpoint = ${autocheckpointPages(opts.autocheckpointBytes ?? DEFAULT_AUTOCHECKPOINT_BYTES, pageSize)}`);
    if (opts.autocheckpointBytes !== undefined) {
      // A WAL that grew past this is cut back when it starts over (after a complete checkpoint).
      db.pragma('journal_size_limit = 67108864');
    }
    migrate(db);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

/** WAL pages that hold `bytes` of pages of `pageSize` (at least one). */
export function autocheckpointPages(bytes: number, pageSize: number): number {
  return Math.max(1, Math.ceil(bytes / pageSize));
}

export function schemaVersion(db: Db): number {
  return Number(db.pragma('user_version', { simple: true }));
}

function migrate(db: Db): void {
  const current = schemaVersion(db);
  const latest = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
  if (current > latest) {
    throw new StoreError('STORE_TOO_NEW', `the database has schema ${current}; this sheetlog knows up to ${latest}: upgrade sheetlog`);
  }
  const apply = db.transaction(() => {
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }
  });
  apply.immediate();
}
