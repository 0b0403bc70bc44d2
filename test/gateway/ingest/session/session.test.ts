import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuthResult } from '../../../../gateway/ingest/device-auth.js';
import { IngestSession } from '../../../../gateway/ingest/session/session.js';
import type { ErrCode } from '../../../../gateway/protocol/codes.js';
import type { ReadingMessage } from '../../../../gateway/protocol/messages.js';
import type { ReadingOutcome } from '../../../../gateway/store/ops.js';
import { sessionHarness } from './harness.js';

/**
 * The device session without sockets: a real Store in a temp dir, manual timers, commits run by
 * the test. What every transport relies on: authentication (at once, or after the registration's
 * commit), boots, the clock anchor, BUSY, acceptance and duplicates, refusals and statistics.
 */

const reading = (seq: number, ts: ReadingMessage['ts'] = { kind: 'gateway' }): ReadingMessage => ({ verb: 'R', seq, ts, fields: { temp_c: 21.5 } });

/** A kick-able stand-in for a transport connection. */
function claimant() {
  const kicks: { code: ErrCode; text: string }[] = [];
  return { kicks, kick: (code: ErrCode, text: string) => kicks.push({ code, text }) };
}

test('tofu: a new device is registered on the commit and answered after it; the token is bound from then on', async (t) => {
  const { ctx, store, timers, commit } = sessionHarness(t, 'tofu');
  const session = new IngestSession(ctx);
  const answers: AuthResult[] = [];
  assert.equal(session.authenticate('dev-1', 'secret', timers.now(), (r) => answers.push(r)), null, 'deferred: the registration is a write');
  assert.deepEqual(answers, [], 'not answered before the commit');
  await commit();
  assert.deepEqual(answers, [{ ok: true, registered: true }]);
  assert.ok(store.devices.find('dev-1'));

  // Known now: answered at once, and a wrong token is refused (and counted for the device).
  const again = new IngestSession(ctx);
  assert.deepEqual(again.authenticate('dev-1', 'secret', timers.now(), () => assert.fail('not deferred')), { ok: true, registered: false });
  const wrong = again.authenticate('dev-1', 'other', timers.now(), () => assert.fail('not deferred'));
  assert.equal(wrong?.ok, false);
  assert.equal(wrong !== null && 'code' in wrong && wrong.code, 'AUTH_FAILED');
  await commit();
  assert.deepEqual(store.devices.get('dev-1')?.errors, { AUTH_FAILED: 1 });
});

test('required: an unknown device is refused at once; a revoked one too', async (t) => {
  const { ctx, store, timers, commit } = sessionHarness(t, 'required');
  const session = new IngestSession(ctx);
  const unknown = session.authenticate('nobody', 'x', timers.now(), () => assert.fail('not deferred'));
  assert.equal(unknown !== null && 'code' in unknown && unknown.code, 'UNKNOWN_DEVICE');
  const token = store.devices.add('dev-2', timers.now());
  assert.deepEqual(session.authenticate('dev-2', token, timers.now(), () => assert.fail('not deferred')), { ok: true, registered: false });
  store.devices.revoke('dev-2', timers.now());
  const revoked = session.authenticate('dev-2', token, timers.now(), () => assert.fail('not deferred'));
  assert.deepEqual(revoked, { ok: false, code: 'REVOKED', text: 'device was revoked' });
  await commit();
});

