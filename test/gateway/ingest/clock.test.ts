import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClockAnchor } from '../../../gateway/ingest/clock-anchor.js';
import { toReadingRow, TRUST_FLOOR_MS } from '../../../gateway/ingest/reading-row.js';
import type { ReadingMessage } from '../../../gateway/protocol/messages.js';

const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);

function reading(ts: ReadingMessage['ts']): ReadingMessage {
  return { verb: 'R', seq: 1, ts, fields: Object.assign(Object.create(null), { x: 1 }) };
}

test('uptime readings convert through the HELLO anchor, before and after it', () => {
  const a = new ClockAnchor();
  a.fromHello(50_000, NOW);
  assert.equal(a.toEpoch(40_000), NOW - 10_000);
  assert.equal(a.toEpoch(65_000), NOW + 15_000);
});

test('conversion is right across the 49.7-day millis() rollover', () => {
  const a = new ClockAnchor();
  a.fromHello(0xffffff00, NOW); // 256 ms before rollover
  assert.equal(a.toEpoch(0x00000100), NOW + 512, 'taken 256 ms after the rollover');
  const b = new ClockAnchor();
  b.fromHello(0x00000100, NOW);
  assert.equal(b.toEpoch(0xffffff00), NOW - 512, 'taken before the rollover, sent after');
});

test("the board's own Cristian estimate beats the HELLO anchor, which beats one-way estimates", () => {
  const a = new ClockAnchor();
  a.fromTimeRequest(1_000, NOW + 40); // one-way: 40 ms late
  a.fromTimeRequest(2_000, NOW + 1_010); // a faster sample: 10 ms late
  assert.equal(a.toEpoch(2_000), NOW + 1_010);
  assert.equal(a.current?.source, 'time-request');
  a.fromHello(3_000, NOW + 2_020);
  assert.equal(a.current?.source, 'hello');
  a.fromTimeRequest(4_000, NOW + 3_000); // without off=: a lower rank, ignored
  assert.equal(a.current?.source, 'hello');
  a.fromTimeRequest(5_000, NOW + 4_030, NOW - 1_000 + 5); // off = epoch - millis
  assert.equal(a.current?.source, 'board-estimate');
  assert.equal(a.toEpoch(6_000), NOW + 5_005);
  assert.equal(a.offsetMs(), NOW - 995);
});

test('time sources: gateway, device, untrusted device clock, uptime with and without anchor', () => {
  const anchor = new ClockAnchor();
  const gw = toReadingRow(reading({ kind: 'gateway' }), 'd', 1, NOW, 10, anchor);
  assert.deepEqual([gw.ts, gw.tsSource, gw.deviceTs, gw.clockUntrusted], [NOW, 'gateway', null, false]);

  const dev = toReadingRow(reading({ kind: 'epoch', ms: NOW - 60_000 }), 'd', 1, NOW, 10, anchor);
  assert.deepEqual([dev.ts, dev.tsSource], [NOW - 60_000, 'device']);

  const old = toReadingRow(reading({ kind: 'epoch', ms: TRUST_FLOOR_MS - 1 }), 'd', 1, NOW, 10, anchor);
  assert.deepEqual([old.ts, old.tsSource, old.deviceTs, old.clockUntrusted], [NOW, 'gateway', TRUST_FLOOR_MS - 1, true]);

  const future = toReadingRow(reading({ kind: 'epoch', ms: NOW + 25 * 3_600_000 }), 'd', 1, NOW, 10, anchor);
  assert.equal(future.tsSource, 'gateway');
  assert.equal(future.clockUntrusted, true);

  const unanchored = toReadingRow(reading({ kind: 'uptime', millis: 5 }), 'd', 1, NOW, 10, anchor);
  assert.deepEqual([unanchored.ts, unanchored.tsSource], [NOW, 'gateway']);

  anchor.fromHello(10_000, NOW);
  const up = toReadingRow(reading({ kind: 'uptime', millis: 4_000 }), 'd', 1, NOW, 10, anchor);
  assert.deepEqual([up.ts, up.tsSource], [NOW - 6_000, 'uptime']);
});
