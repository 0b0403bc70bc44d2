import { open, rename, stat, truncate, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { csvRecord, parseCsv } from './rfc4180.js';
import { type CsvState, saveState, syncDir } from './state.js';

export interface RepairNote {
  file: string;
  action: 'truncated' | 'missing' | 'shorter' | 'header-rewrite-finished' | 'header-rewrite-dropped';
  bytes: number;
}

/**
 * Brings the files back to what the state records, after a crash or SIGKILL: bytes past the
 * recorded length (a torn last line, or rows whose batch was never confirmed) are cut off; they
 * are written again from SQLite, so nothing is lost and nothing doubles. A header rewrite that
 * was interrupted is finished or dropped. Returns what it changed, for the log.
 */
export async function repairFiles(dir: string, state: CsvState): Promise<RepairNote[]> {
  const notes: RepairNote[] = [];
  for (const [file, entry] of Object.entries(state.files)) {
    const path = join(dir, file);
    const note = await finishHeaderRewrite(path, entry.columns);
    if (note) notes.push({ file, action: note, bytes: entry.bytes });
    const size = await sizeOf(path);
    if (size === null) {
      if (entry.bytes > 0) notes.push({ file, action: 'missing', bytes: entry.bytes });
      entry.bytes = 0;
    } else if (size > entry.bytes) {
      await truncate(path, entry.bytes);
      notes.push({ file, action: 'truncated', bytes: size - entry.bytes });
    } else if (size < entry.bytes) {
      // Cut short outside sheetlog: keep the complete records, continue after them.
      entry.bytes = await lastRecordEnd(path, size);
      await truncate(path, entry.bytes);
      notes.push({ file, action: 'shorter', bytes: entry.bytes });
    }
  }
  return notes;
}

/** Writes `text` at byte `offset` and cuts anything after it, then fsyncs. Safe to repeat. */
export async function writeAt(path: string, offset: number, text: string): Promise<number> {
  const buf = Buffer.from(text, 'utf8');
  const fh = await open(path, offset === 0 ? 'w' : 'r+');
  try {
    await fh.write(buf, 0, buf.length, offset);
    await fh.truncate(offset + buf.length);
    await fh.sync();
  } finally {
    await fh.close();
  }
  return offset + buf.length;
}

/**
 * Replaces a file's header record (new columns at the right), keeping its rows. Crash-safe: the
 * new file is complete and fsynced before the state names its new header, and renamed after;
 * `repairFiles` finishes the rename if the process died in between.
 */
export async function rewriteHeader(dir: string, file: string, state: CsvState, columns: string[]): Promise<void> {
  const entry = state.files[file];
  if (!entry) throw new Error(`no state for ${file}`);
  const path = join(dir, file);
  const oldHeader = Buffer.byteLength(csvRecord(entry.columns));
  const fh = await open(path, 'r');
  let body: Buffer;
  try {
    body = Buffer.alloc(Math.max(0, entry.bytes - oldHeader));
    await fh.read(body, 0, body.length, oldHeader);
  } finally {
    await fh.close();
  }
  const next = Buffer.concat([Buffer.from(csvRecord(columns)), body]);
  const tmp = `${path}.tmp`;
  await writeAt(tmp, 0, next.toString('utf8'));
  entry.columns = columns;
  entry.bytes = next.length;
  await saveState(dir, state);
  await rename(tmp, path);
  await syncDir(dir);
}

async function finishHeaderRewrite(path: string, columns: string[]): Promise<RepairNote['action'] | null> {
  const tmp = `${path}.tmp`;
  if ((await sizeOf(tmp)) === null) return null;
  const header = csvRecord(columns);
  const current = await readPrefix(path, Buffer.byteLength(header));
  if (current !== header) {
    await rename(tmp, path);
    return 'header-rewrite-finished';
  }
  await unlink(tmp);
  return 'header-rewrite-dropped';
}

async function readPrefix(path: string, bytes: number): Promise<string | null> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch {
    return null;
  }
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await fh.close();
  }
}

async function lastRecordEnd(path: string, size: number): Promise<number> {
  const text = (await readPrefix(path, size)) ?? '';
  const { torn } = parseCsv(text);
  return Buffer.byteLength(torn === null ? text : text.slice(0, text.length - torn.length));
}

async function sizeOf(path: string): Promise<number | null> {
  try {
    return (await stat(path)).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}
