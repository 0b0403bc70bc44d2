import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

/*
 * What every benchmark prints about a set of rounds: the median and the range (min–max), and the
 * load average, because the machine they run on is shared and a figure without its load is not
 * comparable to another.
 */

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

/** "12,345 (11,002–13,870)": the median of the rounds, then their range. */
export function medianRange(xs: readonly number[], format: (n: number) => string): string {
  if (xs.length === 0) return 'n/a';
  return `${format(median(xs))} (${format(Math.min(...xs))}–${format(Math.max(...xs))})`;
}

/** The 1, 5 and 15 minute load averages, e.g. "1.2 0.9 0.7". */
export function loadAverage(): string {
  return loadavg().map((l) => l.toFixed(1)).join(' ');
}

/** The 1-minute load average at the start of a phase and at its end: "start 1.2, end 1.9". */
export class LoadWindow {
  private readonly start = loadAverage();
  end(): string {
    return `load average start ${this.start}, end ${loadAverage()}`;
  }
}

/**
 * CPU time (user + system, all threads) a process has used so far, in seconds, from
 * /proc/<pid>/stat. Other processes' load disturbs this far less than wall time. Clock ticks are
 * 100 a second on Linux (USER_HZ; `getconf CLK_TCK`).
 */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
