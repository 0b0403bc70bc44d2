import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TcpIngest } from '../../../../gateway/ingest/tcp/server.js';
import { TurnShare } from '../../../../gateway/ingest/turn-share.js';
import { ReadSlots } from '../../../../gateway/ingest/read-slots.js';
import type { TcpLimits } from '../../../../gateway/ingest/tcp/connection-deps.js';
import { sessionHarness } from '../session/harness.js';
import { LineClient } from '../../../helpers/line-client.js';

const LIMITS: TcpLimits = {
  maxLineBytes: 256,
  helloTimeoutMs: 60_000,
  idleTimeoutMs: 60_000,
  maxUnackedPerConnection: 100,
  maxErrorRun: 5,
  maxWriteBufferBytes: 4096,
  maxLinesPerSecond: 100,
  lineBurst: 100,
  overBudgetCloseMs: 600_000,
  maxLinesPerTurn: 32,
  slowReaderTimeoutMs: 30_000,
};

/** Starts `tcp`; the clients the test opens (pushed to `clients`) and the listener end with the test. */
async function listening(t: { after(fn: () => Promise<void>): void }, tcp: TcpIngest): Promise<{ port: number; clients: LineClient[] }> {
  const { port } = await tcp.start();
  const clients: LineClient[] = [];
  t.after(async () => {
    for (const c of clients) c.socket.destroy();
    tcp.beginStop();
    await tcp.closed(1000);
  });
  return { port, clients };
}

test('a burst of connections is set up a few per event-loop turn; every one is served, in full, and over the limit still refused', async (t) => {
  const h = sessionHarness(t, 'required');
  const n = 40;
  const tokens = Array.from({ length: n }, (_, i) => h.store.devices.add(`burst-${i}`, h.timers.now()));
  const tcp = new TcpIngest({ host: '127.0.0.1', port: 0, maxConnections: n, acceptsPerTurn: 3 }, { ...h.ctx, limits: LIMITS, timers: h.timers });
  const { port, clients } = await listening(t, tcp);
  const opened = await Promise.all(Array.from({ length: n }, () => LineClient.open(port)));
  clients.push(...opened);
  opened.forEach((c, i) => c.send(`HELLO burst-${i} ${tokens[i]} boot=1`, 'PING'));
  const replies = await Promise.all(opened.map(async (c) => [await c.next(20_000), await c.next(20_000)]));
  for (const [hello, pong] of replies) {
    assert.match(hello ?? 'closed', /^HELLO OK \d+ 0$/);
    assert.equal(pong, 'PONG');
  }
  assert.equal(tcp.connectionCount, n);
  const extra = await LineClient.open(port);
  clients.push(extra);
  assert.match((await extra.next(20_000)) ?? 'closed', /^ERR TOO_MANY_CONNECTIONS /);
});

test('with a greeting share of one line per turn, a burst of HELLOs is served in full and a board already in is answered meanwhile', async (t) => {
  const h = sessionHarness(t, 'required');
  const n = 30;
  const tokens = Array.from({ length: n }, (_, i) => h.store.devices.add(`greet-${i}`, h.timers.now()));
  const share = new TurnShare(1, (fn) => setImmediate(fn));
  const tcp = new TcpIngest({ host: '127.0.0.1', port: 0, maxConnections: n + 1 }, { ...h.ctx, limits: LIMITS, timers: h.timers, greetings: share });
  const { port, clients } = await listening(t, tcp);
  // A board that is already in: its readings never wait for the greeting share.
  const healthy = await LineClient.open(port);
  clients.push(healthy);
  healthy.send(`HELLO greet-0 ${tokens[0]} boot=1`);
  assert.match((await healthy.next(20_000)) ?? 'closed', /^HELLO OK /);
  const opened = await Promise.all(Array.from({ length: n - 1 }, () => LineClient.open(port)));
  clients.push(...opened);
  opened.forEach((c, i) => c.send(`HELLO greet-${i + 1} ${tokens[i + 1]} boot=1`, 'PING'));
  healthy.send('PING');
  const replies = await Promise.all(opened.map(async (c) => [await c.next(20_000), await c.next(20_000)]));
  for (const [hello, after] of replies) {
    assert.match(hello ?? 'closed', /^HELLO OK \d+ 0$/);
    assert.equal(after, 'PONG');
  }
  assert.equal(await healthy.next(20_000), 'PONG');
  assert.equal(share.queued, 0);
});

test('with one reader place, a burst that connects first and then sends every HELLO is served in full, one socket read at a time', async (t) => {
  const h = sessionHarness(t, 'required');
  const n = 30;
  const tokens = Array.from({ length: n }, (_, i) => h.store.devices.add(`place-${i}`, h.timers.now()));
  const readers = new ReadSlots(1, 60_000, () => h.timers.now());
  const tcp = new TcpIngest({ host: '127.0.0.1', port: 0, maxConnections: n }, { ...h.ctx, limits: LIMITS, timers: h.timers, readers });
  const { port, clients } = await listening(t, tcp);
  const opened = await Promise.all(Array.from({ length: n }, () => LineClient.open(port)));
  clients.push(...opened);
  // Every connection is set up before anything is sent: one has the place, the rest wait unread.
  for (let turns = 0; tcp.connectionCount < n && turns < 100_000; turns++) await new Promise((r) => setImmediate(r));
  assert.equal(tcp.connectionCount, n);
  assert.equal(readers.readersNow, 1);
  assert.equal(readers.queued, n - 1);
  opened.forEach((c, i) => c.send(`HELLO place-${i} ${tokens[i]} boot=1`, 'PING'));
  const replies = await Promise.all(opened.map(async (c) => [await c.next(20_000), await c.next(20_000)]));
  for (const [hello, after] of replies) {
    assert.match(hello ?? 'closed', /^HELLO OK \d+ 0$/);
    assert.equal(after, 'PONG');
  }
  assert.deepEqual([readers.readersNow, readers.queued], [0, 0], 'every place was passed on');
});
