import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { nodeArgsFor } from './entry.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = 'gateway/cli/bin.ts';
/** A gateway whose MQTT ingest holds readings or PUBACKs (crash tests); see held-gateway.ts. */
export const HELD_GATEWAY = 'test/helpers/held-gateway.ts';

export interface GatewayProcess {
  child: ChildProcess;
  port: number;
  /** JSON log records read from stdout so far. */
  logs: Record<string, unknown>[];
  stderr(): string;
  /** Sends a signal and resolves with the exit code (or the signal name). */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

/** Runs `sheetlog <args>` (built, or via tsx: see entry.ts) to completion and returns its output. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [...nodeArgsFor(BIN), ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code: code ?? -1, stdout, stderr };
}

/**
 * Starts `sheetlog start` as a child process and resolves once it logs "listening". The process is
 * killed when the test ends if the test did not stop it.
 */
export async function startGatewayProcess(args: string[], env: NodeJS.ProcessEnv = {}, entry: string[] = [BIN]): Promise<GatewayProcess> {
  // An HTTP port of its own (any free one) unless the test names one: tests run side by side.
  const child = spawn(process.execPath, [...nodeArgsFor(entry[0]!), ...entry.slice(1), 'start', '--http-port', '0', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const port = await new Promise<number>((resolve, reject) => {
    // A child that never says it listens is killed: left running, it would keep the test alive.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gateway did not start: ${stderr}`));
    }, 120000);
    // The banner on stderr names the port even when the log level hides the "listening" record.
    child.stderr!.on('data', () => {
      const m = /TCP to port (\d+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let rec: Record<string, unknown>;
      try {
        rec = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      logs.push(rec);
      if (rec.msg === 'listening') {
        clearTimeout(timer);
        resolve(rec.tcpPort as number);
      }
    });
    void exited.then(([code]) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code} before listening: ${stderr}`));
    });
  });
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', kill);
  return {
    child,
    port,
    logs,
    stderr: () => stderr,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode ?? String(child.signalCode);
      child.kill(signal);
      const [code, sig] = await exited;
      process.removeListener('exit', kill);
      return code ?? String(sig);
    },
  };
}
