import type { Fields, Refusal } from '../protocol/messages.js';
import type { FieldRules } from './rules.js';

/** A counter value at a seq of one (device, boot). */
export interface CounterPoint {
  seq: number;
  value: number;
}

/** What the guard asks the store about a counter field of one (device, boot), around one seq. */
export interface CounterLookup {
  counterNear(device: string, boot: number, field: string, seq: number): { stored: boolean; below: CounterPoint | null; above: CounterPoint | null };
}

/** Most (device, boot, field) entries kept in memory; past it the oldest is dropped (the store knows it). */
const STATE_LIMIT = 100_000;

/**
 * Whether `next` follows `prev` on a counter (pure): never lower, except just past the wrap point
 * of a counter with `wrap`: a step forward of less than half the wrap range across it (a counter of
 * 4294967296 at 4294967000 followed by 200 advanced by 496). docs/FIELDS.md.
 */
export function counterForward(prev: number, next: number, wrap: number | null): boolean {
  if (next >= prev) return true;
  if (wrap === null) return false;
  return next + wrap - prev < wrap / 2;
}

/**
 * Counters that never go backwards within a boot (kind: counter, docs/FIELDS.md). Decided in seq
 * order: a reading must not be lower than the counter at the nearest lower seq of its boot, nor
 * higher than at the nearest higher seq (a late resend from the board's ring is placed where its
 * seq puts it, not where it arrived). A seq already stored is a duplicate: the store answers it
 * (ACK), it is never called backwards. A new boot starts afresh.
 *
 * The highest seq taken per (device, boot, field) is kept in memory; anything else (the first
 * reading after a gateway restart, an older seq) is looked up in the stored readings, which stay
 * as the board sent them, so the check survives restarts without state of its own.
 */
export class CounterGuard {
  private readonly last = new Map<string, CounterPoint>();

  constructor(private readonly rules: FieldRules) {}

  /**
   * Checks the counter fields of a reading; when it passes, records it as taken (call it right
   * before queuing the reading). Null: pass; else the COUNTER_BACKWARDS refusal.
   */
  check(lookup: CounterLookup, device: string, boot: number, seq: number, fields: Fields): Refusal | null {
    if (!this.rules.hasCounters) return null;
    // Allocated only for a reading that carries a counter (most readings of most boards do not).
    let taken: [string, CounterPoint | null, CounterPoint][] | null = null;
    for (const name in fields) {
      const rule = this.rules.ruleFor(device, name);
      const value = fields[name];
      if (rule === null || rule.kind !== 'counter' || typeof value !== 'number') continue;
      const key = `${device}\u0000${boot}\u0000${name}`;
      const known = this.last.get(key);
      if (known !== undefined && seq === known.seq) continue; // a resend of the last one taken
      if (known !== undefined && seq > known.seq) {
        if (!counterForward(known.value, value, rule.wrap)) return backwards(seq, name, value, known, 'lower than');
        (taken ??= []).push([key, known, { seq, value }]);
        continue;
      }
      const near = lookup.counterNear(device, boot, name, seq);
      if (near.stored) continue; // a duplicate: the store answers it
      // A reading taken but not yet committed is newer than anything stored: it bounds from above.
      const above = known !== undefined && (near.above === null || known.seq < near.above.seq) ? known : near.above;
      if (near.below !== null && !counterForward(near.below.value, value, rule.wrap)) return backwards(seq, name, value, near.below, 'lower than');
      if (above !== null && !counterForward(value, above.value, rule.wrap)) return backwards(seq, name, value, above, 'higher than');
      if (known === undefined) (taken ??= []).push([key, null, above !== null && above.seq > seq ? above : { seq, value }]);
    }
    if (taken !== null) for (const [key, known, point] of taken) this.remember(key, known, point);
    return null;
  }

  private remember(key: string, known: CounterPoint | null, point: CounterPoint): void {
    if (known !== null) {
      // The hot path (the next seq of a boot): updated in place, no map write.
      known.seq = point.seq;
      known.value = point.value;
      return;
    }
    if (this.last.size >= STATE_LIMIT) this.last.delete(this.last.keys().next().value as string);
    this.last.set(key, point);
  }
}

function backwards(seq: number, name: string, value: number, other: CounterPoint, relation: string): Refusal {
  return {
    scope: 'nak',
    seq,
    code: 'COUNTER_BACKWARDS',
    text: `counter ${name}=${value} is ${relation} ${other.value} at seq ${other.seq} of this boot`,
  };
}
