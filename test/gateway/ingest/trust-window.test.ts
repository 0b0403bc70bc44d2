import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkTimeRequest, ClockAnchor } from '../../../gateway/ingest/clock-anchor.js';
import { toReadingRow } from '../../../gateway/ingest/reading-row.js';
import { isTrustedTime, TRUST_AHEAD_MS, TRUST_FLOOR_MS } from '../../../gateway/ingest/trust-window.js';
import { MAX_RTT_MS, parseLine } from '../../../gateway/protocol/parse.js';
import type { ReadingMessage, TimeRequestMessage } from '../../../gateway/protocol/messages.js';
import { startTestApp } from '../../helpers/app.js';
import { LineClient } from '../../helpers/line-client.js';
import { ManualTimers } from '../../helpers/manual-timers.js';
import { TestBoard } from '../../helpers/mqtt.js';

const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);

function reading(ts: ReadingMessage['ts']): ReadingMessage {
  return { verb: 'R', seq: 1, ts, fields: Object.assign(Object.create(null), { x: 1 }) };
}

function row(ts: ReadingMessage['ts'], anchor = new ClockAnchor()) {
  const r = toReadingRow(reading(ts), 'd', 1, NOW, 10, anchor);
  return [r.ts, r.tsSource, r.deviceTs, r.clockUntrusted];
}

function refusalOf(line: string): string | null {
  const p = parseLine(line);
  return p.ok ? null : `${p.refusal.scope} ${p.refusal.code}`;
}

test('the trust window: 2020-01-01 through the gateway time + 24 h, inclusive; absurd values never trusted', () => {
  assert.equal(isTrustedTime(TRUST_FLOOR_MS, NOW), true);
  assert.equal(isTrustedTime(TRUST_FLOOR_MS - 1, NOW), false);
  assert.equal(isTrustedTime(NOW + TRUST_AHEAD_MS, NOW), true);
  assert.equal(isTrustedTime(NOW + TRUST_AHEAD_MS + 1, NOW), false);
  for (const v of [1e16, -1e16, -1, 0, Number.NaN, Number.POSITIVE_INFINITY, NOW + 0.5]) assert.equal(isTrustedTime(v, NOW), false, String(v));
});

test('u<millis> through the HELLO anchor: inside the window converted, beyond it the receive time (untrusted, counted)', () => {
  const a = new ClockAnchor();
  a.fromHello(0, NOW);
  assert.deepEqual(row({ kind: 'uptime', millis: TRUST_AHEAD_MS }, a), [NOW + TRUST_AHEAD_MS, 'uptime', null, false], 'exactly + 24 h');
  assert.deepEqual(row({ kind: 'uptime', millis: TRUST_AHEAD_MS + 1 }, a), [NOW, 'gateway', NOW + TRUST_AHEAD_MS + 1, true], '24 h + 1 ms');
  // u32 values far from the anchor wrap through signed 32-bit distance: still judged by the window.
  assert.deepEqual(row({ kind: 'uptime', millis: 0xffffffff }, a), [NOW - 1, 'uptime', null, false]);
  assert.deepEqual(row({ kind: 'uptime', millis: 0x7fffffff }, a), [NOW, 'gateway', NOW + 0x7fffffff, true], '+24.8 days');
  const early = new ClockAnchor();
  early.fromHello(0x7fffffff, TRUST_FLOOR_MS + 1000);
  assert.deepEqual(row({ kind: 'uptime', millis: 0 }, early), [NOW, 'gateway', TRUST_FLOOR_MS + 1000 - 0x7fffffff, true], 'before 2020');
});

test('u<millis> through a board estimate (off=): an estimate outside the window is refused and never becomes the anchor', () => {
  const t = (millis: number, off: number): TimeRequestMessage => ({ verb: 'T', millis, off });
  assert.equal(checkTimeRequest(t(1000, NOW - 1000), NOW), null);
  assert.equal(checkTimeRequest(t(1000, TRUST_FLOOR_MS - 1000), NOW), null, 'exactly 2020-01-01');
  assert.equal(checkTimeRequest({ verb: 'T', millis: 5 }, NOW), null, 'no off=: nothing to judge');
  for (const off of [TRUST_FLOOR_MS - 1001, NOW + TRUST_AHEAD_MS, 999_999_999_999_999, -999_999_999_999_999, 0, -35]) {
    const r = checkTimeRequest(t(1000, off), NOW);
    assert.equal(r?.code, 'BAD_TIME_REQUEST', String(off));
    assert.match(r!.text, /outside 2020-01-01/);
  }
  const a = new ClockAnchor();
  a.fromHello(0, NOW);
  a.fromTimeRequest(0, NOW, 9_999_999_999_999); // what the board sent (shortened to parse)
  assert.equal(a.current?.source, 'hello', 'the absurd estimate was not kept');
  assert.deepEqual(row({ kind: 'uptime', millis: 1 }, a), [NOW + 1, 'uptime', null, false]);
  a.fromTimeRequest(1000, NOW, NOW - 500);
  assert.equal(a.current?.source, 'board-estimate');
  assert.deepEqual(row({ kind: 'uptime', millis: 2000 }, a), [NOW + 1500, 'uptime', null, false]);
});

