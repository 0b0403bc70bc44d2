import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { REPO_ROOT, startGateway, type RunningGateway } from '../../firmware-sim/gateway-process.js';
import type { Fleet } from '../../firmware-sim/fleet.js';
import { runFleet, type FleetReport, type RunOptions } from '../../firmware-sim/run.js';
import { systemScheduler } from '../../firmware-sim/scheduler.js';
import { TcpTransport } from '../../firmware-sim/transport-tcp.js';
import { sessionsNow, stayedAway, StormCuts, untilSent } from './fleet-properties.js';
import { nodeArgsFor } from '../helpers/entry.js';

/**
 * The simulator against the real gateway (a child process on port 0): fleets with faults, then
 * the SQLite file is read directly to prove that every reading a board saw acknowledged is stored
 * exactly once. Bounded: a few seconds of sampling at a high rate; nothing sleeps, every wait is
 * for an event (with an overall timeout).
 */
const GATEWAY_BIN = join(REPO_ROOT, 'gateway/cli/bin.ts');
const execFileAsync = promisify(execFile);
/** No fixed HTTP port: tests run in parallel. */
const GATEWAY_ARGS = ['--http-port', '0'];

function tcp(port: number): TcpTransport {
  return new TcpTransport({ host: '127.0.0.1', port, scheduler: systemScheduler });
}

function assertClean(report: FleetReport): void {
  const t = report.snapshot.totals;
  assert.deepEqual(report.problems, [], `problems: ${report.problems.join('; ')}`);
  assert.equal(report.drained, true);
  assert.equal(report.lost, 0);
  assert.equal(report.snapshot.pending, 0);
  assert.equal(report.store?.missing, 0);
  assert.equal(report.store?.duplicates, 0);
  assert.equal(report.store?.checked, t.acked);
  assert.deepEqual(report.audit?.failures, []);
  assert.equal(t.naked, 0, `valid readings NAKed: ${JSON.stringify(t.naks)}`);
  assert.equal(t.taken, t.acked + t.droppedOverflow);
}

/** Rows of the fleet's boards in the store (read-only). */
function storedRows(dbPath: string, prefix: string): { rows: number; keys: number } {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare('SELECT count(*) AS rows, count(DISTINCT device || \'/\' || boot || \'/\' || seq) AS keys FROM readings WHERE device LIKE ?')
      .get(`${prefix}-%`) as { rows: number; keys: number };
  } finally {
    db.close();
  }
}

