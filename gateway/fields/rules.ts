import type { FieldRuleConfig } from '../config/sections/fields.js';
import { globToRegExp } from './glob.js';

/** What a rule says about one field of one device (config `fields`, docs/FIELDS.md). */
export interface FieldRule {
  unit: string | null;
  scale: number;
  offset: number;
  min: number | null;
  max: number | null;
  decimals: number | null;
  kind: 'gauge' | 'counter';
  /** Counters: the value at which the board's counter wraps to 0. */
  wrap: number | null;
}

/** A value outside the rule's range: the reading is NAKed OUT_OF_RANGE with this text. */
export type RangeCheck = { ok: true } | { ok: false; text: string };

/** Most devices remembered by the cache; past it the cache starts over (rules are cheap to match). */
const CACHE_DEVICES = 10_000;

interface Compiled {
  field: RegExp;
  device: RegExp | null;
  rule: FieldRule;
}

/**
 * The configured field rules, matched in order (first match wins), with a cache per device and
 * field since boards send the same names over and over: two map look-ups per field, no string
 * built on the hot path. Pure apart from the cache.
 */
export class FieldRules {
  private readonly compiled: readonly Compiled[];
  private readonly cache = new Map<string, Map<string, FieldRule | null>>();
  /** Whether any rule is a counter: without one, the counter guard has nothing to look at. */
  readonly hasCounters: boolean;

  constructor(rules: readonly FieldRuleConfig[]) {
    this.compiled = rules.map((r) => ({
      field: globToRegExp(r.match),
      device: r.devices === undefined ? null : globToRegExp(r.devices),
      rule: {
        unit: r.unit ?? null,
        scale: r.scale,
        offset: r.offset,
        min: r.min ?? null,
        max: r.max ?? null,
        decimals: r.decimals ?? null,
        kind: r.kind,
        wrap: r.wrap ?? null,
      },
    }));
    this.hasCounters = this.compiled.some((c) => c.rule.kind === 'counter');
  }

  /** No rules at all: callers may skip every per-field step. */
  get empty(): boolean {
    return this.compiled.length === 0;
  }

  /** The rule for `field` of `device`, or null when none matches. */
  ruleFor(device: string, field: string): FieldRule | null {
    if (this.compiled.length === 0) return null;
    let fields = this.cache.get(device);
    if (fields === undefined) {
      if (this.cache.size >= CACHE_DEVICES) this.cache.clear();
      fields = new Map();
      this.cache.set(device, fields);
    }
    const hit = fields.get(field);
    if (hit !== undefined) return hit;
    const found = this.compiled.find((c) => c.field.test(field) && (c.device === null || c.device.test(device)))?.rule ?? null;
    // A board sending ever new field names must not grow the cache without bound.
    if (fields.size >= 1000) fields.clear();
    fields.set(field, found);
    return found;
  }
}

/** The value as shown (sinks, API): calibrated, then rounded when the rule says so. */
export function calibrate(rule: FieldRule, raw: number): number {
  const value = raw * rule.scale + rule.offset;
  if (rule.decimals === null || !Number.isFinite(value)) return value;
  const f = 10 ** rule.decimals;
  return Math.round(value * f) / f;
}

/** Whether a calibrated value lies in the rule's range. */
export function checkRange(rule: FieldRule, shown: number): RangeCheck {
  if (rule.min !== null && shown < rule.min) return { ok: false, text: `${shown} is below the minimum ${rule.min}${rule.unit ? ` ${rule.unit}` : ''}` };
  if (rule.max !== null && shown > rule.max) return { ok: false, text: `${shown} is above the maximum ${rule.max}${rule.unit ? ` ${rule.unit}` : ''}` };
  return { ok: true };
}
