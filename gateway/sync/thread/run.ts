import type { MessagePort } from 'node:worker_threads';
import type { JobFactory, SinkFactory } from '../../sinks/contract.js';
import { Checkpointer } from '../../store/checkpointer.js';
import { SqliteSinkStateStore } from '../../store/sink-state/sqlite.js';
import { systemTimers } from '../../time/timers.js';
import { storeInstanceId } from '../instance.js';
import { SyncService } from '../service.js';
import { ThreadStore } from './connection.js';
import { threadLogger } from './log-relay.js';
import type { FromThread, ThreadInit, ToThread } from './messages.js';
import { StatusFeed } from './status-feed.js';

/*
 * The sync thread's body (its entry module, gateway/sync-thread.ts, hands it the sinks' factory;
 * started by host.ts): its own SQLite connection, the sinks and one SyncWorker
 * per sink, exactly as SyncService runs them in process, so that reading batches, laying out rows,
 * formatting CSV and encoding Sheets requests never hold up an ACK on the main event loop.
 * A throw that escapes ends the thread; the host logs it and starts a new one.
 */
export async function runSyncThread(port: MessagePort, init: ThreadInit, createSinks: SinkFactory, createJobs: JobFactory = () => []): Promise<void> {
  const post = (m: FromThread) => port.postMessage(m);
  const log = threadLogger(init.logLevel, (line) => post({ type: 'log', line }));
  let feed: StatusFeed | null = null;
  let stopRequest: number | null = null;
  let service: SyncService | null = null;
  const store = new ThreadStore(init.config, init.highestId, systemTimers, (sink, lastId) => {
    post({ type: 'cursor', sink, lastId });
    feed?.poke();
  });

  // The WAL is copied into the database file from here, beside the commits (store/checkpointer.ts).
  const { checkpointIntervalMs } = init.config.store;
  const checkpoints = checkpointIntervalMs > 0 ? new Checkpointer(store.db, systemTimers, checkpointIntervalMs, log) : null;
  checkpoints?.start();

  const stop = async (timeoutMs: number) => {
    feed?.close();
    await service?.stop(timeoutMs);
    const status = service?.status() ?? [];
    checkpoints?.stop();
    store.close();
    post({ type: 'stopped', status });
    port.close();
  };

  port.on('message', (m: ToThread) => {
    if (m.type === 'committed') {
      store.committed(m.highestId);
      service?.notify();
    } else if (m.type === 'stop' && stopRequest === null) {
      stopRequest = m.timeoutMs;
      if (service) void stop(m.timeoutMs);
    }
  });

  try {
    const deps = { state: new SqliteSinkStateStore(store.db, () => systemTimers.now()), storeInstance: storeInstanceId(store.db), timers: systemTimers, log };
    const started = new SyncService(createSinks(deps), init.config.sync, { store, timers: systemTimers, log }, createJobs({ ...deps, db: store.db }));
    await started.start();
    service = started;
  } catch (e) {
    log.error({ part: 'sync', err: String(e) }, 'sync thread could not start its sinks');
    post({ type: 'failed', error: e instanceof Error ? e.message : String(e) });
    checkpoints?.stop();
    store.close();
    port.close();
    return;
  }
  const running = service;
  log.info({ part: 'sync', sinks: running.names }, 'sync thread started');
  post({ type: 'ready', status: running.status() });
  feed = new StatusFeed(() => running.status(), (status) => post({ type: 'status', status }), systemTimers);
  if (stopRequest !== null) await stop(stopRequest);
}
