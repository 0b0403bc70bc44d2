import type { Config } from '../config/schema.js';
import { BillJob } from '../billing/job.js';
import { billCalculatorFor } from '../billing/create.js';
import { summaryBuilderFor } from '../summaries/create.js';
import { SummaryJob } from '../summaries/job.js';
import type { JobDeps, SyncJob } from './contract.js';
import { createBillWriters, createSummaryWriters } from './create.js';

/** How often summaries and bills look for new readings and closed periods. */
const INTERVAL_MS = 5_000;
/** Most readings scanned, or spans computed, in one transaction of the summary job. */
const SUMMARY_BATCH = 2000;

/**
 * The jobs beside the sinks (the JobFactory of both composition roots, app.ts and sync-thread.ts):
 * the summaries and the bills, each handed the writers of the configured sinks. It lives here, on
 * the sinks' side, because summaries/ and billing/ never import a sink: they compute their tables
 * and define the writer they need (`SummaryWriter`); the sinks implement it.
 */
export function createJobs(config: Config, deps: JobDeps): SyncJob[] {
  const jobs: SyncJob[] = [];
  const builder = summaryBuilderFor(config, deps.db);
  if (builder) jobs.push(new SummaryJob(builder, createSummaryWriters(config, deps), { intervalMs: INTERVAL_MS, batch: SUMMARY_BATCH }, { timers: deps.timers, log: deps.log }));
  if (config.billing.field !== '') {
    const writers = createBillWriters(config, deps);
    jobs.push(new BillJob(deps.db, billCalculatorFor(config, deps.db), config.billing.field, writers, { timers: deps.timers, log: deps.log, intervalMs: INTERVAL_MS }));
  }
  return jobs;
}
