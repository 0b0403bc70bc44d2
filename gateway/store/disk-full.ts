/**
 * Whether a failed commit failed because the disk (or the file system holding the data directory)
 * is full: SQLite's SQLITE_FULL, or ENOSPC from a write under it. Such a failure is not a gateway
 * bug: boards are told BUSY and retry, and health says why (docs/OPERATIONS.md, "Disk full").
 */
export function isDiskFull(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return true;
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' && (/\bENOSPC\b/.test(message) || message.includes('database or disk is full'));
}

/** The disk-full state of a store: when it began and the error seen, cleared by the next successful commit. */
export interface DiskFullState {
  since: number;
  /** When the last commit failed with the disk full. */
  lastAt: number;
  error: string;
}
