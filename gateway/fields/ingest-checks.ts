import type { Fields, Refusal } from '../protocol/messages.js';
import { CounterGuard, type CounterLookup } from './counter-guard.js';
import type { FieldRules } from './rules.js';
import { screenFields } from './screen.js';

/**
 * The field rules at ingest, shared by every session of a gateway (one per gateway: the counter
 * memory is the gateway's): NOT_NUMERIC and OUT_OF_RANGE first, then COUNTER_BACKWARDS.
 */
export class IngestFieldChecks {
  private readonly counters: CounterGuard;

  constructor(private readonly rules: FieldRules) {
    this.counters = new CounterGuard(rules);
  }

  /** Null: the reading passes (and its counters are recorded as taken); else the NAK to send. */
  check(lookup: CounterLookup, device: string, boot: number, seq: number, fields: Fields): Refusal | null {
    if (this.rules.empty) return null;
    // Rules that set nothing for this reading's fields are the usual case of a fleet with rules for
    // a few sensors: ruleFor is a cache hit per field, so both passes below stay cheap.
    return screenFields(this.rules, device, seq, fields) ?? this.counters.check(lookup, device, boot, seq, fields);
  }
}
