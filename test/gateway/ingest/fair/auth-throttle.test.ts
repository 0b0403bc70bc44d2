import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { test } from 'node:test';
import { AuthThrottle, type AuthThrottleSettings } from '../../../../gateway/ingest/auth-throttle.js';
import { startTestApp } from '../../../helpers/app.js';
import { LineClient } from '../../../helpers/line-client.js';
import { ManualTimers } from '../../../helpers/manual-timers.js';
import { waitFor } from '../../../helpers/wait.js';

const SETTINGS: AuthThrottleSettings = { freeFailures: 3, baseDelayMs: 250, maxDelayMs: 8000, maxFailures: 10, lockoutMs: 300_000, forgetAfterMs: 900_000, maxKeys: 100 };

test('the throttle: free failures, a doubling delay up to the cap, a lockout, reset on success, forgetting, bounded keys', () => {
  const t = new AuthThrottle(SETTINGS);
  const delays: number[] = [];
  for (let i = 0; i < 9; i++) delays.push(t.failed('10.0.0.1', 'dev', 1000));
  assert.deepEqual(delays, [0, 0, 0, 250, 500, 1000, 2000, 4000, 8000]);
  assert.equal(t.check('10.0.0.1', 'other', 1000).throttled, false);
  t.failed('10.0.0.1', 'dev', 1000);
  assert.deepEqual(t.check('10.0.0.1', 'other', 2000), { throttled: true, retryAfterMs: 299_000, key: 'address' });
  assert.deepEqual(t.check('10.9.9.9', 'dev', 2000), { throttled: true, retryAfterMs: 299_000, key: 'device' });
  assert.equal(t.check('::ffff:10.0.0.1', 'x', 2000).throttled, true, 'IPv4-mapped is the same address');
  assert.equal(t.check('10.0.0.1', 'dev', 301_000).throttled, false, 'the lockout ends');
  t.succeeded('10.0.0.1', 'dev');
  assert.equal(t.failed('10.0.0.1', 'dev', 302_000), 0, 'a success resets the count');
  const f = new AuthThrottle(SETTINGS);
  for (let i = 0; i < 5; i++) f.failed('10.0.0.2', 'd2', 0);
  assert.equal(f.failed('10.0.0.2', 'd2', 900_000), 0, 'failures are forgotten after forgetAfterMs');
  const b = new AuthThrottle(SETTINGS);
  for (let i = 0; i < 500; i++) b.failed(`10.1.${i >> 8}.${i & 255}`, `d${i}`, 0);
  assert.ok(b.size <= 100);
});

/** A raw board from a chosen loopback address (127.0.0.2 is as local as 127.0.0.1 on Linux). */
async function from(localAddress: string, port: number): Promise<{ send(l: string): void; reply(): Promise<string>; got: () => string; close(): void }> {
  const socket = connect({ host: '127.0.0.1', port, localAddress });
  await once(socket, 'connect');
  let text = '';
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => (text += d));
  socket.on('error', () => {});
  return {
    send: (l) => socket.write(`${l}\n`),
    got: () => text,
    async reply() {
      await waitFor(() => text.includes('\n'), 'a reply');
      return text.split('\n')[0] as string;
    },
    close: () => socket.destroy(),
  };
}

test('TCP token guessing: answers slow down, then AUTH_THROTTLED for the address and the device id, counted; a success resets', async (t) => {
  const timers = new ManualTimers();
  const gw = await startTestApp({ store: { commitDelayMs: 0 } }, timers);
  t.after(() => gw.stop());
  const owner = await LineClient.open(gw.port);
  owner.send('HELLO vault-1 right-token boot=1 up=0');
  assert.match((await owner.next()) ?? '', /^HELLO OK /);
  owner.socket.destroy();

  const limit = (name: string) => gw.app.counters.limits.get(name as never) ?? 0;
  let expectedDelay = 0;
  for (let i = 1; i <= 10; i++) {
    const guesser = await from('127.0.0.1', gw.port);
    guesser.send(`HELLO vault-1 guess-${i} boot=1 up=0`);
    expectedDelay = new AuthThrottle(SETTINGS).delayFor(i);
    if (expectedDelay > 0) {
      // The refusal waits for the throttle's delay (on the injected clock): nothing is answered before it.
      await waitFor(() => limit('AUTH_DELAYED') === i - 3, `failure ${i} to be recorded`);
      assert.equal(guesser.got(), '', `failure ${i} was answered before its delay`);
      timers.advance(expectedDelay);
    }
    assert.equal(await guesser.reply(), 'ERR AUTH_FAILED wrong token for this device');
    guesser.close();
  }
  assert.equal(expectedDelay, 8000, 'the delay doubled up to the cap');

  // Locked: the same address is refused at once even with the right token, and so is the device id
  // from another address.
  const same = await from('127.0.0.1', gw.port);
  same.send('HELLO vault-1 right-token boot=1 up=0');
  assert.match(await same.reply(), /^ERR AUTH_THROTTLED retry-after=292000 too many failed authentications for this address$/);
  same.close();
  const other = await from('127.0.0.2', gw.port);
  other.send('HELLO vault-1 right-token boot=1 up=0');
  assert.match(await other.reply(), /^ERR AUTH_THROTTLED retry-after=\d+ too many failed authentications for this device id/);
  other.close();
  assert.equal(limit('AUTH_THROTTLED'), 2);
  assert.equal(gw.app.counters.errors.get('AUTH_THROTTLED'), 2);
  await waitFor(() => gw.app.store.committer.pending === 0, 'statistics committed');
  const stats = gw.app.store.devices.list().find((d) => d.id === 'vault-1');
  assert.equal(stats?.errors.AUTH_FAILED, 10);
  assert.equal(stats?.errors.AUTH_THROTTLED, 2);

  // The lockout ends; the right token is accepted and resets the count (the next failure is free).
  timers.advance(300_000);
  const back = await LineClient.open(gw.port);
  t.after(() => back.socket.destroy());
  back.send('HELLO vault-1 right-token boot=1 up=0');
  assert.match((await back.next()) ?? '', /^HELLO OK /);
  const again = await from('127.0.0.1', gw.port);
  again.send('HELLO vault-1 wrong boot=1 up=0');
  assert.equal(await again.reply(), 'ERR AUTH_FAILED wrong token for this device');
  again.close();
});
