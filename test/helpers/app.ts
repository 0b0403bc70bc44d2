import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { App, type AppDeps, type Listening } from '../../gateway/app.js';
import { deepMerge } from '../../gateway/config/load.js';
import { configSchema, type Config } from '../../gateway/config/schema.js';
import { createLogger } from '../../gateway/log.js';
import type { Timers } from '../../gateway/time/timers.js';

export interface TestApp {
  app: App;
  port: number;
  /** Port of the HTTP API and dashboard (always on, on 127.0.0.1, in tests). */
  httpPort: number;
  dataDir: string;
  config: Config;
  /** Everything the app listens on (TLS, MQTT, UDP when configured). */
  listening: Listening;
  /** Every log record written so far (parsed JSON). */
  logs: Record<string, unknown>[];
  stop(): Promise<void>;
}

/**
 * A fresh directory under the OS temp dir. It is removed when the test file's process exits (each
 * test file runs in a process of its own), unless SHEETLOG_KEEP_TEST_DIRS is set; tests that are
 * done with it earlier may remove it themselves.
 */
export function tempDir(prefix = 'sheetlog-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (!process.env.SHEETLOG_KEEP_TEST_DIRS) removedAtExit.add(dir);
  return dir;
}

// The one registry of this test process's temporary directories (a single 'exit' listener rather
// than one per directory: a file may make dozens).
const removedAtExit = new Set<string>();
process.once('exit', () => {
  for (const dir of removedAtExit) rmSync(dir, { recursive: true, force: true });
});

/** Starts a gateway in this process on a free port with a fresh data directory. */
export async function startTestApp(
  overrides: Record<string, unknown> = {},
  timers?: Timers,
  dataDir = tempDir(),
  extraDeps: Pick<AppDeps, 'syncStatus'> = {},
): Promise<TestApp> {
  // The sinks run on this event loop, not in a sync thread: a manual clock drives them only here,
  // and a thread costs about 0.3 s of CPU per app (its own V8 isolate and modules), which a suite
  // starting apps by the hundred pays in minutes. A test about the thread asks for it with
  // `sync: { thread: true }`; test/gateway/sync/thread/ and every gateway a test spawns as a
  // process (the default configuration) run the real thread.
  const base = { dataDir, tcp: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 }, sync: { thread: false } };
  const config = configSchema.parse(deepMerge(base, overrides));
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  const log = createLogger('debug', sink);
  const app = new App(config, timers ? { log, timers, ...extraDeps } : { log, ...extraDeps });
  const listening = await app.start();
  const { tcp, http } = listening;
  let stopped = false;
  return {
    app,
    port: tcp.port,
    httpPort: http?.port ?? -1,
    dataDir,
    config,
    listening,
    logs,
    async stop() {
      if (stopped) return;
      stopped = true;
      await app.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
