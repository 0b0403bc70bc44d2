import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventHub } from '../../gateway/events.js';

interface Map1 {
  tick: { n: number };
  other: string;
}

test('event hub: typed delivery, unsubscribe, nothing to do without listeners', () => {
  const hub = new EventHub<Map1>();
  assert.equal(hub.hasListeners('tick'), false);
  hub.emit('tick', { n: 0 }); // no listener: a no-op
  const got: number[] = [];
  const off = hub.on('tick', (e) => got.push(e.n));
  assert.equal(hub.hasListeners('tick'), true);
  assert.equal(hub.hasListeners('other'), false);
  hub.emit('tick', { n: 1 });
  off();
  hub.emit('tick', { n: 2 });
  assert.deepEqual(got, [1]);
  assert.equal(hub.hasListeners('tick'), false);
});

test('event hub: a throwing listener is reported and never reaches the publisher or the others', () => {
  const errors: [string, string][] = [];
  const hub = new EventHub<Map1>((name, e) => errors.push([String(name), String(e)]));
  const got: string[] = [];
  hub.on('other', () => {
    throw new Error('boom');
  });
  hub.on('other', (s) => got.push(s));
  assert.doesNotThrow(() => hub.emit('other', 'x'));
  assert.deepEqual(got, ['x']);
  assert.deepEqual(errors, [['other', 'Error: boom']]);
});
