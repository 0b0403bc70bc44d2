import { parentPort, workerData } from 'node:worker_threads';
import { createSinks } from './sinks/create.js';
import { createJobs } from './sinks/jobs.js';
import { runSyncThread } from './sync/thread/run.js';
import type { ThreadInit, ThreadStart, ToThread } from './sync/thread/messages.js';

/*
 * The sync thread's composition root (started by gateway/sync/thread/spawn.ts): what app.ts is for
 * the main thread. It hands the sync runner the sinks' factory and the jobs' factory (summaries and
 * bills, gateway/sinks/jobs.ts), so that gateway/sync never imports a sink (it knows only
 * gateway/sinks/contract.ts).
 */
if (!parentPort) throw new Error('gateway/sync-thread runs as a worker thread (see gateway/sync/thread/host.ts)');
const port = parentPort;
// A thread started early (gateway/sync/thread/spawn.ts) has loaded its modules by now and waits
// for its init, sent once the main thread has its store.
const start = workerData as ThreadStart;
const init = 'waitForInit' in start ? await new Promise<ThreadInit>((resolve) => port.once('message', (m: ToThread) => m.type === 'init' && resolve(m.init))) : start;
await runSyncThread(port, init, (deps) => createSinks(init.config, deps), (deps) => createJobs(init.config, deps));
