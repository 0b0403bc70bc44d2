import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TurnShare } from '../../../gateway/ingest/turn-share.js';
import { manualTurns } from '../../helpers/manual-turns.js';

test('a turn share lets perTurn takers through per turn, then wakes the waiting oldest first, before newcomers', () => {
  const loop = manualTurns();
  const share = new TurnShare(3, loop.nextTurn);
  const granted: string[] = [];
  const take = (name: string) => (share.take(() => granted.push(name)) ? granted.push(`${name} now`) : undefined);

  for (const n of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) take(n);
  assert.deepEqual(granted, ['a now', 'b now', 'c now']);
  assert.equal(share.queued, 4);
  assert.equal(loop.scheduled(), 1, 'one callback per turn, however many take');

  loop.turn();
  assert.deepEqual(granted.slice(3), ['d', 'e', 'f'], 'the oldest three, their units already taken');
  take('h'); // a newcomer in the same turn: the share is used up, and g waits before it
  assert.deepEqual(granted.slice(3), ['d', 'e', 'f']);

  loop.turn();
  assert.deepEqual(granted.slice(6), ['g', 'h']);
  assert.equal(share.queued, 0);
  take('i');
  assert.deepEqual(granted.slice(8), ['i now'], 'a unit left in this turn is taken at once');

  loop.turn();
  loop.turn();
  assert.equal(loop.scheduled(), 0, 'idle: nothing scheduled');
  for (const n of ['j', 'k', 'l']) take(n);
  assert.deepEqual(granted.slice(9), ['j now', 'k now', 'l now'], 'a fresh share after an idle spell');
});
