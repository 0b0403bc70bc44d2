import type { Config } from '../config/schema.js';
import { FieldRules } from '../fields/rules.js';
import { systemTimeZone } from '../time/time-zone.js';
import type { Db } from '../store/database.js';
import { BillCalculator } from './bill.js';

/** The bill calculator of a configuration over a database connection. */
export function billCalculatorFor(config: Config, db: Db): BillCalculator {
  return new BillCalculator(db, config.billing, new FieldRules(config.fields), config.billing.timeZone || systemTimeZone());
}
