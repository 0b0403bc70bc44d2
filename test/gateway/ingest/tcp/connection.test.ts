import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TcpLimits } from '../../../../gateway/ingest/tcp/connection-deps.js';
import { TcpConnection } from '../../../../gateway/ingest/tcp/connection.js';
import type { StoreSettings } from '../../../../gateway/store/store.js';
import type { AuthMode } from '../../../../gateway/ingest/auth.js';
import { sessionHarness } from '../session/harness.js';
import { FakeSocket } from './fake-socket.js';
import { ReadSlots } from '../../../../gateway/ingest/read-slots.js';

/**
 * TcpConnection without a network: a fake socket, a real Store, manual timers, commits run by the
 * test. Framing, the connection states, held input, acknowledgements, backpressure, limits.
 */

const LIMITS: TcpLimits = {
  maxLineBytes: 256,
  helloTimeoutMs: 10_000,
  idleTimeoutMs: 60_000,
  maxUnackedPerConnection: 100,
  maxErrorRun: 5,
  maxWriteBufferBytes: 1024,
  maxLinesPerSecond: 200,
  lineBurst: 2000,
  overBudgetCloseMs: 600_000,
  maxLinesPerTurn: 64,
  slowReaderTimeoutMs: 30_000,
};

function connect(t: { after: (fn: () => void) => void }, opts: { auth?: AuthMode; limits?: Partial<TcpLimits>; store?: Partial<StoreSettings> } = {}) {
  const h = sessionHarness(t, opts.auth ?? 'off', opts.store);
  // Known devices: with auth off a new id is registered first (a deferred answer, tested below).
  for (let i = 1; i <= 9; i++) h.store.devices.add(`dev-${i}`, h.timers.now());
  const socket = new FakeSocket();
  const closed: TcpConnection[] = [];
  const conn = new TcpConnection(socket.asSocket, { ...h.ctx, limits: { ...LIMITS, ...opts.limits }, timers: h.timers }, 1, (c) => closed.push(c));
  return { ...h, socket, conn, closed };
}

test('HELLO, readings, one cumulative ACK per commit, PING, BYE after the last ACK', async (t) => {
  const { socket, commit, timers, conn } = connect(t);
  socket.receive('HELLO dev-1 secret boot=3\nR 1 - temp_c=1\nR 2 - temp_c=2\nR 3 - temp_c=3\nPING\n');
  assert.deepEqual(socket.replies, [`HELLO OK ${timers.now()} 0`, 'PONG']);
  assert.equal(conn.deviceId, 'dev-1');
  assert.equal(conn.unsettled, 3);
  await commit();
  assert.deepEqual(socket.replies.slice(2), ['ACK 3'], 'one ACK for the batch');
  socket.receive('R 4 - temp_c=4\nBYE\n');
  assert.equal(socket.ended, false, 'BYE waits for the reading before it');
  await commit();
  assert.deepEqual(socket.replies.slice(3), ['ACK 4', 'BYE']);
  assert.equal(socket.ended, true);
});

test('deferred auth: lines after HELLO wait (socket paused) until the registration is committed, then run in order', async (t) => {
  const { socket, commit, store } = connect(t, { auth: 'tofu' });
  socket.receive('HELLO new-2 secret boot=1\nR 1 - temp_c=1\n');
  assert.equal(socket.paused, true);
  assert.deepEqual(socket.replies, []);
  await commit(); // registration
  assert.match(socket.replies[0] ?? '', /^HELLO OK \d+ 0$/);
  assert.equal(socket.paused, false);
  assert.ok(store.devices.find('new-2'));
  await commit(); // the reading
  assert.deepEqual(socket.replies.slice(1), ['ACK 1']);
});

test('a refused HELLO ends the connection with its code; readings before HELLO are NOT_AUTHENTICATED', async (t) => {
  const { socket, commit, ctx } = connect(t, { auth: 'required' });
  socket.receive('R 1 - temp_c=1\nHELLO nobody secret\nR 2 - temp_c=2\n');
  await commit();
  assert.match(socket.replies[0] ?? '', /^ERR NOT_AUTHENTICATED /);
  assert.match(socket.replies[1] ?? '', /^ERR UNKNOWN_DEVICE /);
  assert.equal(socket.replies.length, 2, 'nothing is read after the refusal');
  assert.equal(socket.ended, true);
  assert.equal(ctx.counters.errors.get('UNKNOWN_DEVICE'), 1);
});

