import type { Config } from '../config/schema.js';
import { FieldRules } from '../fields/rules.js';
import type { SinkDeps, SyncJob } from '../sinks/contract.js';
import { systemTimeZone } from '../sinks/time-zone.js';
import { SummaryBuilder } from './builder.js';
import { SummaryJob } from './job.js';
import { createSummaryWriters } from '../sinks/create.js';

/** How often summaries look for new readings and closed periods. */
const INTERVAL_MS = 5_000;

/** The summary builder of a configuration, or null when no periods are configured. */
export function summaryBuilderFor(config: Config, db: SinkDeps['db']): SummaryBuilder | null {
  if (config.summaries.periods.length === 0) return null;
  return new SummaryBuilder(db, config.summaries, new FieldRules(config.fields), config.summaries.timeZone || systemTimeZone());
}

/** The jobs beside the sinks (the JobFactory of both composition roots). */
export function createJobs(config: Config, deps: SinkDeps): SyncJob[] {
  const builder = summaryBuilderFor(config, deps.db);
  if (!builder) return [];
  return [new SummaryJob(builder, createSummaryWriters(config, deps), { intervalMs: INTERVAL_MS, batch: 2000 }, { timers: deps.timers, log: deps.log })];
}
