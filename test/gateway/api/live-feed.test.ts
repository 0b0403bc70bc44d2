import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import type { FeedSocket } from '../../../gateway/api/feed/live-feed.js';
import type { UpdateMessage } from '../../../gateway/api/feed/messages.js';
import { startTestApp, type TestApp } from '../../helpers/app.js';
import { LineClient } from '../../helpers/line-client.js';
import { ManualTimers } from '../../helpers/manual-timers.js';
import { waitFor } from '../../helpers/wait.js';

/** A dashboard stand-in: a WebSocket client that keeps every message it receives. */
class FeedClient {
  readonly messages: any[] = [];
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => this.messages.push(JSON.parse(String(d))));
  }

  static async open(port: number): Promise<FeedClient> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/live`, ['sheetlog.v1']);
    const c = new FeedClient(ws);
    await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
    return c;
  }

  updates(): UpdateMessage[] {
    return this.messages.filter((m) => m.type === 'update');
  }

  async waitFor<T>(pick: (m: any) => T | undefined, what: string): Promise<T> {
    let found: T | undefined;
    await waitFor(() => this.messages.some((m) => (found = pick(m)) !== undefined), what);
    return found as T;
  }

  send(msg: unknown): void {
    this.ws.send(JSON.stringify(msg));
  }

  /**
   * Resolves once the gateway has handled everything sent so far: messages are handled in order,
   * and a message that is not a feed message is answered with an error at once.
   */
  async barrier(): Promise<void> {
    const before = this.messages.filter((m) => m.type === 'error').length;
    this.ws.send('barrier');
    await waitFor(() => this.messages.filter((m) => m.type === 'error').length > before, 'the barrier reply');
  }

  close(): void {
    this.ws.terminate();
  }
}

async function manualGateway(t: { after(fn: () => unknown): void }): Promise<{ gw: TestApp; timers: ManualTimers }> {
  const timers = new ManualTimers(Date.now());
  // Commits on the next event-loop turn (no timer), so only the feed and the rate meter wait for `advance`.
  const gw = await startTestApp({ store: { commitDelayMs: 0 }, http: { feedIntervalMs: 500 }, csv: { timeZone: 'UTC' } }, timers);
  t.after(() => gw.stop());
  return { gw, timers };
}

async function board(gw: TestApp, id: string, hello = `HELLO ${id} tok boot=5 fw=3.0 board=feather-m0`): Promise<LineClient> {
  const c = await LineClient.open(gw.port);
  c.send(hello);
  assert.match((await c.next())!, /^HELLO OK /);
  return c;
}

test('a new client gets a hello, an update at once, then updates only when the interval passes, coalesced', async (t) => {
  const { gw, timers } = await manualGateway(t);
  const feed = await FeedClient.open(gw.httpPort);
  t.after(() => feed.close());
  const hello = await feed.waitFor((m) => (m.type === 'hello' ? m : undefined), 'hello');
  assert.deepEqual(hello.tailColumns, ['time', 'device', 'sensor', 'value', 'seq', 'boot', 'time source', 'received', 'unit']);
  assert.equal(hello.feedIntervalMs, 500);
  const first = await feed.waitFor((m) => (m.type === 'update' ? (m as UpdateMessage) : undefined), 'first update');
  assert.deepEqual(first.fleet, { total: 0, connected: 0, seen: 0, silent: 0, never: 0, revoked: 0 });
  assert.deepEqual(first.devices, { total: 0, matched: 0, rows: [] });

  const c = await board(gw, 'ferm-1');
  t.after(() => c.close());
  for (let seq = 1; seq <= 200; seq++) c.send(`R ${seq} 1795232400000 temp_c=${seq} ok=true`);
  await c.until((l) => l === 'ACK 200');
  assert.equal(feed.updates().length, 1, 'no update before the interval passes, however many readings');

  timers.advance(500);
  const second = await feed.waitFor((m) => (m.type === 'update' && m !== first ? (m as UpdateMessage) : undefined), 'second update');
  assert.equal(feed.updates().length, 2);
  assert.equal(second.fleet.connected, 1);
  assert.deepEqual(second.devices!.rows.map((r) => [r.id, r.status, r.board, r.fw, r.readings]), [['ferm-1', 'connected', 'feather-m0', '3.0', 200]]);
  // The tail: the newest 50 rows (two per reading) as the CSV sink writes them, oldest first.
  assert.equal(second.tail!.length, 50);
  assert.deepEqual(second.tail![49], ['2026-11-21 03:40:00.000', 'ferm-1', 'ok', true, 200, 5, 'device', second.tail![49]![7], '']);
  assert.match(String(second.tail![49]![7]), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
  assert.deepEqual(second.tail![48]!.slice(2, 5), ['temp_c', 200, 200]);
  assert.deepEqual(second.status.listeners.tcp, { host: '127.0.0.1', port: gw.port });

  // Nothing new: the next update carries no tail and no device page (both unchanged).
  timers.advance(500);
  const third = await feed.waitFor((m) => (m.type === 'update' && m !== first && m !== second ? (m as UpdateMessage) : undefined), 'third update');
  assert.equal(third.tail, undefined);
  assert.equal(third.devices, undefined);
});

test('view asks for a filtered, sorted, limited page of the device table', async (t) => {
  const { gw, timers } = await manualGateway(t);
  const boards = await Promise.all(['b-3', 'a-1', 'c-2', 'x-9'].map((id) => board(gw, id)));
  t.after(() => boards.forEach((b) => b.close()));
  boards.forEach((b, i) => b.send(...Array.from({ length: i + 1 }, (_, k) => `R ${k + 1} - v=${k}`)));
  await Promise.all(boards.map((b, i) => b.until((l) => l === `ACK ${i + 1}`)));
  const feed = await FeedClient.open(gw.httpPort);
  t.after(() => feed.close());
  await feed.waitFor((m) => (m.type === 'update' ? m : undefined), 'first update');

  feed.send({ type: 'view', filter: '-', sort: 'readings', desc: true, limit: 2 });
  feed.send({ type: 'bogus' });
  const error = await feed.waitFor((m) => (m.type === 'error' ? m : undefined), 'an error for the bogus message');
  assert.match(error.reason, /not a feed message/);
  timers.advance(500);
  const page = await feed.waitFor((m) => (m.type === 'update' && m.devices?.rows.length === 2 ? (m as UpdateMessage).devices : undefined), 'the page');
  assert.deepEqual(page, { total: 4, matched: 4, rows: page!.rows });
  assert.deepEqual(page!.rows.map((r) => [r.id, r.readings]), [['x-9', 4], ['c-2', 3]]);

  feed.send({ type: 'view', filter: 'A-1', sort: 'id', desc: false, limit: 10 });
  await feed.barrier();
  timers.advance(500);
  const filtered = await feed.waitFor((m) => (m.type === 'update' && m.devices?.matched === 1 ? (m as UpdateMessage).devices : undefined), 'filtered page');
  assert.deepEqual(filtered!.rows.map((r) => r.id), ['a-1']);
});

test('watch sends the device history once, then only its new readings', async (t) => {
  const { gw, timers } = await manualGateway(t);
  const c = await board(gw, 'probe');
  const other = await board(gw, 'other');
  t.after(() => (c.close(), other.close()));
  c.send('R 1 1795232400000 t=1', 'R 2 1795232401000 t=2');
  await c.until((l) => l === 'ACK 2');
  const feed = await FeedClient.open(gw.httpPort);
  t.after(() => feed.close());
  await feed.waitFor((m) => (m.type === 'update' ? m : undefined), 'first update');

  feed.send({ type: 'watch', device: 'probe' });
  await feed.barrier();
  timers.advance(500);
  const history = await feed.waitFor((m) => (m.type === 'update' && m.chart ? m.chart : undefined), 'history');
  assert.deepEqual(history, { device: 'probe', reset: true, points: [[1795232400000, { t: 1 }], [1795232401000, { t: 2 }]] });

  c.send('R 3 1795232402000 t=3');
  other.send('R 1 1795232402000 t=99');
  await c.until((l) => l === 'ACK 3');
  await other.until((l) => l === 'ACK 1');
  timers.advance(500);
  const fresh = await feed.waitFor((m) => (m.type === 'update' && m.chart && !m.chart.reset ? m.chart : undefined), 'fresh points');
  assert.deepEqual(fresh, { device: 'probe', reset: false, points: [[1795232402000, { t: 3 }]] });

  feed.send({ type: 'watch', device: null });
  await feed.barrier();
  timers.advance(500);
  await feed.waitFor((m) => (m.type === 'update' && m.chart === null ? true : undefined), 'chart cleared');
});

/** A feed socket whose send buffer the test controls. */
class FakeSocket implements FeedSocket {
  bufferedAmount = 0;
  readonly sent: string[] = [];
  terminated = false;
  send(data: string): void {
    this.sent.push(data);
  }
  ping(): void {}
  close(): void {}
  terminate(): void {
    this.terminated = true;
  }
  on(): this {
    return this;
  }
}

test('a client that does not read is skipped, then dropped, and ingest goes on', async (t) => {
  const { gw } = await manualGateway(t);
  const feed = gw.app.api!.feed;
  const max = gw.config.http.maxClientBufferBytes;
  const slow = new FakeSocket();
  const healthy = new FakeSocket();
  feed.addClient(slow);
  feed.addClient(healthy);
  assert.equal(slow.sent.length, 2, 'hello and the first update');

  slow.bufferedAmount = max / 2;
  feed.tick();
  assert.equal(slow.sent.length, 2, 'behind: this round is skipped');
  assert.equal(healthy.sent.length, 3);

  slow.bufferedAmount = max + 1;
  feed.tick();
  assert.equal(slow.terminated, true);
  assert.deepEqual(feed.stats(), { clients: 1, dropped: 1 });
  assert.equal(healthy.sent.length, 4);
  assert.ok(gw.logs.some((l) => l.msg === 'dashboard client dropped: it does not read its updates'));

  const c = await board(gw, 'still-fine');
  t.after(() => c.close());
  c.send('R 1 - v=1');
  assert.equal(await c.next(), 'ACK 1');
});

test('the feed refuses clients beyond http.maxFeedClients with 503', async (t) => {
  const gw = await startTestApp({ http: { maxFeedClients: 1 } });
  t.after(() => gw.stop());
  const one = await FeedClient.open(gw.httpPort);
  t.after(() => one.close());
  const two = new WebSocket(`ws://127.0.0.1:${gw.httpPort}/api/v1/live`, ['sheetlog.v1']);
  two.on('error', () => {});
  const status = await new Promise<number>((resolve) => two.on('unexpected-response', (req, res) => (resolve(res.statusCode ?? 0), req.destroy())));
  assert.equal(status, 503);
});

test('stopping the gateway closes feed clients', async () => {
  const gw = await startTestApp();
  const feed = await FeedClient.open(gw.httpPort);
  const closed = new Promise<number>((resolve) => feed.ws.on('close', (code) => resolve(code)));
  await gw.stop();
  assert.equal(await closed, 1001);
});
