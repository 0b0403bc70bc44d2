import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../../threads/spawn.js';
import type { ThreadInit, ThreadStart, ToThread } from './messages.js';

/**
 * Starts the sync thread. Its entry module is gateway/sync-thread.ts, the thread's composition
 * root (it builds the sinks, which sync/ may not import); from the compiled dist/ (npm start) it
 * is the sync-thread.js two folders up. Under tsx, gateway/threads/spawn.ts bootstraps the loader.
 */
export function spawnSyncThread(init: ThreadInit): Worker {
  return spawnThread(init);
}

function spawnThread(start: ThreadStart): Worker {
  return spawnWorker(import.meta.url, { js: '../../sync-thread.js', ts: '../../sync-thread.ts' }, { workerData: start });
}

/**
 * A sync thread started before the gateway has what it needs (`sheetlog start` starts it while
 * the gateway's own modules load): it boots, loads its modules (about 0.3 s, on another core)
 * and waits for its ThreadInit, which `take` sends once the store is open. It opens nothing
 * before that, so it may be started before the data directory's lock is taken.
 *
 * Until taken it does not keep the process alive, and a thread that ended meanwhile (its modules
 * failed to load) is not handed out: `take` returns null and the host starts one as usual, which
 * reports why it cannot start.
 */
export class EarlySyncThread {
  private worker: Worker | null;
  private ended = false;

  constructor(spawn: (start: ThreadStart) => Worker = spawnThread) {
    const worker = spawn({ waitForInit: true });
    worker.unref();
    // Recorded, not reported: the host's own start of a thread says what is wrong.
    worker.on('error', () => (this.ended = true));
    worker.once('exit', () => (this.ended = true));
    this.worker = worker;
  }

  /** The thread, given its init; null once taken, disposed or ended (start one as usual). */
  take(init: ThreadInit): Worker | null {
    const worker = this.worker;
    this.worker = null;
    if (!worker) return null;
    if (this.ended) {
      void worker.terminate();
      return null;
    }
    // From here on the host holds the process while the thread starts, as with a thread it spawned.
    worker.ref();
    worker.postMessage({ type: 'init', init } satisfies ToThread);
    return worker;
  }

  /** Ends the thread if nobody took it (the gateway did not start, or runs without a sync thread). */
  dispose(): void {
    void this.worker?.terminate();
    this.worker = null;
  }
}