test('hello: boot from the board, or a fresh one not used before; last= is the highest stored seq of that boot', async (t) => {
  const { ctx, store, timers, commit } = sessionHarness(t, 'off');
  store.devices.add('dev-3', timers.now()); // the registry row statistics land in
  const first = new IngestSession(ctx);
  assert.equal(first.hello({ deviceId: 'dev-3', boot: 7, board: 'esp8266', fw: '1.2' }, timers.now(), { live: true, connects: true }), 7);
  const outcomes: ReadingOutcome[] = [];
  for (const seq of [1, 2, 3]) first.accept(reading(seq), 20, timers.now(), (o) => outcomes.push(o));
  await commit();
  assert.deepEqual(outcomes, ['stored', 'stored', 'stored']);

  const second = new IngestSession(ctx);
  second.hello({ deviceId: 'dev-3', boot: 7 }, timers.now(), { live: true, connects: true });
  assert.equal(second.lastStored(), 3, 'the board resumes after seq 3');

  const fresh = new IngestSession(ctx);
  const boot = fresh.hello({ deviceId: 'dev-3' }, timers.now(), { live: true, connects: true });
  assert.notEqual(boot, 7, 'a board without boot= never lands in a boot that holds readings');
  assert.ok(boot >= 1 && boot <= 0xffffffff);
  assert.equal(fresh.lastStored(), 0);
  await commit();
  const stats = store.devices.get('dev-3');
  assert.equal(stats?.connects, 3);
  assert.equal(stats?.board, 'esp8266');
  assert.equal(stats?.fw, '1.2');
});

test('a reading sent twice is stored once: the second is a duplicate, and both are acknowledgeable', async (t) => {
  const { ctx, store, timers, commit } = sessionHarness(t, 'off');
  store.devices.add('dev-4', timers.now()); // the registry row statistics land in
  const session = new IngestSession(ctx);
  session.hello({ deviceId: 'dev-4', boot: 1 }, timers.now(), { live: true, connects: true });
  const outcomes: ReadingOutcome[] = [];
  session.accept(reading(1), 20, timers.now(), (o) => outcomes.push(o));
  await commit();
  session.accept(reading(1), 20, timers.now(), (o) => outcomes.push(o));
  await commit();
  assert.deepEqual(outcomes, ['stored', 'duplicate']);
  assert.equal(ctx.counters.readingsAccepted, 2);
  assert.equal(store.readings.count(), 1);
  assert.throws(() => new IngestSession(ctx).accept(reading(2), 20, timers.now(), () => {}), /before the device and boot are known/);
});

test('BUSY: with the buffer full the session answers the retry-after time, counted, the limit logged once', async (t) => {
  const { ctx, store, timers, warned, commit } = sessionHarness(t, 'off', { maxBufferRows: 2 });
  store.devices.add('dev-5', timers.now());
  store.useSinks(['csv']); // a sink that has delivered nothing: every stored row is buffered
  const session = new IngestSession(ctx);
  session.hello({ deviceId: 'dev-5', boot: 1 }, timers.now(), { live: true, connects: true });
  assert.equal(session.busy(), null);
  session.accept(reading(1), 20, timers.now(), () => {});
  session.accept(reading(2), 20, timers.now(), () => {});
  await commit();
  assert.equal(session.busy(), 5000);
  assert.equal(session.busy(), 5000);
  assert.equal(ctx.counters.busyReplies, 2);
  assert.equal(ctx.counters.limits.get('BUSY'), 2);
  assert.deepEqual(
    warned.map((w) => w.fields.limit),
    ['BUSY'],
    'logged once per session',
  );
});

test('refusals are counted by code, and in the device statistics once the device is known', async (t) => {
  const { ctx, store, timers, commit } = sessionHarness(t, 'off');
  store.devices.add('dev-6', timers.now()); // the registry row statistics land in
  const session = new IngestSession(ctx);
  session.refused({ scope: 'err', code: 'NOT_AUTHENTICATED', text: 'send HELLO first' });
  session.hello({ deviceId: 'dev-6', boot: 1 }, timers.now(), { live: true, connects: true });
  session.refused({ scope: 'nak', seq: 4, code: 'BAD_VALUE', text: 'x' });
  session.refused({ scope: 'nak', seq: 5, code: 'BAD_VALUE', text: 'x' });
  session.refused({ scope: 'err', code: 'UNKNOWN_VERB', text: 'x' });
  session.closedWith('IDLE_TIMEOUT');
  await commit();
  assert.deepEqual(Object.fromEntries(ctx.counters.naks), { BAD_VALUE: 2 });
  assert.deepEqual(Object.fromEntries(ctx.counters.errors), { NOT_AUTHENTICATED: 1, UNKNOWN_VERB: 1, IDLE_TIMEOUT: 1 });
  assert.deepEqual(store.devices.get('dev-6')?.errors, { BAD_VALUE: 2, UNKNOWN_VERB: 1 });
});

