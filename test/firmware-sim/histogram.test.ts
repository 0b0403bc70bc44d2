import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Histogram } from '../../firmware-sim/histogram.js';

describe('Histogram', () => {
  it('gives percentiles within 2 % and never above the maximum', () => {
    const h = new Histogram();
    for (let ms = 1; ms <= 1000; ms++) h.record(ms);
    const s = h.summary();
    assert.equal(s.count, 1000);
    assert.ok(Math.abs(s.p50 - 500) / 500 <= 0.02, `p50 ${s.p50}`);
    assert.ok(Math.abs(s.p99 - 990) / 990 <= 0.02, `p99 ${s.p99}`);
    assert.equal(s.max, 1000);
    assert.ok(h.quantile(1) <= 1000);
  });

  it('merges and handles the empty and sub-millisecond cases', () => {
    const a = new Histogram();
    const b = new Histogram();
    assert.deepEqual(a.summary(), { count: 0, p50: 0, p90: 0, p99: 0, max: 0 });
    a.record(0.2);
    b.record(100);
    a.merge(b);
    assert.equal(a.count, 2);
    assert.ok(a.quantile(0.5) <= 1);
    assert.equal(a.summary().max, 100);
  });
});
