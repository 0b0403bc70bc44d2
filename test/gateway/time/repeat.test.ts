import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Repeat } from '../../../gateway/time/repeat.js';
import { ManualTimers } from '../../helpers/manual-timers.js';

/** Lets the promise callbacks of a settled step run (no time passes). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

test('Repeat: a step at once, the next intervalMs after it ends; a failing step is reported and the loop goes on', async () => {
  const timers = new ManualTimers();
  const starts: number[] = [];
  const errors: string[] = [];
  let release: (() => void) | null = null;
  const repeat = new Repeat(
    () => {
      starts.push(timers.now());
      if (starts.length === 2) return Promise.reject(new Error('boom'));
      return new Promise<void>((resolve) => (release = resolve));
    },
    { intervalMs: 1000, timers, onError: (e) => errors.push(String(e)) },
  );
  const t0 = timers.now();
  repeat.start();
  repeat.start();
  timers.advance(0);
  assert.deepEqual(starts, [t0], 'one step, however often start is called');
  timers.advance(5000);
  assert.equal(starts.length, 1, 'no second step while the first runs');
  (release as (() => void) | null)?.();
  await settle();
  timers.advance(1000);
  assert.deepEqual(starts, [t0, t0 + 6000], 'the interval counts from the end of the step');
  await settle();
  assert.deepEqual(errors, ['Error: boom']);
  timers.advance(1000);
  assert.equal(starts.length, 3, 'the step after a failure runs on time');
  const stopping = repeat.stop(100);
  timers.advance(100);
  await stopping;
});

test('Repeat.stop: waits for the step in flight at most timeoutMs, then no step runs again', async () => {
  const timers = new ManualTimers();
  let steps = 0;
  const repeat = new Repeat(
    () => {
      steps += 1;
      return new Promise<void>(() => undefined); // never ends
    },
    { intervalMs: 10, timers, onError: () => undefined },
  );
  repeat.start();
  timers.advance(0);
  let stopped = false;
  const stopping = repeat.stop(500).then(() => (stopped = true));
  assert.equal(repeat.stopped, true);
  await settle();
  assert.equal(stopped, false, 'still waiting for the step');
  timers.advance(500);
  await stopping;
  timers.advance(10_000);
  assert.equal(steps, 1);
  repeat.start();
  timers.advance(10_000);
  assert.equal(steps, 1, 'a stopped loop does not start again');
});
