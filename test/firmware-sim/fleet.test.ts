import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { auditAll } from '../../firmware-sim/audit.js';
import { Fleet } from '../../firmware-sim/fleet.js';
import { ManualScheduler } from '../../firmware-sim/manual-scheduler.js';
import { createRng } from '../../firmware-sim/rng.js';
import { runFleet, type FleetReport } from '../../firmware-sim/run.js';
import { MemoryGateway } from './fake-peer.js';

/** Moves manual time forward in steps until the promise settles (no real waiting). */
async function drive<T>(scheduler: ManualScheduler, promise: Promise<T>, stepMs = 50, limitMs = 600_000): Promise<T> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let waited = 0; !settled; waited += stepMs) {
    if (waited > limitMs) throw new Error('did not settle in simulated time');
    scheduler.advance(stepMs);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return promise;
}

function chaosRun(seed: number) {
  const scheduler = new ManualScheduler();
  const gateway = new MemoryGateway(scheduler);
  const report = runFleet({
    transport: gateway,
    auditTransport: gateway,
    scheduler,
    devices: 40,
    ratePerDevice: 2,
    seed,
    bootIdRng: createRng(seed),
    dropLinksPerSecond: 0.1,
    stormEveryMs: 4_000,
    garbageProbability: 0.05,
    clockSkewMs: 1000,
    durationMs: 20_000,
    drainTimeoutMs: 60_000,
  });
  return { scheduler, gateway, report: drive(scheduler, report) };
}

function assertAllStored(report: FleetReport, gateway: MemoryGateway, acked: { deviceId: string; bootId: number; seqs: readonly (readonly [number, number])[] }[]) {
  let checked = 0;
  for (const record of acked) {
    for (const [low, high] of record.seqs) {
      for (let seq = low; seq <= high; seq++) {
        checked += 1;
        assert.ok(gateway.has(record.deviceId, record.bootId, seq), `${record.deviceId}/${seq} acknowledged but not stored`);
      }
    }
  }
  assert.equal(checked, report.snapshot.totals.acked);
}

describe('Fleet (in-memory gateway, manual time)', () => {
  it('survives link drops, storms and garbage with every reading accounted for', async () => {
    const { gateway, report: pending } = chaosRun(1);
    let fleet: Fleet | null = null;
    void fleet;
    const report = await pending;
    const t = report.snapshot.totals;
    assert.equal(report.drained, true);
    assert.equal(report.snapshot.pending, 0);
    assert.equal(report.lost, 0);
    assert.deepEqual(report.problems, []);
    assert.equal(report.ok, true);
    assert.equal(t.taken, t.acked + t.naked + t.droppedOverflow);
    assert.ok(t.taken >= 40 * 2 * 19, `about 2 readings per second per board, got ${t.taken}`);
    assert.equal(report.snapshot.storms, 5);
    assert.ok(t.linkDrops > 40 * 5, `drops: ${t.linkDrops}`);
    assert.ok(report.snapshot.reconnects > 200);
    assert.ok(t.garbageSent > 0 && t.garbageAccepted === 0);
    assert.equal(t.protocolViolations, 0);
    assert.equal(report.audit?.checked, 40);
    assert.deepEqual(report.audit?.failures, []);
    assert.ok(gateway.storeCount.inserts >= t.acked);
  });

  it('is deterministic for a seed under manual time', async () => {
    const a = await chaosRun(7).report;
    const b = await chaosRun(7).report;
    assert.deepEqual(a.snapshot, b.snapshot);
    assert.deepEqual(a.latency, b.latency);
  });

  it('keeps every acknowledged reading in the store', async () => {
    const scheduler = new ManualScheduler();
    const gateway = new MemoryGateway(scheduler);
    const fleet = new Fleet({ transport: gateway, scheduler, devices: 10, ratePerDevice: 5, seed: 3, bootIdRng: createRng(3), dropLinksPerSecond: 0.3 });
    fleet.start();
    scheduler.advance(10_000);
    await drive(scheduler, fleet.finish(60_000));
    const report = { snapshot: fleet.snapshot() } as FleetReport;
    assertAllStored(report, gateway, fleet.acked());
    fleet.stop();
  });

  it('audit fails a board whose acknowledged readings the gateway no longer holds', async () => {
    const scheduler = new ManualScheduler();
    const gateway = new MemoryGateway(scheduler);
    const fleet = new Fleet({ transport: gateway, scheduler, devices: 3, ratePerDevice: 5, seed: 4, bootIdRng: createRng(4) });
    fleet.start();
    scheduler.advance(3_000);
    await drive(scheduler, fleet.finish(10_000));
    const victim = fleet.devices[1];
    assert.ok(victim);
    gateway.stored.get(victim.id)?.get(victim.bootId)?.delete(victim.ackedSeqs.max() ?? -1);
    const requests = fleet.devices.map((d) => ({
      deviceId: d.id,
      token: 'x',
      bootId: d.bootId,
      up: d.millis(),
      board: d.profile.board,
      highestAcked: d.ackedSeqs.max(),
    }));
    const results = await drive(scheduler, auditAll(requests, gateway, scheduler));
    assert.deepEqual(results.map((r) => r.ok), [true, false, true]);
    fleet.stop();
  });

  it('uses the ids of a token file and refuses more devices than it lists', () => {
    const scheduler = new ManualScheduler();
    const gateway = new MemoryGateway(scheduler);
    const credentials = [{ id: 'kitchen-1', token: 'a' }, { id: 'hall-2', token: 'b' }];
    const fleet = new Fleet({ transport: gateway, scheduler, credentials });
    assert.deepEqual(fleet.devices.map((d) => d.id), ['kitchen-1', 'hall-2']);
    assert.throws(() => new Fleet({ transport: gateway, scheduler, credentials, devices: 3 }), /token file lists 2/);
  });

  it('generates ids per profile and reports each first send (for --kill-after)', () => {
    const scheduler = new ManualScheduler();
    const gateway = new MemoryGateway(scheduler);
    const totals: number[] = [];
    const fleet = new Fleet({ transport: gateway, scheduler, devices: 3, ratePerDevice: 1, onReadingSent: (n) => totals.push(n) });
    assert.deepEqual(fleet.devices.map((d) => d.id), ['sim-esp8266-0001', 'sim-feather-m0-0002', 'sim-esp8266-0003']);
    fleet.start();
    scheduler.advance(5_000);
    assert.ok(totals.length >= 9);
    assert.deepEqual(totals, totals.map((_, i) => i + 1));
    fleet.stop();
  });

  it('validates its options at construction', () => {
    const scheduler = new ManualScheduler();
    const gateway = new MemoryGateway(scheduler);
    assert.throws(() => new Fleet({ transport: gateway, scheduler, devices: 0 }), RangeError);
    assert.throws(() => new Fleet({ transport: gateway, scheduler, ratePerDevice: 0 }), RangeError);
    assert.throws(() => new Fleet({ transport: gateway, scheduler, dropLinksPerSecond: 1 }), RangeError);
    assert.throws(() => new Fleet({ transport: gateway, scheduler, garbageProbability: 2 }), RangeError);
  });
});
