import type { BillingConfig } from '../config/sections/billing.js';
import type { FieldRules } from '../fields/rules.js';
import type { Db } from '../store/database.js';
import { figures, ordered } from '../summaries/aggregate.js';
import { PeriodClock } from '../time/periods.js';
import { SummaryTable } from '../summaries/table.js';
import { BillingMonths } from './months.js';
import { cents, tieredCost, type TierCharge } from './tariff.js';

/** One device's bill for one billing month (API, CLI, the bills table: the same figures). */
export interface Bill {
  device: string;
  month: string;
  from: string;
  to: string;
  /** The month has closed: the figures no longer change (unless a late reading arrives). */
  final: boolean;
  field: string;
  unit: string;
  currency: string;
  readings: number;
  consumption: number;
  tiers: TierCharge[];
  tierReached: number;
  fixedCharge: number;
  energyCost: number;
  total: number;
}

export class BillError extends Error {
  constructor(
    readonly code: 'BILLING_OFF' | 'MONTH_INVALID',
    message: string,
  ) {
    super(message);
    this.name = 'BillError';
  }
}

/**
 * Bills from the readings in SQLite: the month's consumption is computed exactly like a summary's
 * (gateway/summaries/aggregate.ts: steps from the reading before the month, wraps and reboots),
 * then split over the tiers. Read-only, so the CLI may run it beside a running gateway.
 */
export class BillCalculator {
  readonly months: BillingMonths;
  private readonly table: SummaryTable;

  constructor(
    db: Db,
    private readonly config: BillingConfig,
    private readonly rules: FieldRules,
    timeZone: string,
  ) {
    this.months = new BillingMonths(new PeriodClock(timeZone), config.monthStartDay);
    this.table = new SummaryTable(db);
  }

  get enabled(): boolean {
    return this.config.field !== '';
  }

  /** The bill of `device` for `month` (default: the month holding `now`). */
  bill(device: string, month: string | undefined, now: number): Bill {
    const c = this.config;
    if (!this.enabled) throw new BillError('BILLING_OFF', 'no bills: billing.field is not configured');
    const m = month ?? this.months.monthOf(now);
    const span = this.months.span(m);
    if (!span) throw new BillError('MONTH_INVALID', `${JSON.stringify(m)} is not a month (YYYY-MM)`);
    const rule = this.rules.ruleFor(device, c.field);
    const counter = rule ? { ...rule, kind: 'counter' as const } : { unit: null, scale: 1, offset: 0, min: null, max: null, decimals: null, kind: 'counter' as const, wrap: null };
    const samples = ordered(this.table.samples(device, c.field, span));
    const before = this.table.sampleBefore(device, c.field, span.start);
    const f = figures(samples, before, counter);
    const consumption = f.consumption ?? 0;
    const cost = tieredCost(consumption, c.tiers);
    return {
      device,
      month: m,
      from: new Date(span.start).toISOString(),
      to: new Date(span.end).toISOString(),
      final: now >= span.end,
      field: c.field,
      unit: c.unit,
      currency: c.currency,
      readings: samples.length,
      consumption,
      tiers: cost.tiers,
      tierReached: cost.tierReached,
      fixedCharge: c.fixedCharge,
      energyCost: cost.energyCost,
      total: cents(cost.energyCost + c.fixedCharge),
    };
  }
}
