import type { Logger } from '../log.js';
import type { Db } from '../store/database.js';
import type { SummaryWriter } from '../summaries/job.js';
import { SummaryTable } from '../summaries/table.js';
import { Repeat } from '../time/repeat.js';
import type { Span } from '../time/periods.js';
import type { Timers } from '../time/timers.js';
import { fieldsOf } from '../time/instant.js';
import type { Bill, BillCalculator } from './bill.js';
import { BillStore } from './store.js';

const PROGRESS = 'bills';

/**
 * Keeps the `bills` table current and hands it to the writers (the `bills` tab / CSV file):
 *
 *   every intervalMs: new readings of the billed field ─▶ their (device, month), plus the month of
 *   the reading after a late one ─▶ recompute those bills, and the bills whose month just closed
 *   (they turn final) ─▶ each writer flushes the revised rows to their places
 *
 * A bill is month to date until its month closes: its row is revised in place as readings come.
 * Like SummaryJob it runs as a sync job and gets its writers from gateway/sinks/jobs.ts.
 */
export class BillJob {
  readonly name = 'bills';
  private readonly loop: Repeat;
  private readonly store: BillStore;
  private readonly samples: SummaryTable;

  constructor(
    private readonly db: Db,
    private readonly calculator: BillCalculator,
    private readonly field: string,
    private readonly writers: readonly SummaryWriter[],
    private readonly deps: { timers: Timers; log: Logger; intervalMs: number },
  ) {
    this.store = new BillStore(db);
    this.samples = new SummaryTable(db);
    this.loop = new Repeat(() => this.step(), {
      intervalMs: deps.intervalMs,
      timers: deps.timers,
      onError: (e) => deps.log.error({ part: 'bills', err: String(e) }, 'bills step failed'),
    });
  }

  start(): void {
    this.loop.start();
  }

  notify(): void {}

  async stop(timeoutMs: number): Promise<void> {
    await this.loop.stop(timeoutMs);
  }

  /** One pass: update the bills, then flush the writers. */
  async step(): Promise<void> {
    while (!this.loop.stopped && this.update(2000) > 0);
    const now = this.deps.timers.now();
    this.db.transaction(() => {
      for (const b of this.store.closing(now)) this.recompute(b.device, b.month, now);
    })();
    for (const w of this.writers) {
      if (this.loop.stopped) break;
      await w.flush(now).catch((e: unknown) => this.deps.log.error({ part: 'bills', writer: w.name, err: String(e) }, 'bills write failed; retried at the next pass'));
    }
  }

  /** Scans up to `limit` new readings and recomputes the bills they touch; returns how many it scanned. */
  update(limit: number): number {
    const progress = this.samples.progress(PROGRESS);
    const rows = this.samples.readingsAfter(progress, limit);
    const last = rows[rows.length - 1];
    if (!last) return 0;
    const now = this.deps.timers.now();
    // Reads first (the readings, the samples after them, the bills), then one short write
    // transaction: a transaction of the sync thread holds SQLite's write lock, and the ingest
    // thread's commits wait for it.
    const touched = new Map<string, { device: string; month: string }>();
    const latest = new Map<string, { device: string; ts: number }>();
    const touch = (device: string, ts: number): string => {
      const month = this.calculator.months.monthOf(ts);
      const key = `${device}\u0000${month}`;
      touched.set(key, { device, month });
      return key;
    };
    for (const r of rows) {
      if (typeof fieldsOf<unknown>(r.fields)[this.field] !== 'number') continue;
      const key = touch(r.device, r.ts);
      const seen = latest.get(key);
      if (seen === undefined || r.ts > seen.ts) latest.set(key, { device: r.device, ts: r.ts });
    }
    // The sample after a device's latest reading of a month may open the next month's bill; the
    // one after any earlier reading of that month is at most that latest one, in the same month.
    for (const { device, ts } of latest.values()) {
      const next = this.samples.sampleAfter(device, this.field, ts);
      if (next !== null) touch(device, next);
    }
    const bills = [...touched.values()].map(({ device, month }) => this.computed(device, month, now)).filter((b) => b !== null);
    this.db.transaction(() => {
      for (const { bill, span } of bills) this.store.upsert(bill, span, now);
      this.samples.setProgress(PROGRESS, last.id);
    })();
    return rows.length;
  }

  private recompute(device: string, month: string, now: number): void {
    const computed = this.computed(device, month, now);
    if (computed) this.store.upsert(computed.bill, computed.span, now);
  }

  private computed(device: string, month: string, now: number): { bill: Bill; span: Span } | null {
    const span = this.calculator.months.span(month);
    return span ? { bill: this.calculator.bill(device, month, now), span } : null;
  }
}
