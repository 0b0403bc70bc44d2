import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../../helpers/app.js';
import { LineClient } from '../../helpers/line-client.js';
import { ManualTimers } from '../../helpers/manual-timers.js';

test('T exchanges: offset and round trip land in the device statistics, drift between samples, u<millis> converted with off=', async (t) => {
  const timers = new ManualTimers();
  const gw = await startTestApp({ store: { commitDelayMs: 0 } }, timers);
  t.after(() => gw.stop());
  const c = await LineClient.open(gw.port);
  t.after(() => c.close());
  const now = timers.now();

  c.send('HELLO clocky tok boot=5 up=1000');
  assert.match((await c.next())!, /^HELLO OK/);
  // The board's millis() read 2000 when the gateway's clock read `now` (its Cristian estimate).
  const off1 = now - 2000;
  c.send(`T 2000 rtt=40 off=${off1}`);
  assert.equal(await c.next(), `T 2000 ${now}`);
  c.send('R 1 u2500 x=1');
  assert.equal(await c.next(), 'ACK 1');

  // Two minutes later the board's clock has gained 12 ms on the gateway's: 100 ppm fast.
  timers.advance(60_000);
  c.send('PING'); // a board that reports rarely keeps its link alive (idle timeout 120 s)
  assert.equal(await c.next(), 'PONG');
  timers.advance(60_000);
  const off2 = off1 - 12;
  c.send(`T 122000 rtt=30 off=${off2}`);
  assert.equal(await c.next(), `T 122000 ${now + 120_000}`);
  c.send('PING');
  assert.equal(await c.next(), 'PONG');
  gw.app.store.committer.flush();

  const dev = gw.app.store.devices.get('clocky')!;
  assert.equal(dev.clockEpochMinusMillisMs, off2);
  assert.equal(dev.clockRttMs, 30);
  assert.ok(dev.clockDriftPpm !== null && Math.abs(dev.clockDriftPpm - -100) < 0.01, `drift ${dev.clockDriftPpm} ppm`);
  const row = gw.app.store.db.prepare("SELECT ts, ts_source AS src FROM readings WHERE device = 'clocky' AND seq = 1").get() as { ts: number; src: string };
  assert.deepEqual(row, { ts: off1 + 2500, src: 'uptime' }, 'taken at millis 2500: epoch = millis + off');
});
