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
   * WAL pages after which a commit of this connection checkpoints (SQLite's default: 1,000).
   * Larger when another connection checkpoints on a timer (checkpointer.ts).
   */
  autocheckpointPages?: number;
}

/**
 * Opens (creating if needed) the SQLite file in WAL mode, so the CLI can read and write while the
 * gateway runs, and brings the schema up to date.
 */
export function openDatabase(opts: OpenOptions): Db {
  if (!opts.mustExist) mkdirSync(dirname(opts.path), { recursive: true });
  const db = new Database(opts.path, { fileMustExist: opts.mustExist === true });
  try {
    db.pragma(`busy_timeout = ${Math.trunc(opts.busyTimeoutMs)}`);
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (String(mode).toLowerCase() !== 'wal') throw new StoreError('STORE_NO_WAL', `SQLite refused WAL mode (got ${mode})`);
    db.pragma(`synchronous = ${opts.synchronous}`);
    db.pragma('foreign_keys = ON');
    if (opts.autocheckpointPages !== undefined) {
      db.pragma(`wal_autocheckpoint = ${Math.trunc(opts.autocheckpointPages)}`);
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
