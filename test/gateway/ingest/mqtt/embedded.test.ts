import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { join } from 'node:path';
import { startTestApp, type TestApp } from '../../../helpers/app.js';
import { ManualTimers } from '../../../helpers/manual-timers.js';
import { TestBoard } from '../../../helpers/mqtt.js';
import { waitFor } from '../../../helpers/wait.js';

/** The embedded aedes broker: a real broker in the gateway's process, spoken to by MQTT.js boards. */

async function startEmbedded(extra: Record<string, unknown> = {}, timers?: ManualTimers): Promise<{ gw: TestApp; url: string }> {
  const { mqtt: mqttExtra, ...rest } = extra as { mqtt?: Record<string, unknown> };
  const gw = await startTestApp({ mqtt: { embedded: true, embeddedHost: '127.0.0.1', embeddedPort: 0, ...mqttExtra }, ...rest }, timers);
  await gw.app.mqtt!.subscribed();
  return { gw, url: `mqtt://127.0.0.1:${gw.app.mqtt!.address!.broker!.port}` };
}

function rows(dataDir: string): { device: string; boot: number; seq: number; ts: number; ts_source: string; fields: string }[] {
  const db = new Database(join(dataDir, 'sheetlog.db'), { readonly: true });
  try {
    return db.prepare('SELECT device, boot, seq, ts, ts_source, fields FROM readings ORDER BY id').all() as never;
  } finally {
    db.close();
  }
}

test('embedded broker: hello, text and JSON readings, ACK after commit on the ack topic, time replies', async (t) => {
  const { gw, url } = await startEmbedded();
  t.after(() => gw.stop());
  const board = await TestBoard.connect(url, 'kitchen-1', { username: 'kitchen-1', password: 's3cr3t' });
  t.after(() => board.end());

  await board.publish('t', '5021', 0);
  const time = (await board.reply(() => true, 10000, '/t/reply')).split(' ');
  assert.deepEqual(time.slice(0, 2), ['T', '5021']);
  assert.ok(Math.abs(Number(time[2]) - Date.now()) < 5000);

  await board.publish('hello', 'boot=2849101 up=5040 fw=1.0.0 board=esp8266');
  const hello = await board.reply((r) => r.startsWith('HELLO OK'));
  assert.match(hello, /^HELLO OK \d+ 0 boot=2849101$/);
  const helloAt = Number(hello.split(' ')[2]);

  await board.publish('r', 'boot=2849101 R 1 u1200 temp_c=21.5 humidity=40');
  await board.publish('r', JSON.stringify({ boot: 2849101, seq: 2, ts: '-', fields: { temp_c: 21.6, door: false, note: 'window "open"' } }));
  await board.publish('r', 'boot=2849101 R 3 1795232400000 temp_c=21.7', 0);
  await board.reply((r) => r === 'ACK 3 boot=2849101');

  const stored = rows(gw.dataDir);
  assert.deepEqual(stored.map((r) => [r.device, r.boot, r.seq]), [['kitchen-1', 2849101, 1], ['kitchen-1', 2849101, 2], ['kitchen-1', 2849101, 3]]);
  assert.equal(stored[0]!.ts_source, 'uptime');
  assert.ok(Math.abs(stored[0]!.ts - (helloAt - 3840)) <= 50, 'u1200 converted with the hello up= anchor');
  assert.deepEqual(JSON.parse(stored[1]!.fields), { temp_c: 21.6, door: false, note: 'window "open"' });
  assert.equal(stored[2]!.ts_source, 'device');

  // A resend is acknowledged again and stored once.
  await board.publish('r', 'boot=2849101 R 2 - temp_c=21.6');
  await board.publish('hello', 'boot=2849101 up=9000');
  await board.reply((r) => /^HELLO OK \d+ 3 boot=2849101$/.test(r));
  assert.equal(rows(gw.dataDir).length, 3);
  gw.app.store.committer.flush();
  const dev = gw.app.store.devices.get('kitchen-1')!;
  assert.equal(dev.readings, 3);
  assert.equal(dev.duplicates, 1);
  assert.equal(dev.board, 'esp8266');
  assert.equal(dev.origin, 'tofu', 'registered on first use by the broker login');
});

