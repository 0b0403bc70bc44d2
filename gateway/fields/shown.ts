import type { FieldValue } from '../protocol/messages.js';
import { calibrate, type FieldRules } from './rules.js';

/** A reading's fields as the views show them, with the units of those that have one (pure). */
export interface ShownFields {
  fields: Record<string, FieldValue>;
  /** Field → unit, for the fields whose rule names one; empty when none does. */
  units: Record<string, string>;
  /** Whether any field has a rule (so the fields shown may differ from those sent). */
  ruled: boolean;
}

/**
 * The fields of one reading of `device` as every view shows them (API, live feed, dashboard):
 * numbers calibrated by their rule; other values and fields without a rule as the board sent them.
 * Rules are applied when shown, so stored rows follow the current rules (docs/FIELDS.md).
 */
export function shownFields(rules: FieldRules | null | undefined, device: string, raw: Record<string, FieldValue>): ShownFields {
  if (rules === null || rules === undefined || rules.empty) return { fields: raw, units: {}, ruled: false };
  const fields: Record<string, FieldValue> = Object.create(null) as Record<string, FieldValue>;
  const units: Record<string, string> = {};
  let ruled = false;
  for (const name in raw) {
    const value = raw[name] as FieldValue;
    const rule = rules.ruleFor(device, name);
    if (rule === null) {
      fields[name] = value;
      continue;
    }
    ruled = true;
    fields[name] = typeof value === 'number' ? calibrate(rule, value) : value;
    if (rule.unit !== null) units[name] = rule.unit;
  }
  return { fields: ruled ? { ...fields } : raw, units, ruled };
}
