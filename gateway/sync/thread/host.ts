import type { Worker } from 'node:worker_threads';
import type { Config } from '../../config/schema.js';
import type { Logger } from '../../log.js';
import type { TimerHandle, Timers } from '../../time/timers.js';
import { backoffDelay } from '../backoff.js';
import type { SyncRunner } from '../runner.js';
import type { SinkStatus } from '../status.js';
import { CommitSignal } from './commit-signal.js';
import { relayLog } from './log-relay.js';
import type { FromThread, ThreadInit } from './messages.js';
import { spawnSyncThread } from './spawn.js';

/** What the host needs from the main thread's Store. */
export interface HostStore {
  readonly highestId: number;
  /** The thread moved a sink's cursor in SQLite (the Store recomputes its buffer size). */
  cursorAdvanced(sink: string, lastId: number): void;
}

export interface SyncThreadHostDeps {
  /** The names of the sinks the thread will build (validated by the composition root). */
  sinkNames: readonly string[];
  store: HostStore;
  timers: Timers;
  log: Logger;
  /** Starts the thread (tests inject one that fails). */
  spawn?: (init: ThreadInit) => Worker;
  random?: () => number;
}

/** Commit notifications to the thread: at most one per this many ms. */
const NOTIFY_GAP_MS = 5;
/** Beyond the sinks' own stop timeout: time for the thread to close its sinks and its connection. */
const STOP_GRACE_MS = 2000;
/** After `stopped`, how long the thread may take to end by itself before it is terminated. */
const EXIT_GRACE_MS = 1000;
/** A thread that ran this long before it died starts the restart backoff from the beginning. */
const HEALTHY_MS = 60_000;

type Phase = 'new' | 'running' | 'restarting' | 'stopping' | 'stopped';

/**
 * The main thread's side of the sync thread (run.ts), with SyncService's surface:
 *
 *   commit ─▶ notify ─▶ CommitSignal (coalesced) ─▶ thread      thread ─▶ cursor ─▶ store.cursorAdvanced
 *                                                               thread ─▶ status ─▶ snapshot ─▶ status()
 *                                                               thread ─▶ log    ─▶ main logger
 *
 * The thread owns the sinks and their cursors; the host only keeps the latest status snapshot, so
 * `status()` never waits on the thread. A thread that dies is logged, shown in the status, and
 * started again with jittered exponential backoff (sync.backoffBaseMs .. sync.backoffMaxMs).
 */
export class SyncThreadHost implements SyncRunner {
  readonly names: readonly string[];
  private thread: Worker | null = null;
  private phase: Phase = 'new';
  private snapshot: SinkStatus[];
  private readonly signal: CommitSignal;
  private readonly log: Logger;
  private readonly random: () => number;
  private restartTimer: TimerHandle | null = null;
  private deaths = 0;
  private stopped: Promise<void> | null = null;

  constructor(
    private readonly config: Config,
    private readonly deps: SyncThreadHostDeps,
  ) {
    this.names = [...deps.sinkNames];
    this.snapshot = this.names.map(initialStatus);
    this.log = deps.log.child({ part: 'sync' });
    this.random = deps.random ?? Math.random;
    this.signal = new CommitSignal(NOTIFY_GAP_MS, deps.timers, () => this.thread?.postMessage({ type: 'committed', highestId: deps.store.highestId }));
  }

  /** Starts the thread and resolves once its sinks have started (rejects if they cannot). */
  async start(): Promise<void> {
    if (this.phase !== 'new') return;
    await this.launch();
    if (this.phase === 'new') this.phase = 'running';
  }

  notify(): void {
    this.signal.fire();
  }

  stop(timeoutMs: number): Promise<void> {
    this.stopped ??= this.doStop(timeoutMs);
    return this.stopped;
  }

  status(): SinkStatus[] {
    const highest = this.deps.store.highestId;
    return this.snapshot.map((s) => ({
      ...s,
      // Pending rows from the main thread's own highest id: as fresh as the last commit.
      pendingRows: s.state === 'stopped' ? s.pendingRows : Math.max(0, highest - s.cursor),
      lastError: s.lastError && { ...s.lastError },
      quota: s.quota && { ...s.quota },
    }));
  }