test('backpressure: at maxUnacked the socket pauses and later lines wait; the commit releases them', async (t) => {
  const { socket, commit, ctx } = connect(t, { limits: { maxUnackedPerConnection: 2 } });
  socket.receive('HELLO dev-3 s boot=1\nR 1 - a=1\nR 2 - a=2\nR 3 - a=3\n');
  assert.equal(socket.paused, true);
  assert.equal(ctx.counters.limits.get('BACKPRESSURE'), 1);
  await commit();
  assert.equal(socket.paused, false, 'released: R 3 was taken, below the window');
  assert.deepEqual(socket.replies.slice(1), ['ACK 2']);
  await commit();
  assert.deepEqual(socket.replies.slice(2), ['ACK 3']);
});

test('malformed lines: NAK for a reading with a readable seq, ERR otherwise; too many in a row close the connection', async (t) => {
  const { socket, commit, ctx } = connect(t, { limits: { maxErrorRun: 3 } });
  socket.receive('HELLO dev-4 s boot=1\nR 5 - temp_c=\nXYZZY\n');
  assert.match(socket.replies[1] ?? '', /^NAK 5 BAD_VALUE /);
  assert.match(socket.replies[2] ?? '', /^ERR UNKNOWN_VERB /);
  socket.receive(`R 6 - note="${'x'.repeat(300)}"\n`);
  await commit();
  assert.match(socket.replies[3] ?? '', /^NAK 6 LINE_TOO_LONG /);
  assert.match(socket.replies[4] ?? '', /^ERR TOO_MANY_ERRORS /);
  assert.equal(socket.ended, true);
  assert.equal(ctx.counters.limits.get('LINE_TOO_LONG'), 1);
  assert.equal(ctx.counters.limits.get('TOO_MANY_ERRORS'), 1);
});

test('HELLO timeout and idle timeout close with their codes, by the injected clock', async (t) => {
  const a = connect(t);
  a.timers.advance(LIMITS.helloTimeoutMs);
  await a.commit();
  assert.match(a.socket.replies[0] ?? '', /^ERR HELLO_TIMEOUT /);
  assert.equal(a.socket.ended, true);

  const b = connect(t);
  b.socket.receive('HELLO dev-5 s boot=1\n');
  b.timers.advance(LIMITS.idleTimeoutMs - 1);
  assert.equal(b.socket.ended, false);
  b.socket.receive('PING\n');
  b.timers.advance(LIMITS.idleTimeoutMs - 1);
  assert.equal(b.socket.ended, false, 'a line restarts the idle time');
  b.timers.advance(1);
  await b.commit();
  assert.match(b.socket.replies.at(-1) ?? '', /^ERR IDLE_TIMEOUT /);
  assert.equal(b.socket.ended, true);
});

test('a new connection that sends nothing gives its reader place up when others wait (HELLO_TIMEOUT); the next is read; first bytes pass the place on', async (t) => {
  const h = sessionHarness(t, 'off');
  h.store.devices.add('dev-1', h.timers.now());
  const readers = new ReadSlots(1, 1_000, () => h.timers.now());
  const deps = { ...h.ctx, limits: LIMITS, timers: h.timers, readers };
  let id = 1;
  const open = () => {
    const socket = new FakeSocket();
    socket.paused = true; // accepted paused, as by the listener
    new TcpConnection(socket.asSocket, deps, id++, () => {});
    return socket;
  };
  const idle = open();
  assert.equal(idle.paused, false, 'the only place: read at once');
  const next = open();
  assert.equal(next.paused, true, 'not read while the place is taken');
  h.timers.advance(999);
  const third = open();
  assert.deepEqual(idle.replies, [], 'not idle for long enough yet');
  h.timers.advance(1);
  const fourth = open();
  await h.commit();
  assert.match(idle.replies[0] ?? '', /^ERR HELLO_TIMEOUT nothing received within 1000 ms while other connections wait$/);
  assert.equal(idle.ended, true);
  assert.deepEqual([next.paused, third.paused, fourth.paused], [false, true, true], 'the place went to the oldest waiting');
  next.receive('HELLO dev-1 s boot=1\n');
  assert.match(next.replies[0] ?? '', /^HELLO OK /);
  assert.deepEqual([third.paused, fourth.paused], [false, true], 'its first bytes passed the place on, in arrival order');
});

test('BUSY: with the store buffer full the reading is refused, the connection drains and closes', async (t) => {
  const { socket, commit, store, ctx } = connect(t, { store: { maxBufferRows: 1 } });
  store.useSinks(['csv']);
  socket.receive('HELLO dev-6 s boot=1\nR 1 - a=1\n');
  await commit();
  socket.receive('R 2 - a=2\n');
  await commit();
  assert.deepEqual(socket.replies.slice(1), ['ACK 1', 'BUSY 5000']);
  assert.equal(socket.ended, true);
  assert.equal(ctx.counters.busyReplies, 1);
});

