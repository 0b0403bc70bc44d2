import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { REPO_ROOT } from './gateway-process.js';

/** What `npm run sheets-emulator` runs (package.json), started without npm so that its pid is the emulator's. */
export const EMULATOR_CLI = ['--import', 'tsx', 'test/sheets-emulator/cli.ts'];

export interface EmulatorProcess {
  child: ChildProcess;
  /** http://127.0.0.1:PORT */
  url: string;
  stderr(): string;
  /** GET /_emulator/spreadsheets/<id>: the tabs, or null while the id is unknown (404). */
  tabs(spreadsheetId: string): Promise<Record<string, string[][]> | null>;
  /** Sends a signal and resolves with the exit code (or the signal name); idempotent. */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

/**
 * Runs the Sheets emulator's CLI as a child process and resolves once it prints its URL line.
 * A child that exits or stays silent for 30 s fails the start (and is killed).
 */
export async function startEmulatorProcess(args: string[]): Promise<EmulatorProcess> {
  const child = spawn(process.execPath, [...EMULATOR_CLI, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', kill);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      kill();
      reject(new Error(`sheets-emulator did not start: ${stderr}`));
    }, 120000);
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    void exited.then(([code]) => {
      clearTimeout(timer);
      reject(new Error(`sheets-emulator exited with ${code} before listening: ${stderr}`));
    });
  });
  return {
    child,
    url,
    stderr: () => stderr,
    async tabs(spreadsheetId) {
      const res = await fetch(`${url}/_emulator/spreadsheets/${encodeURIComponent(spreadsheetId)}`);
      if (res.status === 404) return null;
      if (!res.ok) throw new Error(`GET /_emulator/spreadsheets/${spreadsheetId}: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { tabs: Record<string, string[][]> }).tabs;
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode ?? String(child.signalCode);
      child.kill(signal);
      const [code, sig] = await exited;
      process.removeListener('exit', kill);
      return code ?? String(sig);
    },
  };
}
