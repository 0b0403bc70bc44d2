/**
 * Child processes for the sketch tests: a line-buffered view of stdout, waits on observable
 * events (a line, never a sleep), and a group that kills everything it started, also when a test
 * fails half-way.
 */
import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createInterface } from 'node:readline';

export type LineMatcher = RegExp | ((line: string) => boolean);

export interface Match {
  line: string;
  index: number;
  groups: RegExpExecArray | null;
}

interface Waiter {
  matcher: LineMatcher;
  from: number;
  resolve: (m: Match) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

function test(matcher: LineMatcher, line: string): RegExpExecArray | null | boolean {
  return matcher instanceof RegExp ? matcher.exec(line) : matcher(line);
}

export class Child {
  readonly lines: string[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly proc: ChildProcess;
  private readonly waiters = new Set<Waiter>();
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  constructor(
    readonly name: string,
    command: string,
    args: string[],
    options: SpawnOptions = {},
  ) {
    this.proc = spawn(command, args, { ...options, stdio: ['pipe', 'pipe', 'pipe'] });
    createInterface({ input: this.proc.stdout! }).on('line', (l) => this.onLine(l.replace(/\r$/, '')));
    createInterface({ input: this.proc.stderr! }).on('line', (l) => this.stderr.push(l));
    this.proc.stdin!.on('error', () => {}); // writing to a child that just died is not a test failure
    this.exited = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        for (const w of this.waiters) this.fail(w, `${this.name} exited (${signal ?? code}) before`);
        resolve({ code, signal });
      });
    });
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** Resolves with the first line at index >= `from` that matches; rejects after `timeoutMs`. */
  waitFor(matcher: LineMatcher, timeoutMs = 90_000, from = 0): Promise<Match> {
    for (let i = from; i < this.lines.length; i++) {
      const line = this.lines[i] as string;
      const r = test(matcher, line);
      if (r) return Promise.resolve({ line, index: i, groups: r === true ? null : r });
    }
    if (!this.running) return Promise.reject(new Error(`${this.name} has exited; no line ${String(matcher)}`));
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        matcher,
        from,
        resolve,
        reject,
        timer: setTimeout(() => this.fail(w, `timed out after ${timeoutMs} ms`), timeoutMs),
      };
      this.waiters.add(w);
    });
  }

  /** Writes one line to the child's stdin. */
  send(line: string): void {
    if (this.running) this.proc.stdin!.write(`${line}\n`);
  }

  /** Sends `signal` and waits for the exit (SIGKILL after `graceMs`). */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.proc.kill(signal);
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** The last lines of output, for assertion messages. */
  tail(n = 40): string {
    return [...this.lines.slice(-n), ...this.stderr.slice(-10).map((l) => `[stderr] ${l}`)].join('\n');
  }

  private onLine(line: string): void {
    const index = this.lines.push(line) - 1;
    for (const w of this.waiters) {
      if (index < w.from) continue;
      const r = test(w.matcher, line);
      if (!r) continue;
      clearTimeout(w.timer);
      this.waiters.delete(w);
      w.resolve({ line, index, groups: r === true ? null : r });
    }
  }

  private fail(w: Waiter, why: string): void {
    clearTimeout(w.timer);
    this.waiters.delete(w);
    w.reject(new Error(`${this.name}: ${why} a line matching ${String(w.matcher)}\n--- last output ---\n${this.tail()}`));
  }
}

/** Every process a test starts, so `after()` can stop them all whatever happened. */
export class ProcessGroup {
  private readonly children: Child[] = [];

  spawn(name: string, command: string, args: string[], options: SpawnOptions = {}): Child {
    const child = new Child(name, command, args, options);
    this.children.push(child);
    return child;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.children.map((c) => c.stop('SIGKILL')));
  }
}

/**
 * A suite's `after()`: stops every process the group started, then removes the suite's directory
 * (kept, and its path printed, when SHEETLOG_KEEP_TEST_DIRS is set).
 */
export async function stopAndRemove(group: ProcessGroup, dir: string): Promise<void> {
  await group.stopAll();
  if (process.env.SHEETLOG_KEEP_TEST_DIRS) console.log(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