test('a peer that does not read its replies is paused, then cut loose (SLOW_READER); close records statistics and releases the device', async (t) => {
  const { socket, commit, ctx, closed, store, timers } = connect(t, { limits: { maxWriteBufferBytes: 64 } });
  socket.receive('HELLO dev-7 s boot=1\n');
  assert.equal(ctx.sessions.size, 1);
  socket.stopReading();
  socket.receive('PING\n'.repeat(20));
  // The first reply that is not drained pauses input (the rest of the chunk waits); the peer is cut
  // loose only when it still has not read after slowReaderTimeoutMs.
  assert.equal(socket.paused, true);
  assert.equal(socket.destroyed, false);
  assert.equal(socket.replies.filter((l) => l === 'PONG').length, 1);
  assert.equal(ctx.counters.limits.get('SLOW_READER'), 1);
  timers.advance(LIMITS.slowReaderTimeoutMs);
  assert.equal(socket.destroyed, true);
  await commit();
  assert.equal(closed.length, 1);
  assert.equal(ctx.sessions.size, 0);
  await commit();
  assert.equal(store.devices.get('dev-7')?.connects, 1);
});

/**
 * Fills the database file to SQLite's page limit: no new page can be had (SQLITE_FULL, as on a full
 * file system), and the devices table has no room left for another row of the same size.
 */
function fillDevicesToPageLimit(store: { db: { pragma(s: string, o?: { simple: boolean }): unknown; prepare(s: string): { run(...a: unknown[]): unknown } } }): void {
  store.db.pragma(`max_page_count = ${Number(store.db.pragma('page_count', { simple: true }))}`);
  const insert = store.db.prepare(`INSERT INTO devices (id, origin, created_at) VALUES (?, 'open', 0)`);
  for (let i = 0; ; i++) {
    try {
      insert.run(`filler-${String(i).padStart(6, '0')}`);
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_FULL') return;
      throw e;
    }
  }
}

test('disk full during a TOFU registration: BUSY, nothing registered, the connection stays open (held), later lines discarded', async (t) => {
  const { socket, commit, store, ctx, timers } = connect(t, { auth: 'tofu' });
  fillDevicesToPageLimit(store);
  socket.receive('HELLO fresh-1 secret boot=1\nR 1 - a=1\n');
  assert.equal(socket.paused, true, 'input waits for the registration');
  await commit();
  assert.deepEqual(socket.replies, ['BUSY 5000']);
  assert.equal(store.devices.find('fresh-1'), undefined, 'nothing half-registered');
  assert.equal(socket.ended, false);
  assert.equal(socket.destroyed, false);
  assert.equal(socket.paused, false, 'read and discarded, so the peer\u2019s close is seen');
  assert.equal(ctx.counters.limits.get('DISK_FULL'), 1);
  assert.equal(ctx.counters.busyReplies, 1);
  assert.equal(ctx.counters.errors.get('INTERNAL'), undefined);

  // While the disk is known to be full, another registration is told BUSY at once, without a transaction.
  const other = new FakeSocket();
  new TcpConnection(other.asSocket, { ...ctx, limits: LIMITS, timers }, 2, () => {});
  other.receive('HELLO fresh-2 secret boot=1\n');
  assert.deepEqual(other.replies, ['BUSY 5000']);
  assert.equal(store.committer.pending, 0, 'no registration queued');

  socket.receive('HELLO fresh-1 secret boot=1\nPING\n');
  await commit();
  assert.deepEqual(socket.replies, ['BUSY 5000'], 'a held connection answers nothing more');
  timers.advance(LIMITS.helloTimeoutMs + 1);
  assert.equal(socket.ended, false, 'the hello timeout no longer applies once held');
  timers.advance(LIMITS.idleTimeoutMs);
  await commit(); // the last reply waits for the acknowledgement flush (a microtask)
  assert.match(socket.replies.at(-1) ?? '', /^ERR IDLE_TIMEOUT /);
  assert.equal(socket.ended, true, 'the idle timeout ends a held connection');

  // Space again: the next HELLO (a new connection, after retry-after) registers the device.
  store.db.pragma('max_page_count = 1073741823');
  const again = new FakeSocket();
  new TcpConnection(again.asSocket, { ...ctx, limits: LIMITS, timers }, 3, () => {});
  again.receive('HELLO fresh-1 secret boot=1\n');
  await commit();
  assert.match(again.replies[0] ?? '', /^HELLO OK \d+ 0$/);
  assert.ok(store.devices.find('fresh-1'));
});
