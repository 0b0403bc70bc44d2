/**
 * A connection's readings on their own (no socket, no store): a stand-in session says whether the
 * store is busy and holds each accepted reading's commit until the test settles it, a real AckBatch
 * sends the cumulative ACKs, and the connection is a list of what it was asked to do.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AckBatch } from '../../../../gateway/ingest/tcp/ack-batch.js';
import type { ConnectionState } from '../../../../gateway/ingest/tcp/connection-deps.js';
import { Readings } from '../../../../gateway/ingest/tcp/readings.js';
import type { ReadingMessage, Refusal } from '../../../../gateway/protocol/messages.js';
import { reply } from '../../../../gateway/protocol/replies.js';
import type { ReadingOutcome } from '../../../../gateway/store/ops.js';

const reading = (seq: number): ReadingMessage => ({
  verb: 'R',
  seq,
  ts: { kind: 'gateway' },
  fields: { temp_c: seq },
});

function setup(opts: { state?: ConnectionState; backpressured?: boolean } = {}) {
  const events: string[] = [];
  const conn = { state: opts.state ?? 'ready' };
  const store = {
    busy: null as 'buffer' | 'disk' | null,
    refusal: null as Refusal | null,
    backpressured: opts.backpressured ?? false,
  };
  const socket = {
    resume: () => void events.push('resume'),
    destroy: () => void events.push('destroy'),
  };
  const commits = new Map<number, (outcome: ReadingOutcome) => void>();
  // As the connection does: the ACK goes out unless the connection closed.
  const acks = new AckBatch((ack) => {
    if (ack !== null && conn.state !== 'closed') events.push(`send ${reply.ack(ack).trimEnd()}`);
  });
  const readings = new Readings({
    session: {
      busy: () => (store.busy === null ? null : 5000),
      busyReason: () => store.busy,
      screen: () => store.refusal,
      accept: (msg, bytes, now, done) => {
        events.push(`accept ${msg.seq} (${bytes} bytes at ${now})`);
        commits.set(msg.seq, done);
      },
      diskFull: () => {
        events.push('counted disk full');
        return 7000;
      },
    },
    acks,
    flow: {
      unsettled: (count) => void events.push(`unsettled ${count}`),
      endBackpressure: () => {
        const was = store.backpressured;
        store.backpressured = false;
        return was;
      },
    },
    out: { send: (line) => (events.push(`send ${line.trimEnd()}`), true) },
    socket: socket as never,
    deadlines: { helloDone: () => void events.push('helloDone') },
    input: { clear: () => void events.push('input cleared') },
    state: () => conn.state,
    enter: (state) => {
      conn.state = state;
      events.push(`state ${state}`);
    },
    refuse: (r) => void events.push(`refuse ${r.scope} ${r.code}`),
    drain: () => {
      conn.state = 'draining';
      events.push('drain');
    },
  });
  /** Settles the commit of reading `seq`, then lets the ACK's flush (a microtask) run. */
  const commit = async (seq: number, outcome: ReadingOutcome) => {
    const done = commits.get(seq);
    assert.ok(done, `reading ${seq} was accepted`);
    done(outcome);
    await Promise.resolve();
  };
  return { readings, events, conn, store, acks, commit };
}

test('a reading is ACKed only after the commit that holds it (the ACK is cumulative)', async () => {
  const { readings, events, commit } = setup();
  readings.accept(reading(1), 20, 1000);
  readings.accept(reading(2), 20, 1000);
  readings.accept(reading(3), 20, 1001);
  await Promise.resolve();
  assert.deepEqual(events, [
    'accept 1 (20 bytes at 1000)',
    'unsettled 1',
    'accept 2 (20 bytes at 1000)',
    'unsettled 2',
    'accept 3 (20 bytes at 1001)',
    'unsettled 3',
  ]);
  await commit(2, 'stored');
  assert.equal(events.length, 6, 'reading 1 is not committed yet: no ACK passes it');
  await commit(1, 'duplicate'); // a duplicate is durable too
  assert.deepEqual(events.slice(6), ['send ACK 2']);
  await commit(3, 'stored');
  assert.deepEqual(events.slice(7), ['send ACK 3']);
});