describe('fleet against the real gateway', { timeout: 240_000 }, () => {
  let dataDir = '';
  let gateway: RunningGateway | null = null;
  const dbPath = () => join(dataDir, 'sheetlog.db');

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sheetlog-fleet-'));
    gateway = await startGateway({ dataDir, port: 0, args: GATEWAY_ARGS, nodeArgs: nodeArgsFor(GATEWAY_BIN) });
  });

  after(async () => {
    await gateway?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  const run = (options: Partial<RunOptions> & { idPrefix: string }) => {
    const port = (gateway as RunningGateway).tcpPort;
    return runFleet({
      transport: tcp(port),
      auditTransport: tcp(port),
      storePath: dbPath(),
      durationMs: 3_000,
      drainTimeoutMs: 60_000,
      seed: 1,
      ...options,
    });
  };

  it('500 boards with link drops and a storm: every acknowledged reading stored exactly once, nothing lost', async () => {
    // Driven by what the boards do, not by the clock: storms after a third and two thirds of
    // 15,000 readings were sent, the end after all of them (about 3 s at 10 readings/s per board).
    const total = 15_000;
    const abort = new AbortController();
    let fleet: Fleet | null = null;
    // The boards each storm cut, with their sessions at that moment: each must hold a new session
    // by the end (it has readings to deliver after the storm, and the run drains).
    const cuts = new StormCuts();
    const report = await run({
      idPrefix: 'storm',
      devices: 500,
      ratePerDevice: 10,
      dropLinksPerSecond: 0.1,
      durationMs: null,
      signal: abort.signal,
      onStart: (started) => (fleet = started),
      onReadingSent: (sent) => {
        if (fleet !== null && (sent === total / 3 || sent === (2 * total) / 3)) cuts.storm(fleet);
        if (sent === total) abort.abort();
      },
    });
    assertClean(report);
    const t = report.snapshot.totals;
    assert.equal(report.snapshot.storms, 2);
    // How many links a storm cuts depends on how many boards are online at that moment (fewer on a
    // loaded machine): the property is that every board a storm cut came back with a new session.
    assert.ok(cuts.cut.size > 0, 'the storms cut links');
    assert.ok(t.linkDrops >= cuts.cut.size, `link drops: ${t.linkDrops}`);
    assert.deepEqual(stayedAway(cuts.cut), [], `boards without a session after the storm cut their link; closes: ${JSON.stringify(t.closes)}`);
    assert.ok(report.snapshot.reconnects > 0);
    assert.ok(t.sent >= total, `sent ${t.sent}`);
    const { rows, keys } = storedRows(dbPath(), 'storm');
    assert.equal(rows, keys, 'unique (device, boot, seq)');
    assert.ok(rows >= t.acked && rows <= t.taken, `${rows} rows for ${t.acked} acknowledged of ${t.taken} taken`);
  });

  it('answers malformed lines with the codes the simulator expects, with slow senders and skewed clocks beside them', async () => {
    const garbage = await run({ idPrefix: 'garbage', devices: 40, ratePerDevice: 20, garbageProbability: 0.2, clockSkewMs: 3 * 86_400_000, ...untilSent(1_200) });
    assertClean(garbage);
    const t = garbage.snapshot.totals;
    assert.ok(t.garbageSent > 100, `garbage sent: ${t.garbageSent}`);
    assert.deepEqual(t.garbageMismatches, {});
    assert.equal(t.garbageAccepted, 0);
    assert.equal(t.garbageAnswered + t.garbageUnanswered, t.garbageSent);

    const slow = await run({ idPrefix: 'slow', devices: 10, ratePerDevice: 2, slowByteIntervalMs: 2, ...untilSent(30) });
    assertClean(slow);
    const st = slow.snapshot.totals;
    assert.ok(st.sent >= 30, `sent ${st.sent}`);
    assert.equal(st.acked + st.droppedOverflow, st.taken, 'every reading a slow sender took was acknowledged');
  });

  it('loses nothing when the gateway is killed (SIGKILL) and restarted on the same port mid-run', async () => {
    const first = gateway as RunningGateway;
    const port = first.tcpPort;
    const abort = new AbortController();
    let phase: 'before' | 'restarting' | 'after' | 'done' = 'before';
    let target = Number.POSITIVE_INFINITY;
    let restarted: Promise<void> = Promise.resolve();
    let fleet: Fleet | null = null;
    let atKill: ReturnType<typeof sessionsNow> = new Map();
    const report = await runFleet({
      transport: tcp(port),
      auditTransport: tcp(port),
      storePath: dbPath(),
      idPrefix: 'crash',
      devices: 100,
      ratePerDevice: 10,
      durationMs: null,
      signal: abort.signal,
      drainTimeoutMs: 60_000,
      seed: 2,
      onStart: (started) => (fleet = started),
      onReadingSent: (total) => {
        if (phase === 'before' && total >= 2_000) {
          phase = 'restarting';
          if (fleet !== null) atKill = sessionsNow(fleet);
          restarted = (async () => {
            await first.stop('SIGKILL');
            gateway = await startGateway({ dataDir, port, args: GATEWAY_ARGS, nodeArgs: nodeArgsFor(GATEWAY_BIN) });
            // Sample on until the boards have sent as much again through the new gateway.
            target = total + 2_000;
            phase = 'after';
          })();
        } else if (phase === 'after' && total >= target) {
          phase = 'done';
          abort.abort();
        }
      },
    });
    await restarted;
    assert.equal(phase, 'done');
    assertClean(report);
    // Every board holds a session with the restarted gateway: more sessions than when it was killed.
    assert.equal(atKill.size, 100);
    assert.deepEqual(stayedAway(atKill), [], 'boards that never reached the restarted gateway');
  });

  it('`devices list --json` counts at least every acknowledged reading per board', async () => {
    const report = await run({ idPrefix: 'listed', devices: 5, ratePerDevice: 10, durationMs: 1_000 });
    assertClean(report);
    const { stdout } = await execFileAsync(process.execPath, [...nodeArgsFor(GATEWAY_BIN), 'devices', 'list', '--data', dataDir, '--json'], {
      cwd: REPO_ROOT,
    });
    const listed = new Map((JSON.parse(stdout) as { id: string; readings: number }[]).map((d) => [d.id, d.readings]));
    const acked = report.snapshot.totals.acked;
    let total = 0;
    for (let i = 1; i <= 5; i++) {
      const id = `listed-${i % 2 === 1 ? 'esp8266' : 'feather-m0'}-000${i}`;
      assert.ok(listed.has(id), `${id} is registered`);
      total += listed.get(id) ?? 0;
    }
    assert.ok(total >= acked, `${total} readings listed for ${acked} acknowledged`);
  });
});
