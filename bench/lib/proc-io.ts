import { readFileSync } from 'node:fs';

/** Bytes a process (all its threads) caused to be written to storage so far: /proc/<pid>/io write_bytes. */
export function writeBytesOf(pid: number): number {
  return Number(/write_bytes:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? 0);
}
