import type { Config } from '../config/schema.js';
import { FieldRules } from '../fields/rules.js';
import type { Db } from '../store/database.js';
import { systemTimeZone } from '../time/time-zone.js';
import { SummaryBuilder } from './builder.js';

/** The summary builder of a configuration, or null when no periods are configured. */
export function summaryBuilderFor(config: Config, db: Db): SummaryBuilder | null {
  if (config.summaries.periods.length === 0) return null;
  return new SummaryBuilder(db, config.summaries, new FieldRules(config.fields), config.summaries.timeZone || systemTimeZone());
}
