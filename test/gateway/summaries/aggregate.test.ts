import { test } from 'node:test';
import assert from 'node:assert/strict';
import { counterStep, figures, ordered, type Sample } from '../../../gateway/summaries/aggregate.js';
import type { FieldRule } from '../../../gateway/fields/rules.js';

const gauge: FieldRule = { unit: '°C', scale: 0.1, offset: -40, min: null, max: null, decimals: null, kind: 'gauge', wrap: null };
const counter = (wrap: number | null, scale = 1): FieldRule => ({ unit: 'Wh', scale, offset: 7, min: null, max: null, decimals: null, kind: 'counter', wrap });

/** A tiny deterministic generator, so a failure can be replayed. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

test('gauge figures: calibrated count, min, max, mean, last (checked against a plain reduction)', () => {
  const rnd = lcg(7);
  const samples: Sample[] = Array.from({ length: 200 }, (_, i) => ({ ts: 1000 + Math.floor(rnd() * 500), boot: 1, seq: i + 1, value: Math.floor(rnd() * 1000) }));
  const sorted = ordered(samples);
  const f = figures(sorted, null, gauge);
  const shown = sorted.map((s) => s.value * 0.1 - 40);
  assert.equal(f.count, 200);
  assert.equal(f.min, Math.min(...shown));
  assert.equal(f.max, Math.max(...shown));
  assert.ok(Math.abs((f.mean as number) - shown.reduce((a, b) => a + b, 0) / 200) < 1e-9);
  assert.equal(f.last, shown[shown.length - 1]);
  assert.equal(f.consumption, null);
  assert.deepEqual(figures([], null, gauge), { kind: 'gauge', unit: '°C', count: 0, min: null, max: null, mean: null, last: null, lastTs: null, consumption: null });
});

test('no rule: a gauge of the raw values', () => {
  const f = figures([{ ts: 1, boot: 1, seq: 1, value: 3 }, { ts: 2, boot: 1, seq: 2, value: 5 }], null, null);
  assert.deepEqual([f.kind, f.min, f.max, f.mean, f.last], ['gauge', 3, 5, 4, 5]);
});

test('counterStep: forward, wrap, new boot from 0, new boot that kept counting', () => {
  const s = (boot: number, value: number): Sample => ({ ts: 0, boot, seq: 1, value });
  assert.equal(counterStep(s(1, 10), s(1, 15), null), 5);
  assert.equal(counterStep(s(1, 4294967290), s(1, 4), 4294967296), 10);
  assert.equal(counterStep(s(1, 10), s(1, 4), null), 0, 'never negative');
  assert.equal(counterStep(s(1, 500), s(2, 30), null), 30, 'restarted from 0');
  assert.equal(counterStep(s(1, 500), s(2, 530), null), 30, 'kept its count');
});

/**
 * Independent computation: turn the series into one ever-growing total by unwrapping (an offset
 * per boot and per wrap), then consumption of a period = total at its last sample − total at the
 * sample before it.
 */
function totals(series: Sample[], wrap: number | null): number[] {
  const out: number[] = [];
  let base = 0;
  for (let i = 0; i < series.length; i++) {
    const cur = series[i] as Sample;
    const prev = series[i - 1];
    if (prev && cur.boot !== prev.boot) base = cur.value >= prev.value ? base : out[i - 1] as number;
    else if (prev && cur.value < prev.value && wrap !== null) base += wrap;
    out.push(base + cur.value);
  }
  return out;
}

test('counter consumption over random series with reboots and wraps equals the unwrapped totals', () => {
  const wrap = 1000;
  const rnd = lcg(42);
  const series: Sample[] = [];
  let boot = 1;
  let value = 0;
  for (let i = 0; i < 600; i++) {
    if (rnd() < 0.02) {
      boot++;
      value = Math.floor(rnd() * 5);
    } else value = (value + Math.floor(rnd() * 40)) % wrap;
    series.push({ ts: i * 10, boot, seq: i + 1, value });
  }
  const total = totals(series, wrap);
  for (const [from, to] of [[0, 100], [100, 350], [350, 600], [0, 600], [17, 18]] as const) {
    const f = figures(series.slice(from, to), from === 0 ? null : (series[from - 1] as Sample), counter(wrap, 2));
    const expected = ((total[to - 1] as number) - (from === 0 ? (total[0] as number) : (total[from - 1] as number))) * 2;
    assert.equal(f.consumption, expected, `${from}..${to}`);
    assert.equal(f.count, to - from);
    assert.equal(f.last, (series[to - 1] as Sample).value * 2 + 7);
  }
});
