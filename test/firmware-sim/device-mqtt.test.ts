import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Device, type DeviceOptions } from '../../firmware-sim/device.js';
import { ManualScheduler } from '../../firmware-sim/manual-scheduler.js';
import { PROFILES, type Profile } from '../../firmware-sim/profiles.js';
import { createRng } from '../../firmware-sim/rng.js';
import { MemoryMqttGateway } from './memory-mqtt-gateway.js';

/**
 * A simulated board over MQTT against the gateway's acknowledgement rules (in memory, injected
 * clock): boot on every reading, low= on HELLO, recovery from a lost QoS 0 message, gaps from
 * overflow, replies that reach a later link.
 */
const T0 = Date.UTC(2026, 0, 1);

function setup(overrides: Partial<DeviceOptions> = {}, profile: Partial<Profile> = {}, latencyMs = 5) {
  const scheduler = new ManualScheduler(T0);
  const gateway = new MemoryMqttGateway(scheduler, latencyMs);
  const device = new Device({
    id: 'dev-1',
    token: 'tok',
    profile: { ...PROFILES.esp8266, ...profile },
    transport: gateway,
    scheduler,
    rng: createRng(7),
    bootId: 77,
    samplePeriodMs: 100,
    firstSampleDelayMs: 100,
    driftPpm: 0,
    ...overrides,
  });
  return { scheduler, gateway, device };
}

/** Stops sampling after `n` readings, drains (advancing time in steps) and returns the final state. */
function drain(device: Device, scheduler: ManualScheduler, n: number, limitMs = 600_000): string {
  while (device.counters.taken < n) scheduler.advance(10);
  void device.finish();
  const done = () => device.state === 'stopped' || device.state === 'failed';
  for (let t = 0; t < limitMs && !done(); t += 100) scheduler.advance(100);
  return device.state;
}

function storedSeqs(gateway: MemoryMqttGateway): number[] {
  return [...(gateway.stored.get('dev-1/77') ?? [])].sort((a, b) => a - b);
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('Device over MQTT', () => {
  it('says HELLO with low=, publishes readings under its boot, and drains with an offline status', () => {
    const { device, gateway, scheduler } = setup();
    device.start();
    assert.equal(drain(device, scheduler, 20), 'stopped');
    assert.deepEqual(storedSeqs(gateway), range(1, 20));
    assert.equal(gateway.duplicates, 0);
    assert.match(gateway.published.find((p) => p.startsWith('sheetlog/dev-1/hello ')) ?? '', / boot=77 up=\d+ fw=sim-0\.1\.0 board=esp8266 low=1$/);
    assert.ok(gateway.published.filter((p) => p.startsWith('sheetlog/dev-1/r ')).every((p) => /^sheetlog\/dev-1\/r boot=77 low=\d+ R /.test(p)));
    assert.equal(gateway.published.at(-1), 'sheetlog/dev-1/status offline');
    assert.equal(device.counters.acked, 20);
    assert.equal(device.counters.protocolViolations, 0);
  });

  it('recovers a reading lost on the way (QoS 0): ACKs stop at the gap, the board reconnects and resends', () => {
    const { device, gateway, scheduler } = setup({}, { replyTimeoutMs: 3_000 });
    let readings = 0;
    gateway.lose = (topic) => topic.endsWith('/r') && ++readings === 3;
    device.start();
    scheduler.advance(2_000);
    assert.deepEqual(storedSeqs(gateway).slice(0, 4), [1, 2, 4, 5], 'stored past the gap');
    assert.equal(device.pending, device.counters.taken - 2, 'acknowledged only up to the gap');
    assert.equal(drain(device, scheduler, 400), 'stopped');
    assert.deepEqual(storedSeqs(gateway), range(1, 400));
    assert.equal(gateway.lost.length, 1);
    assert.ok(device.counters.sessions >= 2, 'the reply timeout ended the silent link');
    assert.deepEqual(device.counters.closes, { 'reply timeout': 1 });
    assert.equal(device.counters.acked, 400);
    assert.equal(device.counters.droppedOverflow, 0);
    assert.equal(device.counters.protocolViolations, 0);
  });

  it('declares what its full buffer dropped with low=, so the gap does not stall the acknowledgements', () => {
    // 5 slots, a reading every 100 ms, and a broker hop of 150 ms: the buffer overflows while
    // offline and again between HELLO and HELLO OK (after the HELLO's low= went out).
    const { device, gateway, scheduler } = setup({}, { bufferCapacity: 5 }, 150);
    gateway.reachable = false;
    device.start();
    scheduler.advance(1_050); // 10 readings offline: 1..5 overflowed
    assert.equal(device.counters.droppedOverflow, 5);
    gateway.reachable = true;
    const before = scheduler.now();
    while (device.counters.acked === 0 && scheduler.now() - before < 60_000) scheduler.advance(10);
    assert.ok(scheduler.now() - before < 3_000, `acknowledged within a backoff and a round trip, no stall (${scheduler.now() - before} ms)`);
    assert.match(gateway.published.find((p) => p.includes('/hello ')) ?? '', / low=6$/);
    const givenUp = device.highestGivenUpSeq;
    assert.ok(givenUp > 5, `the buffer also overflowed after the HELLO (given up to ${givenUp})`);
    assert.equal(drain(device, scheduler, device.counters.taken + 5), 'stopped');
    const taken = device.counters.taken;
    // Everything after the last reading given up is stored (some given up had been sent, and are too).
    const stored = new Set(storedSeqs(gateway));
    assert.deepEqual(range(givenUp + 1, taken).filter((seq) => !stored.has(seq)), []);
    assert.equal(device.counters.acked + device.counters.droppedOverflow, taken);
    assert.equal(device.counters.protocolViolations, 0);
  });

  it('ignores replies that reach a later link, without counting them as protocol violations', () => {
    // A broker hop of 600 ms each way is longer than the reconnect backoff: the HELLO OK and ACKs
    // meant for the first link arrive on the second.
    const { device, gateway, scheduler } = setup({}, {}, 600);
    device.start();
    scheduler.advance(2_000);
    device.dropLink('reset');
    assert.equal(drain(device, scheduler, 60), 'stopped');
    assert.ok(gateway.stale > 0, 'some replies answered the first link');
    assert.deepEqual(storedSeqs(gateway), range(1, 60));
    assert.equal(device.counters.acked, 60);
    assert.equal(device.counters.protocolViolations, 0);
  });

  it('sends garbage the MQTT side answers as the protocol says (over-long past the payload limit, no second HELLO)', () => {
    const { device, gateway, scheduler } = setup({ garbageProbability: 0.5 });
    device.start();
    assert.equal(drain(device, scheduler, 200), 'stopped');
    const c = device.counters;
    assert.ok(c.garbageSent > 50, `garbage sent: ${c.garbageSent}`);
    assert.deepEqual(c.garbageMismatches, {});
    assert.equal(c.garbageAnswered, c.garbageSent);
    assert.equal(c.garbageAccepted, 0);
    assert.ok(gateway.published.some((p) => p.length > 1124 && p.startsWith('sheetlog/dev-1/r boot=77 R ')), 'an over-long reading was sent');
    assert.ok(!gateway.published.some((p) => p.startsWith('sheetlog/dev-1/r') && p.includes('HELLO')), 'no second HELLO');
    assert.equal(c.acked, 200);
    assert.equal(c.protocolViolations, 0);
  });
});
