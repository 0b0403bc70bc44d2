import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Backoff } from '../../firmware-sim/backoff.js';
import { createRng } from '../../firmware-sim/rng.js';

describe('Backoff', () => {
  it('grows by the factor up to the maximum, each delay jittered within the upper half of its step', () => {
    const backoff = new Backoff({ minMs: 500, maxMs: 30_000, factor: 2 }, createRng(3));
    const ceilings = [500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000];
    for (const ceiling of ceilings) {
      assert.equal(backoff.ceiling(), ceiling);
      const delay = backoff.next();
      assert.ok(delay >= ceiling / 2 && delay <= ceiling, `${delay} in [${ceiling / 2}, ${ceiling}]`);
    }
    assert.equal(backoff.attempts, ceilings.length);
  });

  it('starts again from the smallest step after reset()', () => {
    const backoff = new Backoff({ minMs: 100, maxMs: 1000, factor: 3 }, createRng(1));
    backoff.next();
    backoff.next();
    backoff.reset();
    assert.equal(backoff.ceiling(), 100);
    assert.equal(backoff.attempts, 0);
  });

  it('spreads a fleet: delays of many boards at the same step are not all equal', () => {
    const delays = Array.from({ length: 50 }, (_, i) => new Backoff({ minMs: 1000, maxMs: 1000, factor: 2 }, createRng(i)).next());
    assert.ok(new Set(delays.map(Math.round)).size > 40);
    assert.ok(Math.min(...delays) >= 500 && Math.max(...delays) <= 1000);
  });

  it('is deterministic for a seed', () => {
    const run = () => {
      const b = new Backoff({ minMs: 500, maxMs: 30_000, factor: 2 }, createRng('seed'));
      return [b.next(), b.next(), b.next()];
    };
    assert.deepEqual(run(), run());
  });

  it('rejects contradictory bounds', () => {
    assert.throws(() => new Backoff({ minMs: 0, maxMs: 10, factor: 2 }, createRng(1)), RangeError);
    assert.throws(() => new Backoff({ minMs: 10, maxMs: 5, factor: 2 }, createRng(1)), RangeError);
    assert.throws(() => new Backoff({ minMs: 10, maxMs: 50, factor: 0.5 }, createRng(1)), RangeError);
  });
});
