import type { Logger } from '../log.js';
import { Repeat } from '../time/repeat.js';
import type { Timers } from '../time/timers.js';
import type { SummaryBuilder } from './builder.js';
import type { SummaryRow } from './table.js';

/**
 * Writes summary rows to one destination; the sinks implement it (a CSV file, a Sheets tab:
 * gateway/sinks/csv/summary-file.ts, gateway/sinks/google-sheets/summary-tab.ts).
 */
export interface SummaryWriter {
  readonly name: string;
  /** Writes every row that is due; resolves false when the destination failed (retried later). */
  flush(now: number): Promise<boolean>;
}

export interface SummaryJobSettings {
  /** How often the job looks for new readings and closed periods. */
  intervalMs: number;
  /** Most readings scanned, or spans computed, in one transaction. */
  batch: number;
}

/**
 * Keeps the summaries current and hands them to the writers, on a timer:
 *
 *   every intervalMs: scan new readings ─▶ settle closed spans ─▶ each writer flushes due rows
 *
 * Each step is a few short transactions, so the sink workers sharing the connection are not held
 * up for long. A failing writer is tried again at the next tick; the others go on.
 *
 * It runs as a sync job (start, notify, stop: the `SyncJob` of gateway/sinks/contract.ts, met by
 * shape); gateway/sinks/jobs.ts builds it with the sinks' writers, since summaries/ never imports
 * the sinks.
 */
export class SummaryJob {
  readonly name = 'summaries';
  private readonly loop: Repeat;
  /** Rows settled since start (status, tests). */
  settledRows = 0;

  constructor(
    private readonly builder: SummaryBuilder,
    private readonly writers: readonly SummaryWriter[],
    private readonly settings: SummaryJobSettings,
    private readonly deps: { timers: Timers; log: Logger },
  ) {
    this.loop = new Repeat(() => this.step(), {
      intervalMs: settings.intervalMs,
      timers: deps.timers,
      onError: (e) => deps.log.error({ part: 'summaries', err: String(e) }, 'summary step failed'),
    });
  }

  start(): void {
    this.loop.start();
  }

  notify(): void {
    // Readings are picked up at the next tick: summaries are written per closed period anyway.
  }

  async stop(timeoutMs: number): Promise<void> {
    await this.loop.stop(timeoutMs);
  }

  /** One full pass (also what the tests drive by hand). */
  async step(): Promise<SummaryRow[]> {
    const { builder, settings } = this;
    while (!this.loop.stopped && builder.scan(settings.batch) > 0);
    const settled: SummaryRow[] = [];
    for (;;) {
      const rows = builder.settle(this.deps.timers.now(), settings.batch);
      settled.push(...rows);
      if (rows.length < settings.batch || this.loop.stopped) break;
    }
    this.settledRows += settled.length;
    for (const w of this.writers) {
      if (this.loop.stopped) break;
      try {
        await w.flush(this.deps.timers.now());
      } catch (e) {
        this.deps.log.error({ part: 'summaries', writer: w.name, err: String(e) }, 'summary write failed; retried at the next tick');
      }
    }
    return settled;
  }
}