test('statistics: a connection ends with its connected time, non-reading bytes and last line', async (t) => {
  const { ctx, store, timers, commit } = sessionHarness(t, 'off');
  store.devices.add('dev-7', timers.now()); // the registry row statistics land in
  const session = new IngestSession(ctx);
  const start = timers.now();
  const self = claimant();
  session.hello({ deviceId: 'dev-7', boot: 1 }, start, { live: true, connects: true, claimAs: self });
  session.received(100);
  session.accept(reading(1), 30, start, () => {});
  timers.advance(60_000);
  session.end(timers.now(), start + 1000, self);
  await commit();
  const stats = store.devices.get('dev-7');
  assert.equal(stats?.connectedMs, 60_000);
  assert.equal(stats?.bytes, 100 - 30 + 30, 'bytes: the reading (30, counted by the store) and the rest (70)');
  assert.equal(stats?.lastSeen, start + 1000);
  assert.equal(ctx.sessions.size, 0, 'released');
});

test('a second live hello of the device kicks the first session (taken over); a retained one claims nothing', (t) => {
  const { ctx, timers } = sessionHarness(t, 'off');
  const a = claimant();
  const b = claimant();
  const c = claimant();
  new IngestSession(ctx).hello({ deviceId: 'dev-8', boot: 1 }, timers.now(), { live: true, connects: true, claimAs: a });
  new IngestSession(ctx).hello({ deviceId: 'dev-8', boot: 1 }, timers.now(), { live: false, connects: false, claimAs: c });
  assert.equal(a.kicks.length, 0, "a retained hello kicks no one");
  new IngestSession(ctx).hello({ deviceId: 'dev-8', boot: 1 }, timers.now(), { live: true, connects: true, claimAs: b });
  assert.deepEqual(a.kicks.map((k) => k.code), ['TAKEN_OVER']);
  assert.deepEqual(b.kicks, []);
});

test('clock anchor: HELLO up= maps u<millis> readings; a board estimate (T off=) wins and lands in the statistics; a new boot starts afresh', async (t) => {
  const { ctx, store, timers, commit } = sessionHarness(t, 'off');
  store.devices.add('dev-9', timers.now()); // the registry row statistics land in
  const session = new IngestSession(ctx);
  const at = timers.now();
  session.hello({ deviceId: 'dev-9', boot: 1, up: 10_000 }, at, { live: true, connects: true });
  session.accept(reading(1, { kind: 'uptime', millis: 12_000 }), 20, at + 5000, () => {});
  session.timeRequest({ verb: 'T', millis: 20_000, off: at - 9_000, rtt: 40 }, at + 10_000);
  session.accept(reading(2, { kind: 'uptime', millis: 21_000 }), 20, at + 11_000, () => {});
  // A retained (not live) hello does not anchor: its up= says nothing about now.
  const old = new IngestSession(ctx);
  old.hello({ deviceId: 'dev-9', boot: 1, up: 0 }, at, { live: false, connects: false });
  assert.equal(old.anchor.current, null);
  await commit();
  const rows = store.readings.after(0, 10);
  assert.equal(rows[0]?.ts, at + 2000);
  assert.equal(rows[0]?.tsSource, 'uptime');
  assert.equal(rows[1]?.ts, at - 9_000 + 21_000, 'the board estimate replaced the HELLO anchor');
  const stats = store.devices.get('dev-9');
  assert.equal(stats?.clockEpochMinusMillisMs, at - 9_000);
  assert.equal(stats?.clockRttMs, 40);

  session.useBoot(2);
  assert.equal(session.anchor.current, null, 'millis() restarted with the boot');
});