test('embedded broker: a wrong token, an unknown device in required mode and a revoked device are refused at CONNECT', async (t) => {
  const { gw, url } = await startEmbedded();
  t.after(() => gw.stop());
  const first = await TestBoard.connect(url, 'lab-1', { username: 'lab-1', password: 'right' });
  await first.end();
  await assert.rejects(TestBoard.connect(url, 'lab-1', { username: 'lab-1', password: 'wrong' }), /Bad username or password/);
  await assert.rejects(TestBoard.connect(url, 'lab-1', { username: 'lab-1' }), /Bad username or password/);
  gw.app.store.committer.flush();
  assert.deepEqual(gw.app.store.devices.get('lab-1')!.errors, { AUTH_FAILED: 1 });
  assert.equal(gw.app.counters.errors.get('AUTH_FAILED'), 2);

  gw.app.store.devices.revoke('lab-1', Date.now());
  await assert.rejects(TestBoard.connect(url, 'lab-1', { username: 'lab-1', password: 'right' }), /Not authorized/);

  const strict = await startEmbedded({ auth: { mode: 'required' } });
  t.after(() => strict.gw.stop());
  await assert.rejects(TestBoard.connect(strict.url, 'stranger', { username: 'stranger', password: 'any' }), /Not authorized/);
  const token = strict.gw.app.store.devices.add('lab-2', Date.now());
  const ok = await TestBoard.connect(strict.url, 'lab-2', { username: 'lab-2', password: token });
  await ok.end();
});

test('embedded broker: a board may use only its own topics', async (t) => {
  const { gw, url } = await startEmbedded();
  t.after(() => gw.stop());
  const board = await TestBoard.connect(url, 'b1', { username: 'b1', password: 'tok-b1' });
  t.after(() => board.end());
  for (const foreign of ['sheetlog/b2/ack', 'sheetlog/+/ack', '#', '$share/g/sheetlog/+/r']) {
    await assert.rejects(board.client.subscribeAsync(foreign), /Subscribe error/, foreign);
  }
  const granted = await board.client.subscribeAsync('sheetlog/b1/#');
  assert.deepEqual(granted.map((g) => g.qos), [0]);
  // Publishing as another device is not authorized: the broker drops the board's connection.
  const closed = new Promise<void>((resolve) => board.client.once('close', () => resolve()));
  board.client.publish('sheetlog/b2/r', 'boot=1 R 1 - x=1', { qos: 1 });
  await closed;
  const other = await TestBoard.connect(url, 'b1', { username: 'b1', password: 'tok-b1' });
  t.after(() => other.end());
  await other.publish('r', 'boot=1 R 1 - x=2');
  await other.reply((r) => r === 'ACK 1 boot=1');
  assert.deepEqual(rows(gw.dataDir).map((r) => [r.device, JSON.parse(r.fields).x]), [['b1', 2]]);
});

