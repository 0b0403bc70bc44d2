import type { Logger } from '../log.js';
import type { Timers } from '../time/timers.js';
import type { SyncRunner } from './runner.js';
import type { Sink, SyncJob } from '../sinks/contract.js';
import type { SinkStatus } from './status.js';
import { SyncWorker, type SyncStore, type WorkerSettings } from './worker.js';

/**
 * One worker per configured sink, each with its own cursor. Started after the store, while
 * ingest opens its listeners; stopped after ingest and before the store closes (see app.ts).
 */
export class SyncService implements SyncRunner {
  private readonly workers: SyncWorker[];
  private started = false;

  constructor(
    readonly sinks: readonly Sink[],
    settings: WorkerSettings,
    deps: { store: SyncStore; timers: Timers; log: Logger; random?: () => number },
    /** Work beside the sinks (summaries): started after them, stopped before they close. */
    private readonly jobs: readonly SyncJob[] = [],
  ) {
    const names = sinks.map((s) => s.name);
    if (new Set(names).size !== names.length) throw new Error(`sink names must be unique: ${names.join(', ')}`);
    this.workers = sinks.map((sink) => new SyncWorker(sink, settings, { ...deps, log: deps.log.child({ part: 'sync', sink: sink.name }) }));
  }

  get names(): string[] {
    return this.sinks.map((s) => s.name);
  }

  /** Prepares every sink (local work only) and starts the workers. */
  async start(): Promise<void> {
    for (const sink of this.sinks) await sink.start();
    for (const w of this.workers) w.start();
    for (const j of this.jobs) j.start();
    this.started = true;
  }

  /** Called after each commit that stored readings. */
  notify(): void {
    if (!this.started) return;
    for (const w of this.workers) w.notify();
    for (const j of this.jobs) j.notify();
  }

  /** Lets in-flight writes settle (bounded), then closes the sinks. Idempotent. */
  async stop(timeoutMs: number): Promise<void> {
    await Promise.all([...this.workers.map((w) => w.stop(timeoutMs)), ...this.jobs.map((j) => j.stop(timeoutMs))]);
    await Promise.all(this.sinks.map((s) => s.close()));
  }

  status(): SinkStatus[] {
    return this.workers.map((w) => w.status());
  }
}
