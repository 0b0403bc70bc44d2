/**
 * Refusals on their own (no socket, no store): what a TCP connection answers to what it does not
 * take, what comes before HELLO, the run of errors that ends a connection, and the ERR that ends
 * it. The connection is a list of what it was asked to do.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Refusals } from '../../../../gateway/ingest/tcp/refusals.js';
import type { Message, Refusal } from '../../../../gateway/protocol/messages.js';

function setup(opts: { ready?: boolean; maxErrorRun?: number } = {}) {
  const state = { ready: opts.ready ?? true, ending: false };
  const events: string[] = [];
  let tickets = 0;
  const refusals = new Refusals({
    session: {
      refused: (r: Refusal) => void events.push(`counted ${r.code}`),
      closedWith: (code: string) => void events.push(`closedWith ${code}`),
      limit: (name) => void events.push(`limit ${name}`),
    },
    acks: {
      add: (seq) => {
        events.push(`ack.add ${seq}`);
        return ++tickets;
      },
      settle: (ticket, how) => void events.push(`ack.settle ${ticket} ${String(how)}`),
    },
    maxErrorRun: opts.maxErrorRun ?? 3,
    authenticated: () => state.ready,
    ending: () => state.ending,
    send: (line) => void events.push(`send ${line.trimEnd()}`),
    drain: (last) => {
      state.ending = true;
      events.push(`drain ${last.trimEnd()}`);
    },
  });
  return { refusals, events, state };
}

const nak = (seq: number): Refusal => ({ scope: 'nak', seq, code: 'BAD_VALUE', text: 'bad' });
const err: Refusal = { scope: 'err', code: 'UNKNOWN_VERB', text: 'what' };
const NOT_AUTHENTICATED = 'send ERR NOT_AUTHENTICATED send HELLO first';

test('a NAK is counted, settled as rejected (the ACK passes it) and sent; an ERR too', () => {
  const { refusals, events } = setup();
  refusals.refuse(nak(7));
  refusals.refuse(err);
  assert.deepEqual(events, [
    'counted BAD_VALUE',
    'ack.add 7',
    'ack.settle 1 false',
    'send NAK 7 BAD_VALUE bad',
    'counted UNKNOWN_VERB',
    'send ERR UNKNOWN_VERB what',
  ]);
});

test('before HELLO a NAK becomes ERR NOT_AUTHENTICATED, nothing registered for the ACK', () => {
  const { refusals, events } = setup({ ready: false });
  refusals.refuse(nak(7));
  assert.deepEqual(events, ['counted NOT_AUTHENTICATED', NOT_AUTHENTICATED]);
});

test('an ERR whose code closes drains the connection with it, outside the error run', () => {
  const { refusals, events } = setup({ maxErrorRun: 1 });
  refusals.refuse({ scope: 'err', code: 'INTERNAL', text: 'broken' });
  assert.deepEqual(events, ['counted INTERNAL', 'drain ERR INTERNAL broken']);
});

test('maxErrorRun refusals in a row end the connection; a line taken resets the run', () => {
  const { refusals, events } = setup({ maxErrorRun: 3 });
  refusals.refuse(err);
  refusals.refuse(err);
  refusals.parsed(() => {}); // a line that parsed and was taken: the run starts again
  refusals.refuse(err);
  // A line that parsed but was refused itself (a PING before HELLO) does not reset the run.
  refusals.parsed(() => refusals.refuse(err));
  assert.equal(events.some((e) => e.startsWith('drain')), false);
  refusals.refuse(err);
  assert.deepEqual(events.slice(-4), [
    'send ERR UNKNOWN_VERB what',
    'limit TOO_MANY_ERRORS',
    'closedWith TOO_MANY_ERRORS',
    'drain ERR TOO_MANY_ERRORS 3 errors in a row',
  ]);
});

test('closeOnLimit counts the limit and ends the connection with its ERR, once', () => {
  const { refusals, events } = setup();
  refusals.closeOnLimit('IDLE_TIMEOUT', 'no line for 60000 ms');
  refusals.refuseConnection('TAKEN_OVER', 'another connection');
  refusals.closeOnLimit('HELLO_TIMEOUT', 'late');
  assert.deepEqual(events, [
    'limit IDLE_TIMEOUT',
    'closedWith IDLE_TIMEOUT',
    'drain ERR IDLE_TIMEOUT no line for 60000 ms',
    'limit HELLO_TIMEOUT',
  ]);
});

const T: Message = { verb: 'T', millis: 1000 };
const HELLO: Message = { verb: 'HELLO', deviceId: 'd', token: 't' };
const R: Message = { verb: 'R', seq: 1, ts: { kind: 'gateway' }, fields: {} };

test('before HELLO only HELLO, BYE and a first T are taken; the rest: NOT_AUTHENTICATED', () => {
  const { refusals, events } = setup({ ready: false });
  assert.equal(refusals.outOfPlace(HELLO), false);
  assert.equal(refusals.outOfPlace({ verb: 'BYE' }), false);
  assert.equal(refusals.outOfPlace(T), false, 'the first T is answered');
  assert.equal(events.length, 0, 'nothing refused');
  assert.equal(refusals.outOfPlace(T), true, 'a second one waits for authentication');
  assert.equal(refusals.outOfPlace({ verb: 'PING' }), true);
  assert.equal(refusals.outOfPlace(R), true);
  const sent = events.filter((e) => e.startsWith('send'));
  assert.deepEqual(sent, [NOT_AUTHENTICATED, NOT_AUTHENTICATED, NOT_AUTHENTICATED]);
});

test('after HELLO everything but another HELLO (ALREADY_HELLO) is taken, every T', () => {
  const { refusals, events } = setup({ ready: true });
  for (const msg of [T, T, R, { verb: 'PING' }, { verb: 'BYE' }] as Message[]) {
    assert.equal(refusals.outOfPlace(msg), false);
  }
  assert.equal(refusals.outOfPlace(HELLO), true);
  assert.deepEqual(events, [
    'counted ALREADY_HELLO',
    'send ERR ALREADY_HELLO HELLO was already accepted on this connection',
  ]);
});
