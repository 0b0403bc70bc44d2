import Database from 'better-sqlite3';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StartupError } from './errors.js';

/** The lock file in the data directory and the file beside it naming the holder. */
export const LOCK_FILE = 'lock';
export const LOCK_PID_FILE = 'lock.pid';

/**
 * One gateway per data directory. Node has no flock, so the lock is SQLite's own POSIX record lock
 * on a dedicated file: in `locking_mode=EXCLUSIVE` a connection keeps the exclusive lock of its
 * first write transaction until it closes, and the kernel drops POSIX locks when the process dies,
 * so a SIGKILLed gateway never leaves a stale lock. The pid file is only for the message: the lock
 * itself is what decides.
 */
export class DataDirLock {
  private constructor(
    private readonly db: Database.Database,
    private readonly pidPath: string,
  ) {}

  /** Takes the lock or throws DATA_DIR_IN_USE. The data directory must exist. */
  static acquire(dataDir: string, pid: number): DataDirLock {
    const db = new Database(join(dataDir, LOCK_FILE), { timeout: 0 });
    try {
      if (!tryLock(db)) throw inUse(dataDir);
    } catch (e) {
      db.close();
      throw e;
    }
    const pidPath = join(dataDir, LOCK_PID_FILE);
    writeFileSync(pidPath, `${pid}\n`);
    return new DataDirLock(db, pidPath);
  }

  /**
   * Throws DATA_DIR_IN_USE when another process holds the lock; creates nothing (a missing lock
   * file means nobody holds it). Used before anything is created, so a refused start writes nothing.
   */
  static checkFree(dataDir: string): void {
    const path = join(dataDir, LOCK_FILE);
    if (!existsSync(path)) return;
    const db = new Database(path, { timeout: 0, fileMustExist: true });
    try {
      if (!tryLock(db)) throw inUse(dataDir);
    } finally {
      db.close();
    }
  }

  /** Releases the lock (also released by the kernel if the process dies). Idempotent. */
  release(): void {
    if (!this.db.open) return;
    rmSync(this.pidPath, { force: true });
    this.db.close();
  }
}

/** Whether this connection got the exclusive lock (SQLITE_BUSY: another process holds it). */
function tryLock(db: Database.Database): boolean {
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    // No rollback journal file beside the lock: the transaction writes nothing worth keeping.
    db.pragma('journal_mode = MEMORY');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
    return true;
  } catch (e) {
    if ((e as { code?: string }).code === 'SQLITE_BUSY') return false;
    throw e;
  }
}

function inUse(dataDir: string): StartupError {
  return new StartupError(
    'DATA_DIR_IN_USE',
    `data directory ${dataDir} is in use by ${holder(dataDir)}; stop it first, or start this gateway with another --data directory`,
  );
}

function holder(dataDir: string): string {
  try {
    const pid = Number(readFileSync(join(dataDir, LOCK_PID_FILE), 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0) return `process ${pid}`;
  } catch {
    // The holder may not have written its pid yet.
  }
  return 'another process';
}
