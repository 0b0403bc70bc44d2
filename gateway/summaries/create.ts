import type { Config } from '../config/schema.js';
import { FieldRules } from '../fields/rules.js';
import type { JobDeps, SyncJob } from '../sinks/contract.js';
import { systemTimeZone } from '../time/time-zone.js';
import { SummaryBuilder } from './builder.js';
import { SummaryJob } from './job.js';
import { createBillWriters, createSummaryWriters } from '../sinks/create.js';
import { BillJob } from '../billing/job.js';
import { billCalculatorFor } from '../billing/create.js';

/** How often summaries and bills look for new readings and closed periods. */
const INTERVAL_MS = 5_000;

/** The summary builder of a configuration, or null when no periods are configured. */
export function summaryBuilderFor(config: Config, db: JobDeps['db']): SummaryBuilder | null {
  if (config.summaries.periods.length === 0) return null;
  return new SummaryBuilder(db, config.summaries, new FieldRules(config.fields), config.summaries.timeZone || systemTimeZone());
}

/** The jobs beside the sinks (the JobFactory of both composition roots). */
export function createJobs(config: Config, deps: JobDeps): SyncJob[] {
  const jobs: SyncJob[] = [];
  const builder = summaryBuilderFor(config, deps.db);
  if (builder) jobs.push(new SummaryJob(builder, createSummaryWriters(config, deps), { intervalMs: INTERVAL_MS, batch: 2000 }, { timers: deps.timers, log: deps.log }));
  if (config.billing.field !== '') {
    const writers = createBillWriters(config, deps);
    jobs.push(new BillJob(deps.db, billCalculatorFor(config, deps.db), config.billing.field, writers, { timers: deps.timers, log: deps.log, intervalMs: INTERVAL_MS }));
  }
  return jobs;
}
