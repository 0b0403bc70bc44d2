import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RingBuffer } from '../../firmware-sim/ring-buffer.js';

describe('RingBuffer', () => {
  it('keeps entries in insertion order across the wrap-around', () => {
    const ring = new RingBuffer<number>(3);
    for (const n of [1, 2, 3]) ring.push(n);
    assert.equal(ring.shift(), 1);
    ring.push(4);
    assert.deepEqual([...ring], [2, 3, 4]);
    assert.deepEqual([0, 1, 2, 3].map((i) => ring.at(i)), [2, 3, 4, undefined]);
  });

  it('drops the oldest entry when full, returns it and counts it', () => {
    const ring = new RingBuffer<number>(2);
    assert.equal(ring.push(1), undefined);
    assert.equal(ring.push(2), undefined);
    assert.equal(ring.push(3), 1);
    assert.equal(ring.push(4), 2);
    assert.deepEqual([...ring], [3, 4]);
    assert.equal(ring.overflowDrops, 2);
    assert.equal(ring.size, 2);
  });

  it('shiftWhile removes a prefix only', () => {
    const ring = new RingBuffer<number>(5);
    for (const n of [1, 2, 5, 3]) ring.push(n);
    assert.deepEqual(ring.shiftWhile((n) => n <= 3), [1, 2]);
    assert.deepEqual([...ring], [5, 3]);
    assert.deepEqual(ring.shiftWhile(() => true), [5, 3]);
    assert.equal(ring.peek(), undefined);
    assert.equal(ring.shift(), undefined);
  });

  it('removeFirst takes one entry out of the middle and keeps the order of the rest', () => {
    const ring = new RingBuffer<number>(4);
    for (const n of [1, 2, 3, 4, 5]) ring.push(n);
    assert.equal(ring.removeFirst((n) => n === 3), 3);
    assert.equal(ring.removeFirst((n) => n === 9), undefined);
    assert.deepEqual([...ring], [2, 4, 5]);
    ring.push(6);
    ring.push(7);
    assert.deepEqual([...ring], [4, 5, 6, 7]);
  });

  it('rejects a capacity that is not a positive integer', () => {
    assert.throws(() => new RingBuffer(0), RangeError);
    assert.throws(() => new RingBuffer(1.5), RangeError);
  });
});
