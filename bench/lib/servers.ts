import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const START_DEADLINE_MS = 60_000;

/**
 * The per-board input budget (tcp.maxLinesPerSecond 100, tcp.lineBurst 500 by default, and the same
 * for MQTT: mqtt.maxMessagesPerSecond, mqtt.messageBurst; fair share among boards) lifted: a
 * throughput or latency benchmark pushes thousands of readings a second for one board, which the
 * default budget would pause (TCP, embedded broker) or refuse with BUSY (through an external broker)
 * at 100 a second, so without this it would measure the budget, not the gateway. bench:flood keeps
 * the default on purpose.
 */
export const UNBUDGETED_ENV: NodeJS.ProcessEnv = {
  SHEETLOG_TCP__MAX_LINES_PER_SECOND: '1000000000',
  SHEETLOG_TCP__LINE_BURST: '1000000000',
  SHEETLOG_MQTT__MAX_MESSAGES_PER_SECOND: '1000000000',
  SHEETLOG_MQTT__MESSAGE_BURST: '1000000000',
};

export interface ServerUnderTest {
  name: string;
  port: number;
  /** sheetlog's HTTP port (dashboard, API), when started with one. */
  httpPort?: number;
  /** sheetlog's data directory. */
  dataDir?: string;
  pid: number;
  /** Resolves when the baseline reports `n` more lines (the baseline only). */
  expect?(n: number): Promise<void>;
  rssMb(): number;
  stop(): Promise<void>;
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  await once(child, 'exit');
}

export async function startBaseline(): Promise<ServerUnderTest> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-baseline-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/baseline-server.ts', join(dir, 'lines.log'), '0'], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const messages = createInterface({ input: child.stdout! });
  const waiters: ((m: Record<string, number>) => void)[] = [];
  messages.on('line', (l) => waiters.shift()?.(JSON.parse(l) as Record<string, number>));
  const next = () => new Promise<Record<string, number>>((resolve) => waiters.push(resolve));
  const { port } = (await next()) as { port: number };
  return {
    name: 'baseline',
    port,
    pid: child.pid!,
    async expect(n: number) {
      const done = next();
      child.stdin!.write(`expect ${n}\n`);
      await done;
    },
    rssMb: () => rssOf(child.pid!),
    async stop() {
      await stopChild(child, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * `sheetlog start` as `npm start` runs it (the compiled dist/, so build first) with its defaults:
 * durable commits, acknowledgements, auth tofu; a fresh data dir, removed at stop, unless
 * `dataDir` names one (kept: a later run can continue with its readings). BENCH_GATEWAY_NODE_ARGS
 * (space-separated) goes to the gateway's node, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` (Node
 * refuses --cpu-prof in NODE_OPTIONS).
 */
export async function startSheetlog(extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}, dataDir?: string): Promise<ServerUnderTest> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'bench-sheetlog-'));
  const nodeArgs = (process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
  const child = spawn(process.execPath, [...nodeArgs, 'dist/gateway/cli/bin.js', 'start', '--port', '0', '--host', '127.0.0.1', '--data', dir, ...extraArgs], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  // The banner on stderr names the ports (stdout carries the JSON logs, discarded here). Parsed
  // loosely: the first "port <n>" after "TCP", and the dashboard URL's port when there is one;
  // the banner is complete once its dashboard line (a URL or "off") is there.
  let stderr = '';
  let httpPort: number | undefined;
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      child.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
        const m = /TCP\b[^\n]*?\bport (\d+)/i.exec(stderr);
        const dash = /dashboard:\s*(\S+)/i.exec(stderr);
        if (!m) return;
        // A banner without a dashboard line at all: the TCP port is enough, a moment later.
        if (!dash) {
          setTimeout(() => resolve(Number(m[1])), 2000).unref();
          return;
        }
        const h = /^https?:\/\/[^/\s]*:(\d+)\//.exec(dash[1] as string);
        if (h) httpPort = Number(h[1]);
        resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`sheetlog exited (${code}): ${stderr}`)));
      child.once('error', reject);
      // A start that hangs fails too (and is cleaned up like one that exits).
      setTimeout(() => reject(new Error(`sheetlog did not print its banner within ${START_DEADLINE_MS / 1000} s: ${stderr}`)), START_DEADLINE_MS).unref();
    });
  } catch (e) {
    // A failed start must not leave its process or its data directory behind.
    await stopChild(child, 'SIGKILL').catch(() => {});
    if (dataDir === undefined) rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    name: 'sheetlog',
    port,
    ...(httpPort !== undefined ? { httpPort } : {}),
    dataDir: dir,
    pid: child.pid!,
    rssMb: () => rssOf(child.pid!),
    async stop() {
      await stopChild(child, 'SIGTERM');
      if (dataDir === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}