test('embedded broker: malformed payloads are NAKed or refused, counted per device and in the counters', async (t) => {
  const { gw, url } = await startEmbedded();
  t.after(() => gw.stop());
  const board = await TestBoard.connect(url, 'm1', { username: 'm1', password: 'tok-m1' });
  t.after(() => board.end());
  await board.publish('hello', 'boot=9');
  await board.reply((r) => r.startsWith('HELLO OK'));
  const cases: [string, RegExp][] = [
    ['R 1 - temp_c=', /^NAK 1 BAD_VALUE boot=9 field temp_c: empty value$/],
    ['R 2 yesterday temp_c=1', /^NAK 2 BAD_TS boot=9 /],
    ['R 3 -', /^NAK 3 NO_FIELDS boot=9 /],
    ['{"seq":4,"fields":{"a b":1}}', /^NAK 4 BAD_FIELD boot=9 /],
    ['{"seq":5,"fields":{"x":null}}', /^NAK 5 BAD_VALUE boot=9 /],
    ['{"seq":0,"fields":{"x":1}}', /^ERR BAD_SEQ /],
    ['{not json', /^ERR BAD_SEQ payload is not valid JSON$/],
    ['PING', /^ERR UNKNOWN_VERB /],
    ['boot=nope R 6 - x=1', /^ERR BAD_HELLO /],
    [`R 7 - note="${'x'.repeat(1100)}"`, /^NAK 7 LINE_TOO_LONG boot=9 /],
  ];
  for (const [payload, expected] of cases) {
    await board.publish('r', payload);
    await board.reply((r) => expected.test(r));
  }
  await board.publish('r', Buffer.from([0x52, 0x20, 0x38, 0x20, 0x2d, 0x20, 0x78, 0x3d, 0xff]));
  await board.reply((r) => /^NAK 8 BAD_UTF8 boot=9 /.test(r));
  // NAKed readings count as settled, but alone they are not ACKed (each got its NAK); 6 was
  // refused with an ERR, so the board still holds it: the ACK waits for it.
  await board.publish('r', 'R 9 - x=9');
  await board.publish('r', 'R 6 - x=6');
  await board.reply((r) => r === 'ACK 9 boot=9');
  assert.deepEqual(board.replies.filter((r) => r.startsWith('ACK')), ['ACK 9 boot=9']);
  assert.deepEqual(rows(gw.dataDir).map((r) => r.seq), [9, 6]);
  gw.app.store.committer.flush();
  assert.deepEqual(gw.app.store.devices.get('m1')!.errors, {
    BAD_FIELD: 1, BAD_HELLO: 1, BAD_SEQ: 2, BAD_TS: 1, BAD_UTF8: 1, BAD_VALUE: 2, LINE_TOO_LONG: 1, NO_FIELDS: 1, UNKNOWN_VERB: 1,
  });
  assert.equal(gw.app.counters.naks.get('BAD_VALUE'), 2);
  assert.equal(gw.app.counters.errors.get('BAD_SEQ'), 2);
});

test('MQTT acks never skip a gap (a lost QoS 0 message), unless the board declares low=', async (t) => {
  const { gw, url } = await startEmbedded();
  t.after(() => gw.stop());
  const board = await TestBoard.connect(url, 'g1', { username: 'g1', password: 'tok-g1' });
  t.after(() => board.end());
  await board.publish('r', 'boot=5 R 1 - x=1');
  await board.reply((r) => r === 'ACK 1 boot=5');
  await board.publish('r', 'boot=5 R 3 - x=3');
  await board.publish('r', 'boot=5 R 4 - x=4');
  // A reading of another boot on the same topic is a barrier: once it is ACKed, 3 and 4 are committed.
  await board.publish('r', 'boot=99 R 1 - x=0');
  await board.reply((r) => r === 'ACK 1 boot=99');
  assert.deepEqual(rows(gw.dataDir).map((r) => [r.boot, r.seq]), [[5, 1], [5, 3], [5, 4], [99, 1]], 'stored, but not acknowledged past the gap');
  assert.deepEqual(board.replies, ['ACK 1 boot=5', 'ACK 1 boot=99']);
  await board.publish('r', 'boot=5 R 2 - x=2');
  await board.reply((r) => r === 'ACK 4 boot=5');
  // The board dropped 5 and 6 (its buffer overflowed): low=7 says so, and 7 is acknowledged.
  await board.publish('r', 'boot=5 low=7 R 7 - x=7');
  await board.reply((r) => r === 'ACK 7 boot=5');
  // Another boot has its own numbering; acks name the boot.
  await board.publish('r', 'boot=6 R 1 - x=1');
  await board.reply((r) => r === 'ACK 1 boot=6');
});

