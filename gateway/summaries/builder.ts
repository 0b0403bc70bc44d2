import type { SummariesConfig } from '../config/sections/summaries.js';
import { globToRegExp } from '../fields/glob.js';
import type { FieldRules } from '../fields/rules.js';
import type { Db } from '../store/database.js';
import { fieldsOf } from '../time/instant.js';
import { figures, ordered, type Figures } from './aggregate.js';
import { parsePeriod, PeriodClock, type Period, type Span } from '../time/periods.js';
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

  /**
   * Scans up to `limit` new readings per period for the spans they touch. Returns how many.
   *
   * The reads (the readings, the counters' next samples) happen outside the write transaction,
   * which only records each dirty span once per batch and the progress: a transaction of the
   * sync thread holds SQLite's write lock, and the ingest thread's commits wait for it.
   */
  scan(limit: number): number {
    let scanned = 0;
    for (const period of this.periods) {
      const rows = this.table.readingsAfter(this.table.progress(period.name), limit);
      const last = rows[rows.length - 1];
      if (last === undefined) continue;
      const spans = this.dirtiedBy(period, rows);
      this.db.transaction(() => {
        for (const span of spans) this.table.markDirty(span);
        this.table.setProgress(period.name, last.id);
      })();
      scanned += rows.length;
    }
    return scanned;
  }

  /** Computes the dirty spans closed by `now` − grace (up to `limit`); returns the rows written. */
  settle(now: number, limit: number): SummaryRow[] {
    const due = this.table.dueSpans(now - this.config.graceMs, limit);
    // Computed from the raw readings before the write transaction, which then stores them: no
    // reading can dirty a span meanwhile (scans run in this thread, between settles).
    const computed = due.map((span) => ({ span, figures: this.figuresOf(span) }));
    const out: SummaryRow[] = [];
    this.db.transaction(() => {
      for (const { span, figures } of computed) {
        out.push(this.table.upsert(span, figures, now));
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

  /** The figures of one span from its raw readings (pure over what SQLite returns), stored. */
  compute(span: DirtySpan, now: number): SummaryRow {
    return this.table.upsert(span, this.figuresOf(span), now);
  }

  private figuresOf(span: DirtySpan): Figures {
    const rule = this.rules.ruleFor(span.device, span.field);
    const samples = ordered(this.table.samples(span.device, span.field, span));
    const before = rule?.kind === 'counter' ? this.table.sampleBefore(span.device, span.field, span.start) : null;
    return figures(samples, before, rule);
  }

  /**
   * The spans a batch of readings dirties, each once: the span of every summarised numeric field
   * of a reading and, for a counter, the span of the sample after the batch's latest reading of
   * a span when that sample lies in a later span (its consumption starts from this one). Only
   * the latest matters: the sample after any earlier reading of the same span is at most that
   * latest one, inside the span. Reads only.
   */
  private dirtiedBy(period: Period, rows: readonly ScannedReading[]): DirtySpan[] {
    const spans = new Map<string, DirtySpan>();
    const latest = new Map<string, { device: string; field: string; end: number; ts: number }>();
    let span: Span | null = null;
    for (const r of rows) {
      // Readings of one batch mostly share a span: the time zone is consulted once per span.
      if (span === null || r.ts < span.start || r.ts >= span.end) span = this.clock.spanOf(period, r.ts);
      const fields = fieldsOf<unknown>(r.fields);
      for (const field in fields) {
        if (typeof fields[field] !== 'number' || !this.summarised(field)) continue;
        const key = `${r.device}\u0000${field}\u0000${span.start}`;
        if (!spans.has(key)) spans.set(key, { period: period.name, device: r.device, field, start: span.start, end: span.end });
        if (this.rules.ruleFor(r.device, field)?.kind !== 'counter') continue;
        const seen = latest.get(key);
        if (seen === undefined) latest.set(key, { device: r.device, field, end: span.end, ts: r.ts });
        else if (r.ts > seen.ts) seen.ts = r.ts;
      }
    }
    for (const { device, field, end, ts } of latest.values()) {
      const next = this.table.sampleAfter(device, field, ts);
      if (next === null || next < end) continue;
      const later = this.clock.spanOf(period, next);
      spans.set(`${device}\u0000${field}\u0000${later.start}`, { period: period.name, device, field, ...later });
    }
    return [...spans.values()];
  }

  private summarised(field: string): boolean {
    return this.fieldPatterns.some((p) => p.test(field));
  }
}
