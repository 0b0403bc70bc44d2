/**
 * The real gateway as a child process (`gateway/cli/bin.ts start --port 0`), and read-only views
 * of what it stored.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

import Database from 'better-sqlite3';

import { REPO } from './build.js';
import type { Child, ProcessGroup } from './processes.js';
import { nodeArgsFor } from '../../helpers/entry.js';

const run = promisify(execFile);
const CLI = join(REPO, 'gateway', 'cli', 'bin.ts');


/** The test's environment minus SHEETLOG_* (the gateway reads those as configuration). */
function gatewayEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { NO_COLOR: '1' };
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SHEETLOG_')) env[k] = v;
  return env;
}

export interface RunningGateway {
  child: Child;
  tcpPort: number;
  /** The embedded MQTT broker's port (`mqtt.embedded` in the configuration), else null. */
  mqttBrokerPort: number | null;
  /** The TLS listener's port (`tcp.tls.enabled`), else null. */
  tlsPort: number | null;
  /** The embedded broker's TLS port (`mqtt.embeddedTls.enabled`), else null. */
  mqttBrokerTlsPort: number | null;
}

/**
 * Starts a gateway on a free port; resolves once it logs `"msg":"listening"` with its tcpPort.
 * Its HTTP API is off: it would take the fixed default port, and these tests do not use it.
 */
export async function startGateway(group: ProcessGroup, dataDir: string, name = 'gateway', extraArgs: string[] = []): Promise<RunningGateway> {
  const child = group.spawn(
    name,
    process.execPath,
    [...nodeArgsFor(CLI), 'start', '--port', '0', '--http-port', 'off', '--data', dataDir, '--log-level', 'info', ...extraArgs],
    { cwd: REPO, env: gatewayEnv() },
  );
  const m = await child.waitFor((line) => {
    if (!line.startsWith('{')) return false;
    try {
      const o = JSON.parse(line) as { msg?: unknown; tcpPort?: unknown };
      return o.msg === 'listening' && typeof o.tcpPort === 'number';
    } catch {
      return false;
    }
  }, 90_000);
  const { tcpPort, mqttBrokerPort, tlsPort, mqttBrokerTlsPort } = JSON.parse(m.line) as { tcpPort: number; mqttBrokerPort?: number; tlsPort?: number; mqttBrokerTlsPort?: number };
  return { child, tcpPort, mqttBrokerPort: mqttBrokerPort ?? null, tlsPort: tlsPort ?? null, mqttBrokerTlsPort: mqttBrokerTlsPort ?? null };
}

export interface StoredReading {
  boot: number;
  seq: number;
  ts: number;
  ts_source: string;
  device_ts: number | null;
  received: number;
  fields: string;
}

/** Rows of one device, oldest seq first (read-only: the gateway may be running). */
export function storedReadings(dataDir: string, device: string): StoredReading[] {
  const db = new Database(join(dataDir, 'sheetlog.db'), { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare('SELECT boot, seq, ts, ts_source, device_ts, received, fields FROM readings WHERE device = ? ORDER BY seq, boot')
      .all(device) as StoredReading[];
  } finally {
    db.close();
  }
}

/** The gateway's per-device clock statistics (NULL until the board reported off=). */
export function deviceClock(dataDir: string, device: string): { offset: number | null; rtt: number | null } {
  const db = new Database(join(dataDir, 'sheetlog.db'), { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare('SELECT clock_offset_ms AS offset, clock_rtt_ms AS rtt FROM devices WHERE id = ?').get(device) as
      | { offset: number | null; rtt: number | null }
      | undefined;
    return row ?? { offset: null, rtt: null };
  } finally {
    db.close();
  }
}

/** `sheetlog tls fingerprint [--sha1]` for a data directory, as a person would run it. */
export async function tlsFingerprintOf(dataDir: string, sha1: boolean): Promise<string> {
  const { stdout } = await run(process.execPath, [...nodeArgsFor(CLI), 'tls', 'fingerprint', '--data', dataDir, ...(sha1 ? ['--sha1'] : [])], {
    cwd: REPO,
    env: gatewayEnv(),
    timeout: 60_000,
  });
  return stdout.trim();
}

/** `sheetlog devices list --json`, the operator's view. */
export async function listDevices(dataDir: string): Promise<{ id: string; readings: number }[]> {
  const { stdout } = await run(process.execPath, [...nodeArgsFor(CLI), 'devices', 'list', '--data', dataDir, '--json'], {
    cwd: REPO,
    env: gatewayEnv(),
    timeout: 60_000,
  });
  return JSON.parse(stdout) as { id: string; readings: number }[];
}

/** What the board reported about itself in its latest HELLO (reset=, missed=). */
export function deviceHealth(dataDir: string, device: string): { resetCause: string | null; missedSamples: number | null } {
  const db = new Database(join(dataDir, 'sheetlog.db'), { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare('SELECT reset_cause AS resetCause, missed_samples AS missedSamples FROM devices WHERE id = ?').get(device) as
      | { resetCause: string | null; missedSamples: number | null }
      | undefined;
    return row ?? { resetCause: null, missedSamples: null };
  } finally {
    db.close();
  }
}
