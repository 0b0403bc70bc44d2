import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Bytes a process (all its threads) caused to be written to storage so far: /proc/<pid>/io write_bytes. */
export function writeBytesOf(pid: number): number {
  return Number(/write_bytes:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? 0);
}

/** The same for one thread of a process (`tid` = `pid`: its main thread): /proc/<pid>/task/<tid>/io. */
export function threadWriteBytesOf(pid: number, tid: number): number {
  return Number(/write_bytes:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/task/${tid}/io`, 'utf8'))?.[1] ?? 0);
}

/** Total size of the files directly in `dir` (0 when it does not exist yet). */
export function filesSizeOf(dir: string): number {
  let total = 0;
  try {
    for (const f of readdirSync(dir)) total += statSync(join(dir, f)).size;
  } catch {
    return 0;
  }
  return total;
}
