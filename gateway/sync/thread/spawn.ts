import { Worker } from 'node:worker_threads';
import type { ThreadInit } from './messages.js';

/**
 * Starts the sync thread. Its entry module is gateway/sync-thread.ts, the thread's composition
 * root (it builds the sinks, which sync/ may not import). From the compiled dist/ (npm start) it
 * is the sync-thread.js two folders up. Under tsx (tests, scripts run from sources) this file is a .ts, and Node 20 does not
 * carry tsx's loader into worker threads (tsx registers its hooks on the main thread only there,
 * whatever execArgv says), so a tiny bootstrap registers tsx in the thread, then imports entry.ts.
 * The thread's execArgv drops `--import tsx`, so that a Node whose tsx does register in workers
 * does not get the hooks twice.
 */
export function spawnSyncThread(init: ThreadInit): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('../../sync-thread.js', here), { workerData: init });
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('../../sync-thread.ts', here).href;
  const boot = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, workerData: init, execArgv: withoutTsx(process.execArgv) });
}

function withoutTsx(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if ((a === '--import' || a === '--loader') && args[i + 1] === 'tsx') i++;
    else if (a !== '--import=tsx' && a !== '--loader=tsx') out.push(a);
  }
  return out;
}