test('BUSY: a reading refused while the store is full is not PUBACKed; the broker delivers it again after the pause', async (t) => {
  const { gw, url } = await startEmbedded({ store: { maxBufferRows: 2, busyRetryAfterMs: 300 } });
  t.after(() => gw.stop());
  gw.app.store.useSinks(['held']); // a sink that has delivered nothing
  const board = await TestBoard.connect(url, 'full-1', { username: 'full-1', password: 'tok' });
  t.after(() => board.end());
  await board.publish('r', 'boot=4 R 1 - x=1');
  await board.publish('r', 'boot=4 R 2 - x=2');
  await board.reply((r) => r === 'ACK 2 boot=4');
  await board.publish('r', 'boot=4 R 3 - x=3');
  await board.reply((r) => r === 'BUSY 300');
  assert.equal(gw.app.store.readings.count(), 2, 'not stored');
  gw.app.store.advanceCursor('held', 2); // the sink caught up
  // The board does not resend (in a share group it no longer holds the reading once the broker
  // PUBACKed it): the broker still has it for the gateway's session, and delivers it again.
  await board.reply((r) => r === 'ACK 3 boot=4', 10000);
  assert.equal(gw.app.store.readings.count(), 3);
  assert.equal(gw.app.counters.busyReplies, 1);
});

test('clearing a retained hello (an empty payload) is not a hello: the boot stays, nothing is answered', async (t) => {
  const { gw, url } = await startEmbedded();
  t.after(() => gw.stop());
  const board = await TestBoard.connect(url, 'clr-1', { username: 'clr-1', password: 'tok' });
  t.after(() => board.end());
  await board.publish('hello', 'boot=11', 1, true);
  await board.reply((r) => r.startsWith('HELLO OK'));
  await board.publish('hello', '', 1, true); // what `mosquitto_pub -r -n` sends to delete it
  await board.publish('r', 'R 1 - x=1');
  await board.reply((r) => r === 'ACK 1 boot=11');
  assert.deepEqual(board.replies, [board.replies[0], 'ACK 1 boot=11'], 'one HELLO OK only');
  assert.deepEqual(rows(gw.dataDir).map((r) => [r.boot, r.seq]), [[11, 1]]);
});

test('after a restart the ack picks up from the store, and a retained hello tells the new run the boot', async (t) => {
  const { gw, url } = await startEmbedded({ auth: { mode: 'off' } });
  const board = await TestBoard.connect(url, 'r1', { username: 'r1', password: 'x' });
  await board.publish('hello', 'boot=11', 1, true);
  await board.publish('r', 'R 1 - x=1');
  await board.publish('r', 'R 2 - x=2');
  await board.reply((r) => r === 'ACK 2 boot=11');
  await board.end();
  const dataDir = gw.dataDir;
  await gw.app.stop();

  const again = await startTestApp({ auth: { mode: 'off' }, mqtt: { embedded: true, embeddedHost: '127.0.0.1', embeddedPort: 0 } }, undefined, dataDir);
  t.after(() => again.stop());
  await again.app.mqtt!.subscribed();
  const url2 = `mqtt://127.0.0.1:${again.app.mqtt!.address!.broker!.port}`;
  const board2 = await TestBoard.connect(url2, 'r1', { username: 'r1', password: 'x' });
  t.after(() => board2.end());
  await board2.publish('hello', 'boot=11 up=100');
  await board2.reply((r) => /^HELLO OK \d+ 2 boot=11$/.test(r));
  await board2.publish('r', 'R 3 - x=3');
  await board2.reply((r) => r === 'ACK 3 boot=11');
  assert.deepEqual(rows(dataDir).map((r) => r.seq), [1, 2, 3]);
});

