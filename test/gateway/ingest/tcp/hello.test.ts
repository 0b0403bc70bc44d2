/**
 * The HELLO exchange on its own (no socket, no store): a stand-in session answers authentication
 * as each test says, manual timers drive the guessing throttle's delay, and the connection is a
 * list of what it was asked to do.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuthResult } from '../../../../gateway/ingest/device-auth.js';
import type { HelloFields, HelloOptions } from '../../../../gateway/ingest/session/session.js';
import { HelloExchange } from '../../../../gateway/ingest/tcp/hello.js';
import type { HelloMessage } from '../../../../gateway/protocol/messages.js';
import { ManualTimers } from '../../../helpers/manual-timers.js';

const HELLO: HelloMessage = { verb: 'HELLO', deviceId: 'dev-1', token: 'secret', boot: 3 };

/** `answer` is what authenticate returns at once (null: deferred; the test calls `answerLater`). */
function setup(answer: AuthResult | null) {
  const timers = new ManualTimers();
  const t0 = timers.now();
  const events: string[] = [];
  const conn = { state: 'greeting' };
  const claimAs = { kick: () => assert.fail('not kicked here') };
  let later: ((result: AuthResult) => void) | null = null;
  const socket = { remoteAddress: '192.0.2.10', pause: () => void events.push('pause') };
  const exchange = new HelloExchange({
    session: {
      authenticate: (device, token, now, then, source) => {
        events.push(`authenticate ${device} ${token} from ${source} at +${now - t0}`);
        later = then;
        return answer;
      },
      hello: (hello: HelloFields, now: number, options: HelloOptions) => {
        const how = `live=${options.live} claimed=${options.claimAs === claimAs}`;
        events.push(`session.hello ${hello.deviceId} at +${now - t0} ${how}`);
        return 42;
      },
      lastStored: () => 7,
      diskFull: () => {
        events.push('counted disk full');
        return 5000;
      },
    },
    timers,
    socket: socket as never,
    deadlines: { helloDone: () => void events.push('helloDone') },
    claimAs,
    authenticating: () => conn.state === 'authenticating',
    enter: (state) => {
      conn.state = state;
      events.push(`state ${state}`);
    },
    send: (line) => void events.push(`send ${line.trimEnd()}`),
    release: (now) => void events.push(`release at +${now - t0}`),
    hold: (retryAfterMs) => void events.push(`hold ${retryAfterMs}`),
    refuseConnection: (code, text) => void events.push(`refuse ${code} ${text}`),
    registered: (device) => void events.push(`log device registered on first use (${device})`),
    connected: (hello, boot) => void events.push(`connected ${hello.deviceId} boot ${boot}`),
  });
  const answerLater = (result: AuthResult) => {
    assert.ok(later, 'authentication was deferred');
    later(result);
  };
  return { exchange, events, conn, timers, t0, answerLater };
}

test('a known device is answered at once: ready, the hello taken and claimed, HELLO OK', () => {
  const { exchange, events, t0 } = setup({ ok: true, registered: false });
  exchange.begin(HELLO, t0);
  assert.deepEqual(events, [
    'authenticate dev-1 secret from 192.0.2.10 at +0',
    'helloDone',
    'state ready',
    'session.hello dev-1 at +0 live=true claimed=true',
    `send HELLO OK ${t0} 7`,
    'connected dev-1 boot 42',
  ]);
});

test('a registration defers the answer: input waits; HELLO OK at the commit, then input', () => {
  const { exchange, events, timers, t0, answerLater } = setup(null);
  exchange.begin(HELLO, t0);
  assert.deepEqual(events.slice(1), ['state authenticating', 'pause']);
  timers.advance(250);
  answerLater({ ok: true, registered: true });
  assert.deepEqual(events.slice(3), [
    'log device registered on first use (dev-1)',
    'helloDone',
    'state ready',
    'session.hello dev-1 at +250 live=true claimed=true',
    `send HELLO OK ${t0 + 250} 7`,
    'connected dev-1 boot 42',
    'release at +250',
  ]);
});

test('an answer after the connection stopped waiting (kick, shutdown, close) is dropped', () => {
  const { exchange, events, conn, t0, answerLater } = setup(null);
  exchange.begin(HELLO, t0);
  conn.state = 'draining';
  const before = events.length;
  answerLater({ ok: true, registered: true });
  answerLater({ ok: false, code: 'AUTH_FAILED', text: 'wrong token', delayMs: 100 });
  assert.equal(events.length, before);
});

test('disk full: BUSY through hold, at once or after the registration', () => {
  const diskFull: AuthResult = { ok: false, diskFull: true, text: 'the disk is full' };
  const now = setup(diskFull);
  now.exchange.begin(HELLO, now.t0);
  assert.deepEqual(now.events.slice(1), ['counted disk full', 'hold 5000']);

  const deferred = setup(null);
  deferred.exchange.begin(HELLO, deferred.t0);
  deferred.answerLater(diskFull);
  assert.deepEqual(deferred.events.slice(3), ['counted disk full', 'hold 5000']);
});

test('a refusal without a delay ends the connection at once, from greeting', () => {
  const { exchange, events, conn, t0 } = setup({ ok: false, code: 'REVOKED', text: 'revoked' });
  exchange.begin(HELLO, t0);
  assert.deepEqual(events.slice(1), ['refuse REVOKED revoked']);
  assert.equal(conn.state, 'greeting');
});

test('a guess is answered after the throttle delay, input held; not if the connection ends', () => {
  const guess: AuthResult = { ok: false, code: 'AUTH_FAILED', text: 'wrong token', delayMs: 1000 };
  const a = setup(guess);
  a.exchange.begin(HELLO, a.t0);
  assert.deepEqual(a.events.slice(1), ['state authenticating', 'pause', 'helloDone']);
  a.timers.advance(999);
  assert.equal(a.events.length, 4, 'not answered before the delay');
  a.timers.advance(1);
  assert.deepEqual(a.events.slice(4), ['state greeting', 'refuse AUTH_FAILED wrong token']);

  const b = setup(guess);
  b.exchange.begin(HELLO, b.t0);
  b.conn.state = 'draining'; // shut down or kicked during the delay
  b.timers.advance(1000);
  assert.equal(b.events.length, 4);
});

test('a registration refused at its commit: greeting again, refused now or after the delay', () => {
  const at = setup(null);
  at.exchange.begin(HELLO, at.t0);
  at.answerLater({ ok: false, code: 'INTERNAL', text: 'store write failed' });
  assert.deepEqual(at.events.slice(3), ['state greeting', 'refuse INTERNAL store write failed']);

  const delayed = setup(null);
  delayed.exchange.begin(HELLO, delayed.t0);
  delayed.answerLater({ ok: false, code: 'UNKNOWN_DEVICE', text: 'unknown', delayMs: 500 });
  const waiting = ['state greeting', 'state authenticating', 'pause', 'helloDone'];
  assert.deepEqual(delayed.events.slice(3), waiting);
  delayed.timers.advance(500);
  assert.deepEqual(delayed.events.slice(7), ['state greeting', 'refuse UNKNOWN_DEVICE unknown']);
});
