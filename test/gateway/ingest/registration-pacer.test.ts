import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RegistrationPacer } from '../../../gateway/ingest/registration-pacer.js';
import { authenticateDevice, type AuthResult } from '../../../gateway/ingest/device-auth.js';
import { sessionHarness } from './session/harness.js';

test('registration pacer: at most N in flight, the rest start in arrival order as commits answer', () => {
  const pacer = new RegistrationPacer(2);
  const started: number[] = [];
  const finish: (() => void)[] = [];
  for (let i = 0; i < 5; i++) {
    pacer.run((finished) => {
      started.push(i);
      finish.push(finished);
    });
  }
  assert.deepEqual(started, [0, 1]);
  assert.equal(pacer.queued, 3);
  finish[0]!();
  finish[0]!(); // a second call is ignored
  assert.deepEqual(started, [0, 1, 2]);
  finish[1]!();
  finish[2]!();
  assert.deepEqual(started, [0, 1, 2, 3, 4]);
  assert.equal(pacer.queued, 0);
});

test('a burst of new devices: each commit carries at most the pacer\'s share of registrations, and every one is registered', async (t) => {
  const { store, timers, commit } = sessionHarness(t, 'tofu');
  const pacer = new RegistrationPacer(4);
  const answers: AuthResult[] = [];
  for (let i = 0; i < 10; i++) {
    assert.equal(authenticateDevice(store, 'tofu', `new-${i}`, 'tok', timers.now(), (r) => answers.push(r), pacer), null);
  }
  assert.equal(store.committer.pending, 4, 'the first commit carries 4 registrations, the rest wait for it');
  // flush() commits until nothing is queued: each answered registration lets the next one in.
  await commit();
  await commit();
  assert.equal(answers.length, 10);
  assert.ok(answers.every((a) => a.ok && a.registered));
  for (let i = 0; i < 10; i++) assert.ok(store.devices.find(`new-${i}`));
});
