import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';

export const STATE_FILE = '.sheetlog-csv-state.json';

/** What the CSV sink knows for sure about its files: written, fsynced, and recorded here. */
export interface CsvState {
  version: 1;
  /** The SQLite store these files were written from (a new store starts counting ids again). */
  storeInstance: string;
  /** Highest reading id whose rows are in the files; rows up to it are never written again. */
  deliveredThrough: number;
  /** Per file: the length in bytes that ends with a complete record, and its header columns. */
  files: Record<string, { bytes: number; columns: string[] }>;
}

export function emptyState(storeInstance: string): CsvState {
  return { version: 1, storeInstance, deliveredThrough: 0, files: {} };
}

export async function loadState(dir: string): Promise<CsvState | null> {
  let text: string;
  try {
    text = await readFile(join(dir, STATE_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const parsed = JSON.parse(text) as CsvState;
  if (parsed.version !== 1 || typeof parsed.deliveredThrough !== 'number' || typeof parsed.files !== 'object') {
    throw new Error(`${join(dir, STATE_FILE)} is not a sheetlog CSV state file`);
  }
  return parsed;
}

/** Replaces the state file atomically and durably: temp file, fsync, rename, fsync directory. */
export async function saveState(dir: string, state: CsvState): Promise<void> {
  const path = join(dir, STATE_FILE);
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(JSON.stringify(state));
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  await syncDir(dir);
}

export async function syncDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