test('status topic: online and the last will count connects and connected time; a revoked board is disconnected', async (t) => {
  const timers = new ManualTimers(Date.now());
  const { gw, url } = await startEmbedded({ store: { commitDelayMs: 0 } }, timers);
  t.after(() => gw.stop());
  const connectBoard = async () => {
    const client = mqtt.connect(url, {
      clientId: 's1-board',
      username: 's1',
      password: 'tok-s1',
      reconnectPeriod: 0,
      will: { topic: 'sheetlog/s1/status', payload: Buffer.from('lost'), qos: 1, retain: true },
    });
    client.on('error', () => {});
    await within(new Promise((resolve) => client.once('connect', resolve)), 'board connect');
    await client.publishAsync('sheetlog/s1/status', 'online', { qos: 1, retain: true });
    return client;
  };
  const device = () => {
    gw.app.store.committer.flush();
    return gw.app.store.devices.get('s1');
  };
  const first = await connectBoard();
  await waitFor(() => device()?.connects === 1, 'online counted');
  timers.advance(5000);
  first.stream.destroy(); // Wi-Fi gone: the broker notices and publishes the will
  await waitFor(() => device()?.connectedMs === 5000, 'connected time closed by the last will');

  const second = await connectBoard();
  await waitFor(() => device()?.connects === 2, 'second online counted');
  timers.advance(2000);
  const helloOk = new Promise((resolve) => second.on('message', (_t, p) => resolve(p.toString())));
  await second.subscribeAsync('sheetlog/s1/ack');
  await second.publishAsync('sheetlog/s1/hello', 'boot=3', { qos: 1 });
  assert.match(String(await within(helloOk, 'HELLO OK')), /^HELLO OK /);
  const closed = new Promise<void>((resolve) => second.once('close', () => resolve()));
  gw.app.store.devices.revoke('s1', timers.now());
  gw.app.sessions.kick('s1', 'REVOKED', 'device was revoked');
  await within(closed, 'the broker closing the revoked board');
  assert.equal(device()!.connectedMs, 7000, 'the kick closes the connected time');
  await assert.rejects(TestBoard.connect(url, 's1', { username: 's1', password: 'tok-s1' }), /Not authorized/);
});

async function within<T>(p: Promise<T>, what: string, ms = 10000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms)));
  try {
    return await Promise.race([p, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

test('embedded broker: a board over its input budget is not read until the budget is back; nothing is lost, another board is served meanwhile', async (t) => {
  const timers = new ManualTimers();
  const { gw, url } = await startEmbedded({ mqtt: { maxMessagesPerSecond: 10, messageBurst: 5 }, store: { commitDelayMs: 0 } }, timers);
  t.after(() => gw.stop());
  const flood = await TestBoard.connect(url, 'flood-1', { username: 'flood-1', password: 's3cr3t' });
  t.after(() => flood.end());
  await flood.publish('hello', 'boot=1 up=0');
  await flood.reply((r) => r.startsWith('HELLO OK'));
  for (let i = 1; i <= 30; i++) await flood.publish('r', `boot=1 R ${i} - v=${i}`, 0);
  await waitFor(() => (gw.app.counters.limits.get('INPUT_BUDGET') ?? 0) >= 1, 'the broker to stop reading the flood');

  const calm = await TestBoard.connect(url, 'calm-1', { username: 'calm-1', password: 's3cr3t' });
  t.after(() => calm.end());
  await calm.publish('hello', 'boot=1 up=0');
  await calm.reply((r) => r.startsWith('HELLO OK'));
  await calm.publish('r', 'boot=1 R 1 - v=1', 0);
  await calm.reply((r) => r === 'ACK 1 boot=1');
  assert.ok(rows(gw.dataDir).filter((r) => r.device === 'flood-1').length < 30, 'the flood is slowed, not served at once');

  // Time passes: the budget comes back and every reading of the flood is read and stored, none dropped.
  for (let i = 0; i < 200 && !flood.replies.includes('ACK 30 boot=1'); i++) {
    timers.advance(500);
    await flood.reply((r) => r === 'ACK 30 boot=1', 100).catch(() => {});
  }
  assert.ok(flood.replies.includes('ACK 30 boot=1'), `replies: ${flood.replies.slice(-3).join(' | ')}`);
  assert.equal(rows(gw.dataDir).filter((r) => r.device === 'flood-1').length, 30);
  assert.ok(!flood.replies.some((r) => r.startsWith('BUSY')), 'the embedded broker slows, it does not refuse');
});
