/**
 * FlowControl on its own (no socket): why a connection's input is paused and when it is read again.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FlowControl } from '../../../../gateway/ingest/tcp/flow-control.js';
import type { LimitName } from '../../../../gateway/ingest/session/limits.js';
import { ManualTimers } from '../../../helpers/manual-timers.js';

const LIMITS = { maxLinesPerSecond: 10, lineBurst: 2, overBudgetCloseMs: 1000, maxUnackedPerConnection: 4, slowReaderTimeoutMs: 500 };

function setup() {
  const timers = new ManualTimers();
  const events: string[] = [];
  const limits: LimitName[] = [];
  const socket = { pause: () => void events.push('pause'), destroy: () => void events.push('destroy') };
  const flow = new FlowControl(
    {
      socket: socket as never,
      timers,
      limits: LIMITS,
      limit: (name) => void limits.push(name),
      resume: () => void events.push('resume'),
      slowReaderGone: () => void events.push('gone'),
    },
    timers.now(),
  );
  return { timers, events, limits, flow };
}

test('backpressure: input stops at the limit of unsettled readings and reads again at half of it', () => {
  const { flow, events, limits } = setup();
  flow.unsettled(3);
  assert.equal(flow.holding, false);
  flow.unsettled(4);
  assert.equal(flow.holding, true);
  assert.deepEqual(events, ['pause']);
  assert.deepEqual(limits, ['BACKPRESSURE']);
  flow.unsettled(5); // already held: no second pause, no second count
  assert.deepEqual(limits, ['BACKPRESSURE']);
  assert.equal(flow.settled(3), false);
  assert.equal(flow.settled(2), true);
  assert.equal(flow.holding, false);
  assert.equal(flow.settled(0), false, 'ends once');
});

test('the input budget pauses for a while, resumes, and says close when it persists past overBudgetCloseMs', () => {
  const { flow, events, limits, timers } = setup();
  assert.equal(flow.spend(timers.now(), 10, true), 'ok');
  assert.equal(flow.spend(timers.now(), 10, true), 'ok');
  assert.equal(flow.holding, false);
  assert.equal(flow.spend(timers.now(), 10, true), 'ok', 'the line that empties the bucket is still handled');
  assert.equal(flow.holding, true);
  assert.deepEqual(events, ['pause']);
  assert.deepEqual(limits, ['INPUT_BUDGET']);
  timers.advance(1000);
  assert.deepEqual(events, ['pause', 'resume']);
  assert.equal(flow.holding, false);
  // Kept over the budget from the first pause on: past overBudgetCloseMs the answer is close.
  let answer: 'ok' | 'close' = 'ok';
  for (let i = 0; i < 50 && answer === 'ok'; i++) {
    answer = flow.spend(timers.now(), 10, true);
    if (flow.holding) timers.advance(100);
  }
  assert.equal(answer, 'close');
});

test('unread replies pause input until drain; a peer that never reads is dropped after slowReaderTimeoutMs', () => {
  const { flow, events, limits, timers } = setup();
  flow.repliesNotDrained();
  flow.repliesNotDrained();
  assert.deepEqual(events, ['pause']);
  assert.deepEqual(limits, ['SLOW_READER']);
  flow.drained();
  assert.deepEqual(events, ['pause', 'resume']);
  timers.advance(1000);
  assert.deepEqual(events, ['pause', 'resume'], 'drained in time: not dropped');

  flow.repliesNotDrained();
  timers.advance(499);
  assert.equal(events.includes('destroy'), false);
  timers.advance(1);
  assert.deepEqual(events.slice(-3), ['pause', 'gone', 'destroy']);
});

test('close() cancels the slow-reader deadline', () => {
  const { flow, events, timers } = setup();
  flow.repliesNotDrained();
  flow.close();
  timers.advance(10_000);
  assert.deepEqual(events, ['pause']);
});
