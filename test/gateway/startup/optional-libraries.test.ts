import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tempDir } from '../../helpers/app.js';
import { cleanupStack } from '../../helpers/cleanup.js';
import { nodeArgsFor } from '../../helpers/entry.js';
import { BIN, startGatewayProcess } from '../../helpers/gateway-process.js';

/**
 * The libraries a gateway loads only when its configuration uses them (each costs 70-140 ms of
 * every start otherwise): TLS certificate generation, an external broker, the embedded broker,
 * the google-sheets sink.
 */
const OPTIONAL = ['selfsigned', 'mqtt', 'aedes', '@googleapis/sheets', 'google-auth-library'];

/*
 * A resolve hook (node:module register) that appends every specifier the gateway resolves to a
 * file, with the thread that resolved it; dynamic import() goes through it too. It is loaded with
 * NODE_OPTIONS=--import, which Node 20 runs again, with hooks of its own, in a worker started
 * without execArgv: the sync thread of the built gateway (dist/). The thread started from sources
 * under tsx (a stale dist/; see gateway/threads/spawn.ts) is an eval worker with explicit execArgv,
 * which the hook does not reach. So the sync thread's code is also checked in the main thread
 * (`sync.thread: false`, second test), and the test asserts the hook saw each graph it relies on,
 * so that hooks no longer reaching a thread fail it instead of passing it.
 */
const REGISTER = `import { register } from 'node:module';
import { threadId } from 'node:worker_threads';
register('./hooks.mjs', import.meta.url, { data: { threadId, file: process.env.SHEETLOG_RESOLVE_LOG } });
`;
const HOOKS = `import { appendFileSync } from 'node:fs';
let thread = -1;
let file = '';
export function initialize(data) {
  thread = data.threadId;
  file = data.file;
}
export async function resolve(specifier, context, next) {
  appendFileSync(file, JSON.stringify({ thread, specifier, parent: context.parentURL ?? null }) + '\\n');
  return next(specifier, context);
}
`;

interface Resolved {
  thread: number;
  specifier: string;
  parent: string | null;
}

/** Starts `sheetlog start` under the hook, stops it, and returns what it resolved. */
async function resolvedBy(t: { after(fn: () => unknown): void }, args: string[], config?: unknown): Promise<Resolved[]> {
  const defer = cleanupStack(t);
  const dir = tempDir('sheetlog-optional-');
  defer(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'register.mjs'), REGISTER);
  writeFileSync(join(dir, 'hooks.mjs'), HOOKS);
  const file = join(dir, 'resolved.jsonl');
  if (config !== undefined) {
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    args = [...args, '--config', join(dir, 'config.json')];
  }
  const env = {
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${pathToFileURL(join(dir, 'register.mjs')).href}`.trim(),
    SHEETLOG_RESOLVE_LOG: file,
  };
  const gw = await startGatewayProcess(['--port', '0', '--data', join(dir, 'data'), ...args], env);
  defer(() => gw.stop('SIGKILL'));
  assert.equal(await gw.stop(), 0, gw.stderr());
  const records = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Resolved);
  assert.ok(
    records.some((r) => r.thread === 0 && /\/gateway\/cli\/bin\.(js|ts)$/.test(r.parent ?? '')),
    'the hook saw the main thread resolve the CLI\'s imports',
  );
  return records;
}

/** The threads other than the main one in which the hook saw gateway/sync-thread's imports resolved. */
function syncThreadsIn(records: Resolved[]): Set<number> {
  const threads = new Set(records.filter((r) => /\/gateway\/sync-thread\.(js|ts)$/.test(r.parent ?? '')).map((r) => r.thread));
  threads.delete(0);
  return threads;
}

function optionalIn(records: Resolved[]): string[] {
  const hits = records.filter((r) => OPTIONAL.some((p) => r.specifier === p || r.specifier.startsWith(`${p}/`)));
  return hits.map((r) => `${r.specifier} (thread ${r.thread}, from ${r.parent})`);
}

test('the default configuration (CSV sink, TCP, no TLS, no MQTT) loads none of the optional libraries, in the main thread or the sync thread', async (t) => {
  const fromDist = !nodeArgsFor(BIN).includes('--import');
  const records = await resolvedBy(t, []);
  const syncThreads = syncThreadsIn(records);
  if (fromDist) {
    assert.ok(syncThreads.size > 0, 'the hook saw the sync thread (a worker) resolve its entry\'s imports');
    assert.ok(records.some((r) => syncThreads.has(r.thread) && r.specifier === 'zod'), 'the hook saw the sync thread resolve a package');
  } else {
    t.diagnostic('dist/ is older than the sources: the sync thread runs under tsx, out of the hook\'s reach; the next test covers its code');
  }
  assert.deepEqual(optionalIn(records), []);
});

test('TLS and the embedded broker load selfsigned, aedes and MQTT.js when they start; the sync code (CSV sink, run in the main thread) loads no Google library', async (t) => {
  const records = await resolvedBy(t, [], {
    tcp: { tls: { enabled: true, host: '127.0.0.1', port: 0 } },
    mqtt: { embedded: true, embeddedHost: '127.0.0.1', embeddedPort: 0 },
    sync: { thread: false },
  });
  // The hook saw the sync code's graph in the main thread (it imports the sinks' factory).
  assert.ok(records.some((r) => r.thread === 0 && /\/gateway\/sinks\/create\.(js|ts)$/.test(r.parent ?? '')), 'the hook saw the sinks\' factory resolve its imports');
  const loaded = new Set(records.filter((r) => r.thread === 0).map((r) => r.specifier));
  for (const name of ['selfsigned', 'aedes', 'mqtt']) assert.ok(loaded.has(name), `${name} was loaded`);
  assert.deepEqual(optionalIn(records).filter((line) => /^(@googleapis\/sheets|google-auth-library)/.test(line)), []);
});
