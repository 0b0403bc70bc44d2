import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputGate } from '../../../../gateway/ingest/tcp/input-gate.js';
import { TurnShare } from '../../../../gateway/ingest/turn-share.js';
import { LineSplitter } from '../../../../gateway/protocol/lines.js';

test('connections still greeting share the lines of a turn: the rest wait, paused, and go on in later turns in arrival order', () => {
  let scheduled: (() => void)[] = [];
  const nextTurn = (fn: () => void) => void scheduled.push(fn);
  const turn = () => {
    const now = scheduled;
    scheduled = [];
    for (const fn of now) fn();
  };
  const share = new TurnShare(2, nextTurn);
  const handled: string[] = [];
  const gates = ['a', 'b', 'c', 'd'].map((name) => {
    const state = { greeting: true, paused: false };
    const splitter = new LineSplitter(256);
    const gate = new InputGate({
      holding: () => false,
      open: () => true,
      split: (bytes) => splitter.push(bytes),
      handle: (ev) => {
        handled.push(`${name}: ${ev.kind === 'line' ? ev.text : ev.kind}`);
        if (ev.kind === 'line' && ev.text.startsWith('HELLO')) state.greeting = false;
      },
      socket: { pause: () => void (state.paused = true), resume: () => void (state.paused = false), cork: () => {}, uncork: () => {} } as never,
      maxLinesPerTurn: 32,
      nextTurn,
      greetingShare: () => (state.greeting ? share : null),
    });
    return { name, gate, state };
  });

  for (const g of gates) g.gate.feedBytes(Buffer.from(`HELLO ${g.name} tok\nPING\n`));
  // a and b took the turn's two units; once they said HELLO their PING needs none.
  assert.deepEqual(handled, ['a: HELLO a tok', 'a: PING', 'b: HELLO b tok', 'b: PING']);
  assert.deepEqual(gates.map((g) => g.state.paused), [false, false, true, true]);

  turn();
  assert.deepEqual(handled.slice(4), ['c: HELLO c tok', 'c: PING', 'd: HELLO d tok', 'd: PING']);
  assert.deepEqual(gates.map((g) => g.state.paused), [false, false, false, false], 'resumed once their held lines are handled');
});

test('a new connection is read only once it holds a unit of the greeting share, and that unit is its first line', () => {
  let scheduled: (() => void)[] = [];
  const nextTurn = (fn: () => void) => void scheduled.push(fn);
  const turn = () => {
    const now = scheduled;
    scheduled = [];
    for (const fn of now) fn();
  };
  const share = new TurnShare(2, nextTurn);
  const handled: string[] = [];
  const gates = ['a', 'b', 'c', 'd', 'e'].map((name) => {
    const state = { greeting: true, reading: false, resumes: 0 };
    const splitter = new LineSplitter(256);
    const gate = new InputGate({
      holding: () => false,
      open: () => true,
      split: (bytes) => splitter.push(bytes),
      handle: (ev) => {
        handled.push(`${name}: ${ev.kind === 'line' ? ev.text : ev.kind}`);
        if (ev.kind === 'line' && ev.text.startsWith('HELLO')) state.greeting = false;
      },
      socket: {
        pause: () => void (state.reading = false),
        resume: () => {
          state.reading = true;
          state.resumes++;
        },
        cork: () => {},
        uncork: () => {},
      } as never,
      maxLinesPerTurn: 32,
      nextTurn,
      greetingShare: () => (state.greeting ? share : null),
    });
    return { name, gate, state };
  });

  for (const g of gates) g.gate.start();
  // The turn's two units admit a and b; c, d and e are not read at all.
  assert.deepEqual(gates.map((g) => g.state.reading), [true, true, false, false, false]);
  // The socket of an admitted connection delivers its HELLO: handled with the unit it was admitted with.
  gates[0]!.gate.feedBytes(Buffer.from('HELLO a tok\n'));
  gates[1]!.gate.feedBytes(Buffer.from('HELLO b tok\n'));
  assert.deepEqual(handled, ['a: HELLO a tok', 'b: HELLO b tok']);
  assert.equal(share.queued, 3, 'the HELLOs took no unit of their own: c, d and e still wait for theirs');

  turn();
  assert.deepEqual(gates.map((g) => g.state.reading), [true, true, true, true, false], 'two more admitted in the next turn, in arrival order');
  gates[2]!.gate.feedBytes(Buffer.from('HELLO c tok\nPING\n'));
  assert.deepEqual(handled.slice(2), ['c: HELLO c tok', 'c: PING']);

  turn();
  assert.equal(gates[4]!.state.reading, true);
  assert.deepEqual(gates.map((g) => g.state.resumes), [1, 1, 1, 1, 1], 'each socket is resumed once');
});
