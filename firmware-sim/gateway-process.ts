import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/**
 * Runs the gateway (`gateway/cli/bin.ts start`) as a child process, for the demo and the
 * simulator's end-to-end tests. Start-up is complete when its JSON log reports "listening" with
 * the TCP port; the dashboard URL is taken from the log when the gateway reports one.
 */
export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
const BIN = 'gateway/cli/bin.ts';
/** Built (dist/firmware-sim/*.js) the simulator runs the built gateway beside it; under tsx the source. */
const DEFAULT_NODE_ARGS = import.meta.url.endsWith('.js') ? [fileURLToPath(new URL('../gateway/cli/bin.js', import.meta.url))] : ['--import', 'tsx', BIN];

export interface GatewayProcessOptions {
  dataDir: string;
  /** TCP port for boards; 0 picks a free one. */
  port: number;
  /** More arguments for `start` (e.g. `--auth required`, `--config f.json`). */
  args?: readonly string[];
  /** Extra environment (SHEETLOG_* configuration, e.g. SHEETLOG_MQTT__EMBEDDED=true). */
  env?: NodeJS.ProcessEnv;
  /** Own process group, so that a terminal's Ctrl-C reaches only the parent (the demo). */
  detached?: boolean;
  /** Every JSON log record, as it arrives. */
  onLog?: (record: Record<string, unknown>) => void;
  /** Text the gateway writes to stderr (its banner, its shutdown report). */
  onStderr?: (text: string) => void;
  startTimeoutMs?: number;
  /** How node runs the gateway (default: `--import tsx gateway/cli/bin.ts`); tests pass the built entry. */
  nodeArgs?: readonly string[];
}

export interface GatewayExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningGateway {
  child: ChildProcess;
  tcpPort: number;
  /** The port of the gateway's embedded MQTT broker (`mqtt.embedded`), else null. */
  mqttPort: number | null;
  /** The dashboard's URL, when the gateway logged one (or an HTTP port). */
  dashboardUrl: string | null;
  exited: Promise<GatewayExit>;
  /** Sends `signal` (default SIGTERM) and waits; SIGKILL after `graceMs`. Idempotent. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<GatewayExit>;
}

export async function startGateway(options: GatewayProcessOptions): Promise<RunningGateway> {
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? DEFAULT_NODE_ARGS), 'start', '--port', String(options.port), '--data', options.dataDir, ...(options.args ?? [])],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: options.detached ?? false, env: { ...process.env, ...options.env } },
  );
  const exited = once(child, 'exit').then(([code, signal]) => ({ code, signal }) as GatewayExit);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.removeListener('exit', killOnExit));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-8192);
    options.onStderr?.(chunk.toString());
  });
  let dashboardUrl: string | null = null;
  let mqttPort: number | null = null;
  const listening = new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const record = parseRecord(line);
      if (!record) return;
      options.onLog?.(record);
      dashboardUrl ??= dashboardUrlOf(record);
      if (record.msg === 'listening' && typeof record.tcpPort === 'number') {
        if (typeof record.mqttBrokerPort === 'number') mqttPort = record.mqttBrokerPort;
        resolve(record.tcpPort);
      }
    });
    void exited.then(({ code, signal }) => reject(new Error(`gateway exited (${code ?? signal}) before listening:\n${stderr.trim()}`)));
  });
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`gateway did not report "listening" within ${timeoutMs} ms:\n${stderr.trim()}`)), timeoutMs);
  });
  const stop = async (signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<GatewayExit> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(killer);
      return result;
    }
    return exited;
  };
  try {
    const tcpPort = await Promise.race([listening, timeout]);
    return { child, tcpPort, mqttPort, get dashboardUrl() { return dashboardUrl; }, exited, stop };
  } catch (error) {
    await stop('SIGKILL');
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

function parseRecord(line: string): Record<string, unknown> | null {
  if (!line.startsWith('{')) return null;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A URL the gateway logged for its dashboard (`dashboardUrl`/`url`), or one built from `httpPort`. */
export function dashboardUrlOf(record: Record<string, unknown>): string | null {
  for (const key of ['dashboardUrl', 'dashboard', 'url', 'httpUrl']) {
    const value = record[key];
    if (typeof value === 'string' && /^https?:\/\//.test(value)) return value;
  }
  if (typeof record.httpPort === 'number' && record.httpPort > 0) {
    const host = typeof record.httpHost === 'string' && !['0.0.0.0', '::'].includes(record.httpHost) ? record.httpHost : '127.0.0.1';
    return `http://${host.includes(':') ? `[${host}]` : host}:${record.httpPort}/`;
  }
  return null;
}
