import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Device, type DeviceOptions } from '../../firmware-sim/device.js';
import { ManualScheduler } from '../../firmware-sim/manual-scheduler.js';
import { PROFILES, type Profile } from '../../firmware-sim/profiles.js';
import { createRng } from '../../firmware-sim/rng.js';
import { ScriptedTransport, type ScriptedConnection } from './fake-peer.js';

const T0 = Date.UTC(2026, 0, 1);

function setup(overrides: Partial<DeviceOptions> = {}, profile: Partial<Profile> = {}) {
  const scheduler = new ManualScheduler(T0);
  const transport = new ScriptedTransport();
  const device = new Device({
    id: 'dev-1',
    token: 'tok',
    profile: { ...PROFILES.esp8266, ...profile },
    transport,
    scheduler,
    rng: createRng(7),
    bootId: 77,
    samplePeriodMs: 1000,
    firstSampleDelayMs: 1000,
    driftPpm: 0,
    ...overrides,
  });
  return { scheduler, transport, device };
}

/** Opens the current connection, answers a whole T round instantly and says HELLO OK. */
function goOnline(c: ScriptedConnection, scheduler: ManualScheduler, ackedSeq = 0): void {
  c.accept();
  for (let i = 0; i < 3; i++) {
    const request = c.lines('T ').at(-1);
    const millis = request ? Number(request.split(' ')[1]) : null;
    if (millis === null || c.written.filter((l) => l.startsWith('T ')).length <= i) break;
    c.reply(`T ${millis} ${scheduler.now()}`);
  }
  c.reply(`HELLO OK ${scheduler.now()} ${ackedSeq}`);
}

const readings = (c: ScriptedConnection) => c.lines('R ');
const seqOf = (line: string) => Number(line.split(' ')[1]);

function assertBalanced(device: Device): void {
  const c = device.counters;
  assert.equal(c.taken, c.acked + c.naked + c.droppedOverflow + device.pending, 'taken = acked + naked + dropped + pending');
}

