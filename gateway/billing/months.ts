import type { PeriodClock, Span } from '../time/periods.js';

/** A billing month "YYYY-MM": the month its start day falls in. */
export const MONTH_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

/**
 * Billing months in a zone (pure apart from the clock's cache): month "2026-03" with start day 15
 * runs from local midnight of 15 March to local midnight of 15 April.
 */
export class BillingMonths {
  constructor(
    private readonly clock: PeriodClock,
    private readonly startDay: number,
  ) {}

  /** The month holding instant `t`. */
  monthOf(t: number): string {
    const local = new Date(this.clock.local(t));
    let y = local.getUTCFullYear();
    let m = local.getUTCMonth() + 1;
    if (local.getUTCDate() < this.startDay) {
      m -= 1;
      if (m === 0) {
        m = 12;
        y -= 1;
      }
    }
    return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}`;
  }

  /** The span of month "YYYY-MM"; null when the text is not a month. */
  span(month: string): Span | null {
    const m = MONTH_PATTERN.exec(month);
    if (!m) return null;
    const y = Number(m[1]);
    const mo = Number(m[2]);
    return { start: this.midnight(y, mo, this.startDay), end: this.midnight(mo === 12 ? y + 1 : y, mo === 12 ? 1 : mo + 1, this.startDay) };
  }

  /** Local midnight of a calendar date: the start of the local day holding its local noon. */
  private midnight(y: number, m: number, d: number): number {
    const noonAsUtc = Date.UTC(y, m - 1, d, 12);
    const approx = noonAsUtc - (this.clock.local(noonAsUtc) - noonAsUtc);
    return this.clock.daySpan(approx).start;
  }
}
