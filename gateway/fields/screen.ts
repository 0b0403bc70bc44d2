import type { Fields, Refusal } from '../protocol/messages.js';
import { calibrate, checkRange, type FieldRule, type FieldRules } from './rules.js';

/**
 * Whether a rule needs the value to be a number: it calibrates it (scale, offset), checks a range
 * (min, max) or treats it as a counter. A rule that only names a unit or decimals takes any value
 * (a string stays a string). docs/FIELDS.md.
 */
export function needsNumber(rule: FieldRule): boolean {
  return rule.kind === 'counter' || rule.min !== null || rule.max !== null || rule.scale !== 1 || rule.offset !== 0;
}

/**
 * The gauge checks of one reading (pure): a value a rule needs as a number that is not one is
 * NAKed NOT_NUMERIC; a number whose calibrated value lies outside the rule's min/max is NAKed
 * OUT_OF_RANGE. The first failing field (in the board's order) names the refusal. Counters are
 * checked against stored readings by CounterGuard, after this.
 */
export function screenFields(rules: FieldRules, device: string, seq: number, fields: Fields): Refusal | null {
  for (const name in fields) {
    const rule = rules.ruleFor(device, name);
    if (rule === null) continue;
    const value = fields[name] as Fields[string];
    if (typeof value !== 'number') {
      if (needsNumber(rule)) return { scope: 'nak', seq, code: 'NOT_NUMERIC', text: `field ${name} must be a number (its field rule ${ruleWords(rule)})` };
      continue;
    }
    const range = checkRange(rule, calibrate(rule, value));
    if (!range.ok) return { scope: 'nak', seq, code: 'OUT_OF_RANGE', text: `field ${name}: ${range.text}` };
  }
  return null;
}

function ruleWords(rule: FieldRule): string {
  if (rule.kind === 'counter') return 'makes it a counter';
  if (rule.min !== null || rule.max !== null) return 'gives it a range';
  return 'calibrates it';
}