test('device epochs: the boundary and absurd values', () => {
  assert.deepEqual(row({ kind: 'epoch', ms: TRUST_FLOOR_MS }), [TRUST_FLOOR_MS, 'device', null, false]);
  assert.deepEqual(row({ kind: 'epoch', ms: 999_999_999_999_999 }), [NOW, 'gateway', 999_999_999_999_999, true]);
  assert.equal(refusalOf('R 1 10000000000000000 x=1'), 'nak BAD_TS', '1e16: more than 15 digits');
  assert.equal(refusalOf('R 1 -1 x=1'), 'nak BAD_TS');
  assert.equal(refusalOf('R 1 NaN x=1'), 'nak BAD_TS');
  assert.equal(refusalOf('R 1 1e15 x=1'), 'nak BAD_TS');
  assert.equal(refusalOf('R 1 u4294967296 x=1'), 'nak BAD_TS', 'u32 overflow');
  assert.equal(refusalOf('R 1 u-1 x=1'), 'nak BAD_TS');
});

test('T: off= and rtt= are bounded in the grammar', () => {
  assert.equal(refusalOf('T 1 off=9999999999999999'), 'err BAD_TIME_REQUEST', '1e16');
  assert.equal(refusalOf('T 1 off=-9999999999999999'), 'err BAD_TIME_REQUEST', '-1e16');
  assert.equal(refusalOf('T 1 off=NaN'), 'err BAD_TIME_REQUEST');
  assert.equal(refusalOf('T 1 off=Infinity'), 'err BAD_TIME_REQUEST');
  assert.equal(refusalOf('T 1 off=1e15'), 'err BAD_TIME_REQUEST');
  assert.equal(refusalOf('T 1 off=0x10'), 'err BAD_TIME_REQUEST');
  assert.equal(refusalOf('T 1 off=-999999999999999'), null, '15 digits parse (the window refuses it later)');
  assert.equal(refusalOf(`T 1 rtt=${MAX_RTT_MS}`), null);
  assert.equal(refusalOf(`T 1 rtt=${MAX_RTT_MS + 1}`), 'err BAD_TIME_REQUEST');
  assert.equal(refusalOf('T 1 rtt=-1'), 'err BAD_TIME_REQUEST');
  assert.equal(refusalOf('T 1 rtt=4294967296'), 'err BAD_TIME_REQUEST');
});

test('over TCP: the issue\'s board (HELLO up=0, T off=1e16-ish, R u0) is refused, counted, and its reading keeps a sane time', async (t) => {
  const timers = new ManualTimers();
  const gw = await startTestApp({ store: { commitDelayMs: 0 } }, timers);
  t.after(() => gw.stop());
  const c = await LineClient.open(gw.port);
  t.after(() => c.close());
  const now = timers.now();
  c.send('HELLO poison tok boot=9 up=0');
  assert.match((await c.next())!, /^HELLO OK/);
  c.send('T 0 off=9999999999999999');
  assert.match((await c.next())!, /^ERR BAD_TIME_REQUEST off must be/);
  c.send('T 0 off=999999999999999');
  assert.match((await c.next())!, /^ERR BAD_TIME_REQUEST off=999999999999999 puts the clock at/);
  c.send('T 0 rtt=4000000000');
  assert.match((await c.next())!, /^ERR BAD_TIME_REQUEST rtt must be/);
  c.send('R 1 u0 v=42', `R 2 u${TRUST_AHEAD_MS + 5} v=43`, `R 3 u${0x7fffffff} v=44`, 'R 4 999999999999999 v=45');
  assert.equal((await c.until((l) => l === 'ACK 4')).line, 'ACK 4');
  gw.app.store.committer.flush();
  const rows = gw.app.store.db.prepare("SELECT seq, ts, ts_source AS src, device_ts AS deviceTs FROM readings WHERE device = 'poison' ORDER BY seq").all();
  assert.deepEqual(rows, [
    { seq: 1, ts: now, src: 'uptime', deviceTs: null },
    { seq: 2, ts: now, src: 'gateway', deviceTs: now + TRUST_AHEAD_MS + 5 },
    { seq: 3, ts: now, src: 'gateway', deviceTs: now + 0x7fffffff },
    { seq: 4, ts: now, src: 'gateway', deviceTs: 999_999_999_999_999 },
  ]);
  const dev = gw.app.store.devices.get('poison')!;
  assert.equal(dev.clockEpochMinusMillisMs, null, 'no refused estimate reached the statistics');
  assert.equal(dev.clockUntrusted, 3);
  assert.equal(dev.errors?.BAD_TIME_REQUEST, 3);
});

test('over MQTT: an off= outside the trust window is refused on the ack topic, no time reply, and never anchors u<millis>', async (t) => {
  const gw = await startTestApp({ mqtt: { embedded: true, embeddedHost: '127.0.0.1', embeddedPort: 0 } });
  t.after(() => gw.stop());
  await gw.app.mqtt!.subscribed();
  const board = await TestBoard.connect(`mqtt://127.0.0.1:${gw.app.mqtt!.address!.broker!.port}`, 'mq-poison', { username: 'mq-poison', password: 'pw' });
  t.after(() => board.end());
  await board.publish('hello', 'boot=4 up=0');
  await board.reply((r) => r.startsWith('HELLO OK'));
  await board.publish('t', '0 off=999999999999999', 0);
  assert.match(await board.reply((r) => r.startsWith('ERR')), /^ERR BAD_TIME_REQUEST off=999999999999999 puts the clock at/);
  await board.publish('r', 'boot=4 R 1 u0 v=1');
  await board.reply((r) => r === 'ACK 1 boot=4');
  const row = gw.app.store.db.prepare("SELECT ts_source AS src FROM readings WHERE device = 'mq-poison'").get() as { src: string };
  assert.equal(row.src, 'uptime', 'converted through up=, the refused estimate ignored');
  gw.app.store.committer.flush();
  assert.equal(gw.app.store.devices.get('mq-poison')!.errors.BAD_TIME_REQUEST, 1);
  assert.equal(gw.app.store.devices.get('mq-poison')!.clockEpochMinusMillisMs, null);
});