test('a failed commit is never ACKed: ERR INTERNAL, the connection is cut', async () => {
  const { readings, events, acks, commit } = setup();
  readings.accept(reading(1), 20, 1000);
  readings.accept(reading(2), 20, 1000);
  await commit(1, 'stored');
  assert.deepEqual(events.slice(4), ['send ACK 1']);
  await commit(2, 'failed');
  assert.deepEqual(events.slice(5), [
    'send ERR INTERNAL store write failed; reconnect and resend',
    'destroy',
  ]);
  assert.equal(acks.unsettled, 1, 'reading 2 stays unsettled: no ACK can pass it');
});

test('a reading the store refuses at its commit (too many gaps in its boot) is NAKed, and the ACK passes it', async () => {
  const { readings, events, acks, commit } = setup();
  readings.accept(reading(1), 20, 1000);
  readings.accept(reading(2), 20, 1000);
  readings.accept(reading(3), 20, 1000);
  await commit(2, 'gaps');
  assert.deepEqual(events.slice(6), ['refuse nak TOO_MANY_GAPS'], 'not ACKed; the connection stays');
  await commit(1, 'stored');
  await commit(3, 'stored');
  // The cumulative ACK covers the NAKed reading as it covers a refusal of the field rules.
  assert.deepEqual(events.slice(7), ['send ACK 2', 'send ACK 3']);
  assert.equal(acks.unsettled, 0);
});

test('a commit that comes in after the connection closed is dropped', async () => {
  const { readings, events, conn, acks, commit } = setup();
  readings.accept(reading(1), 20, 1000);
  readings.accept(reading(2), 20, 1000);
  conn.state = 'closed'; // the socket's close
  await commit(1, 'stored');
  await commit(2, 'full');
  assert.deepEqual(events.slice(4), [], 'no ACK, no disk-full count, no BUSY');
  assert.equal(acks.unsettled, 2);
});

test('disk full: one BUSY, the connection held open (not drained), no later line taken', () => {
  const { readings, events, conn, store } = setup();
  store.busy = 'disk';
  readings.accept(reading(1), 20, 1000);
  readings.accept(reading(2), 20, 1000);
  readings.hold(5000); // a HELLO's registration failing too: still one BUSY
  assert.deepEqual(events, ['state held', 'helloDone', 'input cleared', 'send BUSY 5000']);
  assert.equal(conn.state, 'held');
});

test('disk full at the commit: not ACKed, BUSY once; what was stored before is ACKed', async () => {
  const { readings, events, conn, commit } = setup();
  for (const seq of [1, 2, 3]) readings.accept(reading(seq), 20, 1000);
  await commit(1, 'stored');
  await commit(2, 'full');
  await commit(3, 'full');
  assert.deepEqual(events.slice(6), [
    'send ACK 1',
    'counted disk full',
    'state held',
    'helloDone',
    'input cleared',
    'send BUSY 7000',
    'counted disk full',
  ]);
  assert.equal(conn.state, 'held');
});

test('a held connection reads on (and discards) if backpressure or a HELLO had paused it', () => {
  const quiet = setup();
  quiet.readings.hold(5000);
  assert.ok(!quiet.events.includes('resume'), 'the input gate keeps its socket reading');

  const backpressured = setup({ backpressured: true });
  backpressured.readings.hold(5000);
  assert.equal(backpressured.events.at(-1), 'resume');

  const authenticating = setup({ state: 'authenticating' });
  authenticating.readings.hold(5000);
  assert.equal(authenticating.events.at(-1), 'resume');

  for (const state of ['draining', 'closed'] as const) {
    const ending = setup({ state });
    ending.readings.hold(5000);
    assert.deepEqual(ending.events, [], `no BUSY while ${state}`);
  }
});

test('a full buffer: BUSY, and the connection drains (closes once the ACKs are out)', () => {
  const { readings, events, conn, store } = setup();
  store.busy = 'buffer';
  readings.accept(reading(1), 20, 1000);
  assert.deepEqual(events, ['send BUSY 5000', 'drain']);
  assert.equal(conn.state, 'draining');
});

test('a reading the field rules refuse goes to the refusals, not to the store', () => {
  const { readings, events, store } = setup();
  store.refusal = { scope: 'nak', seq: 4, code: 'OUT_OF_RANGE', text: 'temp_c above 150' };
  readings.accept(reading(4), 20, 1000);
  assert.deepEqual(events, ['refuse nak OUT_OF_RANGE']);
});
