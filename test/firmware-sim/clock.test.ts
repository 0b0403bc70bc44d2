import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeviceClock, millisDiff } from '../../firmware-sim/clock.js';
import { TimeSync } from '../../firmware-sim/time-sync.js';

describe('DeviceClock', () => {
  it('counts uptime with the crystal drift', () => {
    let now = 1_000_000;
    const fast = new DeviceClock(() => now, { driftPpm: 100 });
    const slow = new DeviceClock(() => now, { driftPpm: -100 });
    now += 1_000_000;
    assert.equal(fast.uptimeMs(), 1_000_100);
    assert.equal(slow.uptimeMs(), 999_900);
    assert.ok(Math.abs(fast.realDuration(1_000_100) - 1_000_000) < 1e-6);
  });

  it('rolls millis() over at 2^32 while uptime keeps counting', () => {
    let now = 0;
    const clock = new DeviceClock(() => now, { driftPpm: 0, startUptimeMs: 2 ** 32 - 10 });
    assert.equal(clock.millis(), 2 ** 32 - 10);
    now = 25;
    assert.equal(clock.millis(), 15);
    assert.equal(clock.uptimeMs(), 2 ** 32 + 15);
    clock.reboot();
    assert.equal(clock.millis(), 2 ** 32 - 10);
  });

  it('millisDiff is correct across the rollover', () => {
    assert.equal(millisDiff(15, 2 ** 32 - 10), 25);
    assert.equal(millisDiff(2 ** 32 - 10, 15), -25);
    assert.equal(millisDiff(1000, 400), 600);
  });

  it('rejects absurd drift', () => {
    assert.throws(() => new DeviceClock(() => 0, { driftPpm: Number.NaN }), RangeError);
  });
});

describe('TimeSync (Cristian)', () => {
  it('keeps the smallest round trip of a round and uses the first sample meanwhile', () => {
    const sync = new TimeSync(3);
    assert.equal(sync.synced, false);
    assert.equal(sync.epochAt(0), null);
    let r = sync.request(1000);
    assert.equal(sync.reply(r.deviceMillis, 500_000, 1100), 'more'); // rtt 100
    assert.equal(sync.epochAt(1100), 500_050);
    r = sync.request(2000);
    assert.equal(sync.reply(r.deviceMillis, 700_000, 2010), 'more'); // rtt 10: best
    r = sync.request(3000);
    assert.equal(sync.reply(r.deviceMillis, 900_000, 3050), 'done'); // rtt 50
    assert.deepEqual(sync.sample, { rttMs: 10, offsetMs: 700_000 + 5 - 2010 });
    assert.equal(sync.roundDue(3050, 60_000), false);
    assert.equal(sync.roundDue(63_050, 60_000), true);
  });

  it('ignores a reply that echoes no outstanding request', () => {
    const sync = new TimeSync(1);
    assert.equal(sync.reply(5, 1, 10), 'ignored');
    const r = sync.request(100);
    assert.equal(sync.reply(r.deviceMillis + 1, 1, 110), 'ignored');
    sync.abandonRequest();
    assert.equal(sync.reply(r.deviceMillis, 1, 110), 'ignored');
  });

  it('reports off= relative to millis(), which differs from uptime after a rollover', () => {
    const sync = new TimeSync(1);
    const start = 2 ** 32 - 100;
    const r = sync.request(start);
    assert.equal(r.deviceMillis, start);
    sync.reply(start, 1_000_000_000, start + 20);
    const next = sync.request(start + 200); // millis() has wrapped to 100
    assert.equal(next.deviceMillis, 100);
    assert.deepEqual(next.report, { rttMs: 20, offMs: 1_000_000_000 + 10 - 20 - start + 2 ** 32 });
    // epoch ≈ millis + off for the board's current millis():
    assert.equal(next.deviceMillis + (next.report?.offMs ?? 0), sync.epochAt(start + 200));
  });
});
