import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestApp } from '../../../helpers/app.js';
import { http } from '../../../helpers/http.js';
import { LineClient } from '../../../helpers/line-client.js';
import { ManualTimers } from '../../../helpers/manual-timers.js';

/**
 * The disk is full: SQLite's max_page_count makes every commit that needs a new page fail with
 * SQLITE_FULL ("database or disk is full"), exactly as a full file system does, without needing one
 * (tmpfs.test.ts does it with a real file system).
 */
function fillDisk(app: { store: { db: { pragma(s: string, o?: { simple: boolean }): unknown } } }): void {
  const pages = Number(app.store.db.pragma('page_count', { simple: true }));
  app.store.db.pragma(`max_page_count = ${pages}`);
}
function freeDisk(app: { store: { db: { pragma(s: string): unknown } } }): void {
  app.store.db.pragma('max_page_count = 1073741823');
}

/** Enough readings of `seq0..` in one write that their commit needs new pages. */
function readings(seq0: number, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `R ${seq0 + i} - a="${'x'.repeat(190)}" b="${'y'.repeat(190)}" v=${i}`);
}

test('disk full: BUSY, nothing ACKed that is not stored, the connection stays open, health degraded, then recovery', async (t) => {
  const timers = new ManualTimers();
  const gw = await startTestApp({ store: { commitDelayMs: 0, busyRetryAfterMs: 7000 } }, timers);
  t.after(() => gw.stop());
  const board = await LineClient.open(gw.port);
  t.after(() => board.socket.destroy());
  board.send('HELLO df-1 secret boot=1 up=0');
  assert.match((await board.next()) ?? '', /^HELLO OK /);
  board.send('R 1 - v=1');
  assert.equal(await board.next(), 'ACK 1');

  const token2 = gw.app.store.devices.add('df-2', timers.now());
  fillDisk(gw.app);
  board.send(...readings(2, 60));
  const { line, before } = await board.until((l) => l.startsWith('BUSY'));
  assert.equal(line, 'BUSY 7000');
  for (const l of before) assert.doesNotMatch(l, /^ACK ([2-9]|\d\d)/, 'a reading that was not stored was acknowledged');
  assert.deepEqual(before.filter((l) => l.startsWith('ERR')), [], 'no ERR INTERNAL');
  assert.equal(gw.app.store.readings.highestSeq('df-1', 1), 1);

  // The connection stays open: the gateway still counts it, and a line after BUSY is discarded
  // without a reply or a close (a PING is answered only on a new connection).
  board.send('PING');
  const probe = await LineClient.open(gw.port);
  t.after(() => probe.socket.destroy());
  probe.send(`HELLO df-2 ${token2} boot=1 up=0`);
  assert.match((await probe.next()) ?? '', /^HELLO OK /);
  probe.send('R 1 - v=1');
  assert.equal(await probe.next(), 'BUSY 7000', 'while the disk is full, a new reading is told BUSY at once');
  // A device registering on first use is told BUSY too (its registration is a write), and held open.
  const newcomer = await LineClient.open(gw.port);
  t.after(() => newcomer.socket.destroy());
  newcomer.send('HELLO df-new secret boot=1 up=0');
  assert.equal(await newcomer.next(), 'BUSY 7000');
  assert.equal(gw.app.store.devices.find('df-new'), undefined, 'nothing half-registered');
  assert.equal(gw.app.tcpConnections, 3);
  assert.equal(board.socket.destroyed, false);

  const health = await http(gw.httpPort, 'GET', '/healthz');
  assert.equal(health.status, 200);
  assert.equal(health.json.result.health, 'degraded');
  assert.equal(health.json.result.reasons[0].code, 'DISK_FULL');
  const status = await http(gw.httpPort, 'GET', '/api/v1/status');
  assert.equal(status.json.result.health.health, 'degraded');
  assert.ok((status.json.result.ingest.limits.DISK_FULL ?? 0) >= 2);

  // Space comes back; after retry-after the board reconnects and learns what is durable.
  freeDisk(gw.app);
  timers.advance(7000);
  board.socket.destroy();
  const again = await LineClient.open(gw.port);
  t.after(() => again.socket.destroy());
  again.send('HELLO df-1 secret boot=1 up=0');
  assert.match((await again.next()) ?? '', /^HELLO OK \d+ 1$/);
  again.send(...readings(2, 60));
  assert.equal((await again.until((l) => l === 'ACK 61')).line, 'ACK 61');
  assert.equal(gw.app.store.readings.highestSeq('df-1', 1), 61);
  assert.equal((await http(gw.httpPort, 'GET', '/healthz')).json.result.health, 'ok');
});

test('disk full: a graceful stop acknowledges what was stored, says BYE and resolves (SIGTERM exits 0)', async (t) => {
  const timers = new ManualTimers();
  const gw = await startTestApp({ store: { commitDelayMs: 0 } }, timers);
  t.after(() => gw.stop());
  const board = await LineClient.open(gw.port);
  t.after(() => board.socket.destroy());
  board.send('HELLO df-3 secret boot=1 up=0');
  assert.match((await board.next()) ?? '', /^HELLO OK /);
  board.send('R 1 - v=1');
  assert.equal(await board.next(), 'ACK 1');
  fillDisk(gw.app);
  board.send(...readings(2, 60));
  assert.match((await board.until((l) => l.startsWith('BUSY'))).line, /^BUSY \d+$/);
  const stopped = gw.app.stop();
  const rest = await board.until((l) => l === 'BYE');
  assert.deepEqual(rest.before.filter((l) => l.startsWith('ACK')), []);
  const devices = await stopped;
  assert.ok(devices.some((d) => d.id === 'df-3'));
});
