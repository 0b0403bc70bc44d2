import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SeqRanges } from '../../../gateway/store/seq-ranges.js';

/** The same answers from a plain set of numbers (the model). */
function contiguousModel(held: Set<number>, after: number): { prefix: number; more: boolean } {
  let prefix = after;
  while (held.has(prefix + 1)) prefix++;
  const more = [...held].some((s) => s > prefix + 1);
  return { prefix, more };
}

test('a boot stored from seq 1 on is one range, written as [[1, n]]', () => {
  const r = SeqRanges.empty();
  for (let s = 1; s <= 1000; s++) assert.equal(r.add(s), true);
  assert.equal(r.add(500), false);
  assert.equal(r.rangeCount, 0);
  assert.equal(r.toJSON(), '[[1,1000]]');
  assert.equal(r.highest(), 1000);
  assert.deepEqual(r.contiguousAfter(0), { prefix: 1000, more: false });
});

test('gaps stay gaps: has, highest, contiguousAfter and the text form round trip', () => {
  const r = SeqRanges.empty();
  for (const s of [1, 2, 3, 7, 8, 20, 5]) r.add(s);
  assert.equal(r.toJSON(), '[[1,3],[5,5],[7,8],[20,20]]');
  assert.equal(r.has(4), false);
  assert.equal(r.has(7), true);
  assert.equal(r.highest(), 20);
  assert.deepEqual(r.contiguousAfter(0), { prefix: 3, more: true });
  assert.deepEqual(r.contiguousAfter(4), { prefix: 5, more: true });
  assert.deepEqual(r.contiguousAfter(8), { prefix: 8, more: true });
  assert.deepEqual(r.contiguousAfter(20), { prefix: 20, more: false });
  assert.equal(SeqRanges.parse(r.toJSON()).toJSON(), r.toJSON());
  assert.equal(r.wouldSplit(10), true);
  assert.equal(r.wouldSplit(9), false);
  assert.equal(r.wouldSplit(4), false);
  r.add(4);
  assert.equal(r.toJSON(), '[[1,5],[7,8],[20,20]]');
});

test('the floor (what retention pruned) counts as held and absorbs the ranges it reaches', () => {
  const r = SeqRanges.parse('[[10,12],[15,15],[30,40]]', 5);
  assert.equal(r.has(3), true);
  assert.equal(r.has(7), false);
  assert.deepEqual(r.contiguousAfter(0), { prefix: 5, more: true });
  // A higher floor (retention pruned further) takes in the runs it reaches or touches.
  const raised = SeqRanges.parse('[[10,12],[15,15],[30,40]]', 14);
  assert.equal(raised.toJSON(), '[[1,15],[30,40]]');
  assert.deepEqual(raised.contiguousAfter(0), { prefix: 15, more: true });
  assert.equal(raised.highest(), 40);
});

test('parse passes over what is not a list of integer pairs and merges overlaps', () => {
  assert.equal(SeqRanges.parse(null).toJSON(), '[]');
  assert.equal(SeqRanges.parse('not json').toJSON(), '[]');
  assert.equal(SeqRanges.parse('{"a":1}').toJSON(), '[]');
  assert.equal(SeqRanges.parse('[[5,3],[1],"x",[2.5,4],[9,12],[3,10],[20,21]]').toJSON(), '[[3,12],[20,21]]');
});

test('random adds agree with a plain set (seeded)', () => {
  let seed = 12345;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (let round = 0; round < 50; round++) {
    const r = SeqRanges.empty();
    const model = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const s = 1 + rand(120);
      // Seq 1 joins the floor (0): it never needs a range of its own.
      assert.equal(r.wouldSplit(s), !model.has(s) && s !== 1 && !model.has(s - 1) && !model.has(s + 1));
      assert.equal(r.add(s), !model.has(s));
      model.add(s);
      const probe = rand(125);
      assert.equal(r.has(probe), probe >= 1 && model.has(probe), `has ${probe}`);
      assert.deepEqual(r.contiguousAfter(probe), contiguousModel(model, probe));
    }
    assert.equal(r.highest(), Math.max(...model));
    const again = SeqRanges.parse(r.toJSON());
    for (let s = 0; s <= 125; s++) assert.equal(again.has(s), s >= 1 && model.has(s));
  }
});
