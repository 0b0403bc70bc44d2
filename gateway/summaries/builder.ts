import type { SummariesConfig } from '../config/sections/summaries.js';
import { globToRegExp } from '../fields/glob.js';
import type { FieldRules } from '../fields/rules.js';
import type { Db } from '../store/database.js';
import { fieldsOf } from '../time/instant.js';
import { figures, ordered } from './aggregate.js';
import { parsePeriod, PeriodClock, type Period } from '../time/periods.js';
import { SummaryTable, type DirtySpan, type SummaryRow } from './table.js';

interface ScannedReading {
  id: number;
  device: string;
  ts: number;
  fields: string;
}

/**
 * Keeps the `summaries` table up to date from the readings in SQLite:
 *
 *   readings (id > progress) ─scan─▶ summary_dirty (period, device, field, span)
 *        ─settle (span end + grace ≤ now)─▶ recompute the span from its raw readings ─▶ summaries
 *
 * A span is always recomputed from the raw rows, never patched, so a late reading, a retried
 * one or a resend cannot make a row drift from what the readings say. A counter's consumption
 * depends on the reading before each one, so a late counter reading also dirties the span of the
 * reading after it. Open spans are not computed at all: a period is written once it is closed.
 */
export class SummaryBuilder {
  readonly table: SummaryTable;
  readonly clock: PeriodClock;
  private readonly periods: Period[];
  private readonly fieldPatterns: RegExp[];

  constructor(
    private readonly db: Db,
    private readonly config: SummariesConfig,
    private readonly rules: FieldRules,
    timeZone: string,
  ) {
    this.table = new SummaryTable(db);
    this.clock = new PeriodClock(timeZone);
    this.periods = config.periods.map((p) => {
      const parsed = parsePeriod(p);
      if (!parsed) throw new Error(`summaries.periods: "${p}" is not a period`);
      return parsed;
    });
    this.fieldPatterns = config.fields.map(globToRegExp);
  }

  get enabled(): boolean {
    return this.periods.length > 0;
  }

  get periodNames(): string[] {
    return this.periods.map((p) => p.name);
  }

  /** Scans up to `limit` new readings per period for the spans they touch. Returns how many. */
  scan(limit: number): number {
    let scanned = 0;
    for (const period of this.periods) {
      const through = this.table.progress(period.name);
      const rows = this.db.prepare('SELECT id, device, ts, fields FROM readings WHERE id > ? ORDER BY id LIMIT ?').all(through, limit) as ScannedReading[];
      const last = rows[rows.length - 1];
      if (last === undefined) continue;
      this.db.transaction(() => {
        for (const r of rows) this.markReading(period, r);
        this.table.setProgress(period.name, last.id);
      })();
      scanned += rows.length;
    }
    return scanned;
  }

  /** Computes the dirty spans closed by `now` − grace (up to `limit`); returns the rows written. */
  settle(now: number, limit: number): SummaryRow[] {
    const due = this.table.dueSpans(now - this.config.graceMs, limit);
    const out: SummaryRow[] = [];
    this.db.transaction(() => {
      for (const span of due) {
        out.push(this.compute(span, now));
        this.table.clearDirty(span);
      }
    })();
    return out;
  }

  /** Scans and settles until nothing is left (for the CLI and tests). */
  catchUp(now: number): void {
    while (this.scan(5000) > 0);
    while (this.settle(now, 1000).length > 0);
  }

  /** The figures of one span from its raw readings (pure over what SQLite returns). */
  compute(span: DirtySpan, now: number): SummaryRow {
    const rule = this.rules.ruleFor(span.device, span.field);
    const samples = ordered(this.table.samples(span.device, span.field, span));
    const before = rule?.kind === 'counter' ? this.table.sampleBefore(span.device, span.field, span.start) : null;
    return this.table.upsert(span, figures(samples, before, rule), now);
  }

  private markReading(period: Period, r: ScannedReading): void {
    const fields = fieldsOf<unknown>(r.fields);
    for (const field in fields) {
      if (typeof fields[field] !== 'number' || !this.summarised(field)) continue;
      const span = this.clock.spanOf(period, r.ts);
      this.table.markDirty({ period: period.name, device: r.device, field, ...span });
      if (this.rules.ruleFor(r.device, field)?.kind !== 'counter') continue;
      const next = this.table.sampleAfter(r.device, field, r.ts);
      if (next !== null && next >= span.end) this.table.markDirty({ period: period.name, device: r.device, field, ...this.clock.spanOf(period, next) });
    }
  }

  private summarised(field: string): boolean {
    return this.fieldPatterns.some((p) => p.test(field));
  }
}
