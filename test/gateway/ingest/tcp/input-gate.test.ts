import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputGate } from '../../../../gateway/ingest/tcp/input-gate.js';
import { TurnShare } from '../../../../gateway/ingest/turn-share.js';
import { ReadSlots } from '../../../../gateway/ingest/read-slots.js';
import { LineSplitter } from '../../../../gateway/protocol/lines.js';
import { manualTurns } from '../../../helpers/manual-turns.js';

/**
 * Input gates of connections still greeting, one per name, sharing `share` (and `readers`): each
 * records the lines it handles in `handled` and stops greeting once it has handled a HELLO.
 */
function greetingGates(names: string[], deps: { share: TurnShare; readers?: ReadSlots; nextTurn: (fn: () => void) => void; pausedAtStart: boolean }) {
  const handled: string[] = [];
  const gates = names.map((name) => {
    const state = { greeting: true, paused: deps.pausedAtStart };
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
        pause: () => void (state.paused = true),
        resume: () => void (state.paused = false),
        cork: () => {},
        uncork: () => {},
      } as never,
      maxLinesPerTurn: 32,
      nextTurn: deps.nextTurn,
      greetingShare: () => (state.greeting ? deps.share : null),
      ...(deps.readers ? { readSlots: () => (state.greeting ? (deps.readers as ReadSlots) : null) } : {}),
    });
    return { name, gate, state };
  });
  return { gates, handled };
}

test('connections still greeting share the lines of a turn: the rest wait, paused, and go on in later turns in arrival order', () => {
  const { nextTurn, turn } = manualTurns();
  const share = new TurnShare(2, nextTurn);
  const { gates, handled } = greetingGates(['a', 'b', 'c', 'd'], { share, nextTurn, pausedAtStart: false });

  for (const g of gates) g.gate.feedBytes(Buffer.from(`HELLO ${g.name} tok\nPING\n`));
  // a and b took the turn's two units; once they said HELLO their PING needs none.
  assert.deepEqual(handled, ['a: HELLO a tok', 'a: PING', 'b: HELLO b tok', 'b: PING']);
  assert.deepEqual(gates.map((g) => g.state.paused), [false, false, true, true]);

  turn();
  assert.deepEqual(handled.slice(4), ['c: HELLO c tok', 'c: PING', 'd: HELLO d tok', 'd: PING']);
  assert.deepEqual(gates.map((g) => g.state.paused), [false, false, false, false], 'resumed once their held lines are handled');
});

test('a new connection is read only once it has a reader\'s place; its first bytes give the place to the next; its lines still take units of the greeting share', () => {
  const { nextTurn, turn } = manualTurns();
  const share = new TurnShare(2, nextTurn);
  const readers = new ReadSlots(3, 2_000, () => 0);
  // Accepted paused, as by the listener.
  const { gates, handled } = greetingGates(['a', 'b', 'c', 'd', 'e', 'f'], { share, readers, nextTurn, pausedAtStart: true });

  for (const g of gates) g.gate.start();
  // Three places: a, b and c are read; d, e and f are not read at all.
  assert.deepEqual(gates.map((g) => !g.state.paused), [true, true, true, false, false, false]);
  assert.equal(readers.queued, 3);
  // The places were given long before the HELLOs: all three arrive in one turn, and the greeting
  // share (2 a turn) still bounds how many are handled in it.
  for (const g of gates.slice(0, 3)) g.gate.feedBytes(Buffer.from(`HELLO ${g.name} tok\n`));
  assert.deepEqual(handled, ['a: HELLO a tok', 'b: HELLO b tok']);
  // Their first bytes gave the places to d, e and f, in arrival order.
  assert.deepEqual(gates.map((g) => !g.state.paused), [true, true, false, true, true, true]);
  assert.equal(readers.queued, 0);

  turn();
  assert.deepEqual(handled.slice(2), ['c: HELLO c tok'], 'c goes on in the next turn');
  gates[3]!.gate.feedBytes(Buffer.from('HELLO d tok\nPING\n'));
  assert.deepEqual(handled.slice(3), ['d: HELLO d tok', 'd: PING'], 'once in, a line needs no unit');
  assert.equal(gates[2]!.state.paused, false, 'c resumed once its held line was handled');
});

test('reader places: given in arrival order; a close gives its place or its wait back; an idle reader gives its place up only when others wait', () => {
  let now = 0;
  const slots = new ReadSlots(2, 1_000, () => now);
  const events: string[] = [];
  const holder = (name: string) => ({ admitted: () => void events.push(`${name} admitted`), evicted: () => void events.push(`${name} evicted`) });
  const a = slots.acquire(holder('a'));
  now = 500;
  const b = slots.acquire(holder('b'));
  assert.deepEqual([a.state, b.state], ['reading', 'reading']);
  now = 5_000; // both idle long past 1 s, but nobody waits: nothing happens
  assert.deepEqual(events, []);
  const c = slots.acquire(holder('c'));
  // c waits; the oldest idle reader gives its place up, and c gets it. b keeps its place: nobody else waits.
  assert.deepEqual(events, ['a evicted', 'c admitted']);
  assert.deepEqual([a.state, b.state, c.state], ['done', 'reading', 'reading']);
  assert.equal(slots.readersNow, 2);
  slots.release(b); // b's first bytes
  const d = slots.acquire(holder('d'));
  assert.equal(d.state, 'reading', 'a free place is taken at once');
  const e = slots.acquire(holder('e'));
  const f = slots.acquire(holder('f'));
  assert.deepEqual([e.state, f.state, slots.queued], ['waiting', 'waiting', 2]);
  assert.deepEqual(events.length, 2, 'c and d are not idle yet (the clock has not moved): they keep their places');
  slots.release(e); // e closed while waiting
  assert.equal(slots.queued, 1);
  slots.release(c); // c's first bytes
  assert.deepEqual(events.slice(2), ['f admitted']);
  slots.release(c);
  assert.equal(slots.readersNow, 2, 'a second release of the same ticket changes nothing');
});