describe('Device', () => {
  it('opens with a time request and HELLO carrying boot, up, fw and board', () => {
    const { device, transport, scheduler } = setup();
    device.start();
    scheduler.advance(250);
    transport.last.accept();
    assert.deepEqual(transport.last.take(), ['T 250', 'HELLO dev-1 tok boot=77 up=250 fw=sim-0.1.0 board=esp8266']);
    assert.equal(device.state, 'hello');
  });

  it('stamps readings u<millis> before the first time sync and with epoch time after it', () => {
    const { device, transport, scheduler } = setup();
    device.start();
    const c = transport.last;
    c.accept();
    c.reply(`HELLO OK ${T0} 0`); // the T request stays unanswered for now
    scheduler.advance(1000);
    assert.match(readings(c)[0] ?? '', /^R 1 u1000 temp_c=/);
    c.reply(`T 0 ${T0 + 5_000}`); // rtt 1000 ms: gateway time now = T0 + 5000 + 500
    scheduler.advance(1000);
    assert.match(readings(c)[1] ?? '', new RegExp(`^R 2 ${T0 + 5_000 + 500 + 1000} temp_c=`));
  });

  it('drops every reading up to a cumulative ACK and records its latency', () => {
    const { device, transport, scheduler } = setup();
    device.start();
    goOnline(transport.last, scheduler);
    scheduler.advance(3000);
    assert.deepEqual(readings(transport.last).map(seqOf), [1, 2, 3]);
    scheduler.advance(20);
    transport.last.reply('ACK 2');
    assert.equal(device.counters.acked, 2);
    assert.equal(device.pending, 1);
    assert.deepEqual([...device.ackedSeqs], [1, 2]);
    assert.equal(device.latency.count, 2);
    assert.ok(device.latency.summary().max >= 1020);
    assertBalanced(device);
  });

  it('buffers readings while offline and sends them oldest first once HELLO OK arrives', () => {
    const { device, transport, scheduler } = setup();
    device.start();
    scheduler.advance(3500);
    assert.equal(readings(transport.last).length, 0);
    assert.equal(device.pending, 3);
    goOnline(transport.last, scheduler);
    assert.deepEqual(readings(transport.last).map(seqOf), [1, 2, 3]);
    assert.match(readings(transport.last)[0] ?? '', /^R 1 u1000 /, 'taken before sync: uptime stamp kept on resend');
  });

  it('after a reconnect drops what HELLO OK says is durable and resends the rest in order', () => {
    const { device, transport, scheduler } = setup();
    device.start();
    const first = transport.last;
    goOnline(first, scheduler);
    scheduler.advance(5000);
    first.reply('ACK 1');
    const before = readings(first);
    first.close('ECONNRESET');
    assert.equal(device.state, 'offline');
    scheduler.advance(500); // backoff: at most the 500 ms first step
    const second = transport.last;
    assert.notEqual(second, first);
    goOnline(second, scheduler, 3);
    assert.deepEqual(readings(second).map(seqOf), [4, 5]);
    assert.deepEqual(readings(second), before.slice(3), 'resent lines are byte-identical');
    assert.equal(device.counters.ackedAtHello, 2);
    assert.equal(device.counters.resent, 2);
    assert.deepEqual([...device.ackedSeqs], [1, 2, 3]);
    assertBalanced(device);
  });

  it('drops a NAKed reading and keeps the others', () => {
    const { device, transport, scheduler } = setup();
    device.start();
    goOnline(transport.last, scheduler);
    scheduler.advance(3000);
    transport.last.reply('NAK 2 BAD_VALUE field temp_c: no');
    assert.equal(device.counters.naked, 1);
    assert.deepEqual(device.counters.naks, { BAD_VALUE: 1 });
    transport.last.reply('ACK 3');
    assert.equal(device.pending, 0);
    assert.deepEqual([...device.ackedSeqs], [1, 3]);
    assertBalanced(device);
  });

  it('on BUSY stops sending, still counts ACKs, and reconnects no earlier than retry-after', () => {
    const { device, transport, scheduler } = setup();
    device.start();
    const c = transport.last;
    goOnline(c, scheduler);
    scheduler.advance(2000);
    c.reply('BUSY 5000');
    scheduler.advance(2000);
    assert.deepEqual(readings(c).map(seqOf), [1, 2], 'nothing more on a BUSY connection');
    c.reply('ACK 1');
    c.close();
    assert.equal(device.counters.acked, 1);
    assert.equal(device.pending, 3);
    scheduler.advance(4999);
    assert.equal(transport.connections.length, 1, 'waits at least retry-after');
    scheduler.advance(2501); // retry-after plus at most half of it as jitter
    assert.equal(transport.connections.length, 2);
    goOnline(transport.last, scheduler, 1);
    const resent = readings(transport.last).map(seqOf);
    assert.deepEqual(resent.slice(0, 4), [2, 3, 4, 5]);
    assert.deepEqual(resent, resent.map((_, i) => i + 2), 'everything since, in order');
    assertBalanced(device);
  });

  it('drops the oldest reading when the ring buffer is full, and counts it', () => {
    const { device, transport, scheduler } = setup({}, { bufferCapacity: 4 });
    device.start();
    scheduler.advance(6000);
    assert.equal(device.pending, 4);
    assert.equal(device.counters.droppedOverflow, 2);
    goOnline(transport.last, scheduler);
    assert.deepEqual(readings(transport.last).map(seqOf), [3, 4, 5, 6]);
    assertBalanced(device);
  });

  it('backs off exponentially with jitter while the gateway is unreachable, and resets after a session', () => {
    const { device, transport, scheduler } = setup({}, { backoff: { minMs: 1000, maxMs: 8000, factor: 2 } });
    device.start();
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const opened = transport.connections.length;
      transport.last.close('ECONNREFUSED');
      const from = scheduler.now();
      while (transport.connections.length === opened) scheduler.advance(1);
      delays.push(scheduler.now() - from);
    }
    const ceilings = [1000, 2000, 4000, 8000, 8000, 8000];
    delays.forEach((d, i) => {
      const ceiling = ceilings[i] as number;
      assert.ok(d >= ceiling / 2 && d <= ceiling + 1, `attempt ${i}: ${d} ms within [${ceiling / 2}, ${ceiling}]`);
    });
    goOnline(transport.last, scheduler);
    transport.last.close();
    const from = scheduler.now();
    const opened = transport.connections.length;
    while (transport.connections.length === opened) scheduler.advance(1);
    assert.ok(scheduler.now() - from <= 1001, 'back to the first step after a session');
    assert.equal(device.counters.closes.ECONNREFUSED, 6);
  });

  it('gives up on a link that answers nothing for the reply timeout', () => {
    const { device, transport, scheduler } = setup({}, { replyTimeoutMs: 5000 });
    device.start();
    const c = transport.last;
    goOnline(c, scheduler);
    scheduler.advance(1000);
    assert.equal(readings(c).length, 1);
    scheduler.advance(5000);
    assert.equal(c.endedBy, 'destroy');
    assert.equal(device.counters.closes['reply timeout'], 1);
    assert.ok(device.pending >= readings(c).length, 'nothing sent on the dead link was given up');
  });

  it('sends PING after keepaliveMs without sending anything', () => {
    const { device, transport, scheduler } = setup({ samplePeriodMs: 3_600_000, firstSampleDelayMs: 3_600_000 }, { keepaliveMs: 10_000 });
    device.start();
    const c = transport.last;
    goOnline(c, scheduler);
    c.take();
    scheduler.advance(10_000);
    assert.deepEqual(c.take(), ['PING']);
    c.reply('PONG');
    scheduler.advance(10_000);
    assert.deepEqual(c.take(), ['PING']);
    assert.equal(device.state, 'online');
    scheduler.advance(20_000); // no PONG: 30 s since the last line received
    assert.equal(device.counters.closes['reply timeout'], 1);
  });

  it('stops for good on AUTH_FAILED', async () => {
    const { device, transport, scheduler } = setup();
    device.start();
    const c = transport.last;
    c.accept();
    c.reply('ERR AUTH_FAILED wrong token');
    c.close();
    assert.equal(device.state, 'failed');
    assert.equal(device.failure, 'AUTH_FAILED');
    scheduler.advance(120_000);
    assert.equal(transport.connections.length, 1, 'no reconnect');
    assert.equal(await device.finish(), 'failed');
  });

  it('finish() stops sampling, drains the buffer, then says BYE', async () => {
    const { device, transport, scheduler } = setup();
    device.start();
    const c = transport.last;
    goOnline(c, scheduler);
    scheduler.advance(2000);
    const done = device.finish();
    scheduler.advance(5000);
    assert.equal(readings(c).length, 2, 'no readings after finish()');
    assert.equal(c.lines('BYE').length, 0, 'no BYE while readings are pending');
    c.reply('ACK 2');
    assert.equal(c.written.at(-1), 'BYE');
    c.reply('BYE');
    assert.equal(await done, 'stopped');
    assert.equal(c.endedBy, 'end');
    assertBalanced(device);
  });

  it('reconnects after the gateway says BYE on its own (shutdown)', () => {
    const { device, transport, scheduler } = setup();
    device.start();
    const c = transport.last;
    goOnline(c, scheduler);
    scheduler.advance(1000);
    c.reply('ACK 1', 'BYE');
    c.close();
    assert.equal(device.counters.gatewayByes, 1);
    scheduler.advance(1000);
    assert.equal(transport.connections.length, 2);
  });

  it('checks the answers to garbage against the codes PROTOCOL.md prescribes', () => {
    const { device, transport, scheduler } = setup({ garbageProbability: 1 });
    device.start();
    const c = transport.last;
    goOnline(c, scheduler);
    c.take();
    scheduler.advance(3000);
    const lines = c.take();
    assert.equal(lines.length, 6, 'each reading is preceded by one malformed line');
    assert.equal(device.counters.garbageSent, 3);
    // Answer each malformed line with a code that is wrong for (almost) every kind.
    const answers = lines.filter((_, i) => i % 2 === 0);
    const wrong = (line: string) => (line.startsWith('R ') ? `NAK ${seqOf(line)} BAD_TS nope` : 'ERR INTERNAL_TEST nope');
    for (const line of answers) c.reply(wrong(line));
    assert.equal(device.counters.garbageAnswered + device.counters.garbageMismatched, 3);
    assert.ok(Object.keys(device.counters.garbageMismatches).length > 0);
  });

  it('counts a malformed reading that was acknowledged without a NAK as accepted', () => {
    const { device, transport, scheduler } = setup({ garbageProbability: 1, rng: createRng(1) });
    device.start();
    const c = transport.last;
    goOnline(c, scheduler);
    c.take();
    let garbageSeq: number | null = null;
    for (let i = 0; i < 50 && garbageSeq === null; i++) {
      scheduler.advance(1000);
      const [garbage] = c.take();
      if (garbage && /^R [1-9]\d* /.test(garbage)) garbageSeq = seqOf(garbage);
    }
    assert.ok(garbageSeq !== null, 'a malformed reading was sent');
    c.reply(`ACK ${garbageSeq + 1}`);
    assert.equal(device.counters.garbageAccepted, 1);
  });

  it('keeps the time sample with the smallest round trip and reports it on the next round', () => {
    const { device, transport, scheduler } = setup(
      { samplePeriodMs: 3_600_000, firstSampleDelayMs: 100 },
      { timeSync: { samples: 3, resyncMs: 60_000 } },
    );
    device.start();
    const c = transport.last;
    c.accept();
    const answer = (delay: number, gatewayTime: number) => {
      const millis = Number(c.lines('T ').at(-1)?.split(' ')[1]);
      scheduler.advance(delay);
      c.reply(`T ${millis} ${gatewayTime}`);
    };
    answer(40, 1_000_000); // offset 1_000_000 + 20 - 40
    answer(10, 2_000_000); // best: rtt 10
    answer(30, 3_000_000);
    c.reply(`HELLO OK ${T0} 0`);
    assert.equal(device.counters.timeSyncRounds, 1);
    assert.equal(device.timeSynced, true);
    // Best sample: sent at uptime 40, answered at 50 with 2_000_000 → offset 2_000_000 + 5 - 50.
    scheduler.advance(100);
    c.reply('ACK 1');
    scheduler.advance(61_000); // the next round is due 60 s of uptime after the last
    const report = c.lines('T ').at(-1) ?? '';
    assert.match(report, /^T \d+ rtt=10 off=1999955$/);
    assert.match(readings(c)[0] ?? '', new RegExp(`^R 1 ${2_000_000 + 5 - 50 + 100} `), 'stamped with the best offset');
  });

  it('adds the clock skew to epoch timestamps', () => {
    const { device, transport, scheduler } = setup({ clockSkewMs: 86_400_000 * 2 });
    device.start();
    goOnline(transport.last, scheduler);
    scheduler.advance(1000);
    const ts = Number(readings(transport.last)[0]?.split(' ')[2]);
    assert.ok(Math.abs(ts - (scheduler.now() + 2 * 86_400_000)) < 5, `skewed by two days: ${ts}`);
  });

  it('lets u<millis> wrap at 2^32 like Arduino millis()', () => {
    const { device, transport, scheduler } = setup({ startUptimeMs: 2 ** 32 - 1500 });
    device.start();
    transport.last.accept();
    transport.last.reply(`HELLO OK ${T0} 0`);
    scheduler.advance(2000);
    assert.deepEqual(
      readings(transport.last).map((l) => l.split(' ')[2]),
      [`u${2 ** 32 - 500}`, 'u500'],
    );
  });

  it('on a link drop abandons (silent) or destroys (reset) the link and reconnects', () => {
    const { device, transport, scheduler } = setup();
    device.start();
    const first = transport.last;
    goOnline(first, scheduler);
    device.dropLink('silent');
    assert.equal(first.endedBy, 'abandon');
    scheduler.advance(1000);
    const second = transport.last;
    goOnline(second, scheduler);
    device.dropLink('reset');
    assert.equal(second.endedBy, 'destroy');
    assert.equal(device.counters.linkDrops, 2);
    // Late lines on the old link are ignored (its handlers belong to an old generation).
    first.reply('ACK 99');
    assert.equal(device.counters.protocolViolations, 0);
  });

  it('counts a reply that matches nothing as a protocol violation', () => {
    const { device, transport, scheduler } = setup();
    device.start();
    goOnline(transport.last, scheduler);
    transport.last.reply('WHAT 1', 'NAK 5 BAD_VALUE never sent', 'HELLO OK 1 0');
    assert.equal(device.counters.protocolViolations, 3);
  });
});