  /** Starts a thread; resolves when it is ready, rejects when it ends before that. */
  private launch(): Promise<void> {
    const worker = (this.deps.spawn ?? spawnSyncThread)({ config: this.config, logLevel: this.deps.log.level, highestId: this.deps.store.highestId });
    this.thread = worker;
    let readyAt: number | null = null;
    let failure: string | null = null;
    return new Promise<void>((resolve, reject) => {
      worker.on('message', (m: FromThread) => {
        if (m.type === 'ready') {
          // Once running, the thread never keeps the process alive by itself (stop() holds it
          // while it drains); until then it must, or a gateway starting up could simply exit.
          worker.unref();
          readyAt = this.deps.timers.now();
          this.snapshot = m.status;
          resolve();
        } else if (m.type === 'failed') failure = m.error;
        else this.received(m);
      });
      worker.on('error', (e) => (failure = e instanceof Error ? (e.stack ?? e.message) : String(e)));
      worker.on('exit', (code) => {
        if (this.thread === worker) this.thread = null;
        const reason = failure ?? `the thread exited with code ${code}`;
        if (readyAt === null) reject(new Error(`sync thread: ${reason}`));
        else this.died(reason, this.deps.timers.now() - readyAt >= HEALTHY_MS);
      });
    });
  }

  private received(m: Exclude<FromThread, { type: 'ready' | 'failed' }>): void {
    switch (m.type) {
      case 'cursor':
        this.deps.store.cursorAdvanced(m.sink, m.lastId);
        break;
      case 'status':
      case 'stopped':
        this.snapshot = m.status;
        break;
      case 'log':
        relayLog(this.deps.log, m.line);
        break;
    }
  }

  /** The thread ended without being asked to (or a restart failed): show it and start another. */
  private died(reason: string, wasHealthy: boolean): void {
    if (this.phase === 'stopping' || this.phase === 'stopped') return;
    this.phase = 'restarting';
    this.deaths = wasHealthy ? 1 : this.deaths + 1;
    const s = this.config.sync;
    const delay = backoffDelay(this.deaths, { baseMs: s.backoffBaseMs, maxMs: s.backoffMaxMs }, this.random);
    const now = this.deps.timers.now();
    const message = `sync thread stopped unexpectedly: ${reason.split('\n')[0] ?? reason}`;
    this.log.error({ err: reason, attempt: this.deaths, retryInMs: delay }, `${message}; starting it again`);
    this.snapshot = this.snapshot.map((st) => ({
      ...st,
      state: 'backoff',
      failing: true,
      errors: st.errors + 1,
      lastError: { at: now, code: 'INTERNAL', message },
      backoffUntil: now + delay,
    }));
    this.restartTimer = this.deps.timers.after(delay, () => this.restart());
  }

  private restart(): void {
    this.restartTimer = null;
    if (this.phase !== 'restarting') return;
    this.launch().then(
      () => {
        if (this.phase !== 'restarting') return;
        this.phase = 'running';
        this.log.info({ after: this.deaths }, 'sync thread started again');
        this.signal.fire(); // commits made while it was down
      },
      (e: unknown) => this.died(String(e instanceof Error ? e.message : e), false),
    );
  }

  private async doStop(timeoutMs: number): Promise<void> {
    this.phase = 'stopping';
    this.restartTimer?.cancel();
    this.signal.close();
    const worker = this.thread;
    if (worker) {
      worker.ref(); // hold the process until the thread has drained
      const exited = new Promise<'exited'>((resolve) => worker.once('exit', () => resolve('exited')));
      const answered = new Promise<'stopped'>((resolve) => worker.on('message', (m: FromThread) => m.type === 'stopped' && resolve('stopped')));
      worker.postMessage({ type: 'stop', timeoutMs });
      const first = await this.within(Promise.race([exited, answered]), timeoutMs + STOP_GRACE_MS);
      if (first === 'timeout') this.log.warn({ timeoutMs }, 'the sync thread did not stop in time; terminating it');
      if (first !== 'exited' && (await this.within(exited, first === 'timeout' ? 0 : EXIT_GRACE_MS)) === 'timeout') await worker.terminate();
    }
    this.snapshot = this.snapshot.map((st) => (st.state === 'stopped' ? st : { ...st, state: 'stopped', pendingRows: 0 }));
    this.phase = 'stopped';
  }

  private async within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
    let timer: TimerHandle | null = null;
    const late = new Promise<'timeout'>((resolve) => (timer = this.deps.timers.after(ms, () => resolve('timeout'))));
    try {
      return await Promise.race([p, late]);
    } finally {
      (timer as TimerHandle | null)?.cancel();
    }
  }
}

/** A sink's status before the thread has sent its first snapshot. */
function initialStatus(name: string): SinkStatus {
  return {
    name,
    kind: name,
    state: 'idle',
    target: null,
    cursor: 0,
    pendingRows: 0,
    oldestPendingAt: null,
    lastPushAt: null,
    lastError: null,
    failing: false,
    rowsWritten: 0,
    requests: 0,
    errors: 0,
    throttled: 0,
    rejectedRows: 0,
    quarantinedRows: 0,
    quarantinedByDevice: {},
    quota: null,
    backoffUntil: null,
  };
}
