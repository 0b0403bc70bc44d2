import { calibrate, type FieldRule } from '../fields/rules.js';

/** One stored value of one field, as the board sent it, in order (ts, then boot, then seq). */
export interface Sample {
  ts: number;
  boot: number;
  seq: number;
  value: number;
}

/** What one period says about one field of one device; values are shown (calibrated) values. */
export interface Figures {
  kind: 'gauge' | 'counter';
  unit: string | null;
  count: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  last: number | null;
  lastTs: number | null;
  /** Counters only: the sum of forward steps, in the shown unit; null for gauges. */
  consumption: number | null;
}

const IDENTITY: FieldRule = { unit: null, scale: 1, offset: 0, min: null, max: null, decimals: null, kind: 'gauge', wrap: null };

/** Sorts samples into the order summaries read them (pure; returns a new array). */
export function ordered(samples: readonly Sample[]): Sample[] {
  return [...samples].sort((a, b) => a.ts - b.ts || a.boot - b.boot || a.seq - b.seq);
}

/**
 * How far a counter moved from `prev` to `cur`, as the board counts (pure, never negative).
 * - Same boot: the difference; a drop is an overflow when the rule has a `wrap` (the counter
 *   went round), otherwise nothing (the gateway refuses such readings with COUNTER_BACKWARDS).
 * - A new boot: a board whose counter started again from 0 consumed `cur` since; one that kept
 *   its count (a value at or above the last) consumed the difference.
 */
export function counterStep(prev: Sample, cur: Sample, wrap: number | null): number {
  if (cur.boot !== prev.boot) return cur.value >= prev.value ? cur.value - prev.value : cur.value;
  const d = cur.value - prev.value;
  if (d >= 0) return d;
  return wrap !== null ? d + wrap : 0;
}

/**
 * The figures of one period from its samples (`samples`, in order) and, for counters, the last
 * sample before the period (`before`): the first step of a period is the one from it. Pure.
 */
export function figures(samples: readonly Sample[], before: Sample | null, rule: FieldRule | null): Figures {
  const r = rule ?? IDENTITY;
  const last = samples[samples.length - 1];
  const base: Figures = {
    kind: r.kind,
    unit: r.unit,
    count: samples.length,
    min: null,
    max: null,
    mean: null,
    last: last === undefined ? null : calibrate(r, last.value),
    lastTs: last?.ts ?? null,
    consumption: null,
  };
  if (samples.length === 0) return base;
  if (r.kind === 'counter') {
    let raw = 0;
    let prev = before;
    for (const s of samples) {
      if (prev !== null) raw += counterStep(prev, s, r.wrap);
      prev = s;
    }
    // A step is a difference: the scale applies, the offset cancels out.
    return { ...base, consumption: round(raw * r.scale, r.decimals) };
  }
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const s of samples) {
    const v = calibrate(r, s.value);
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  return { ...base, min, max, mean: round(sum / samples.length, r.decimals === null ? null : r.decimals + 2) };
}

function round(v: number, decimals: number | null): number {
  if (decimals === null) return v;
  const f = 10 ** decimals;
  return Math.round(v * f) / f;
}
