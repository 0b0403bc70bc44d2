import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RangeSet } from '../../firmware-sim/range-set.js';
import { createRng, intBelow } from '../../firmware-sim/rng.js';

describe('RangeSet', () => {
  it('merges adjacent numbers into ranges', () => {
    const set = new RangeSet();
    for (const n of [5, 1, 2, 4, 9, 3]) assert.equal(set.add(n), true);
    assert.equal(set.add(3), false);
    assert.deepEqual(set.toArray(), [[1, 5], [9, 9]]);
    assert.equal(set.size, 6);
    assert.equal(set.max(), 9);
    assert.equal(set.has(4), true);
    assert.equal(set.has(6), false);
  });

  it('agrees with a plain Set on random input', () => {
    const rng = createRng(11);
    const set = new RangeSet();
    const plain = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const n = intBelow(rng, 500);
      assert.equal(set.add(n), !plain.has(n));
      plain.add(n);
    }
    assert.deepEqual([...set], [...plain].sort((a, b) => a - b));
    assert.equal(set.size, plain.size);
  });
});
