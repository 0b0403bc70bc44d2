import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../../threads/spawn.js';
import type { ThreadInit } from './messages.js';

/**
 * Starts the sync thread. Its entry module is gateway/sync-thread.ts, the thread's composition
 * root (it builds the sinks, which sync/ may not import); from the compiled dist/ (npm start) it
 * is the sync-thread.js two folders up. Under tsx, gateway/threads/spawn.ts bootstraps the loader.
 */
export function spawnSyncThread(init: ThreadInit): Worker {
  return spawnWorker(import.meta.url, { js: '../../sync-thread.js', ts: '../../sync-thread.ts' }, { workerData: init });
}
