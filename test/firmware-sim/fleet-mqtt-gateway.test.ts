import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { Fleet } from '../../firmware-sim/fleet.js';
import { REPO_ROOT, startGateway, type RunningGateway } from '../../firmware-sim/gateway-process.js';
import { runFleet, type FleetReport, type RunOptions } from '../../firmware-sim/run.js';
import { systemScheduler } from '../../firmware-sim/scheduler.js';
import { MqttTransport } from '../../firmware-sim/transport-mqtt.js';
import { mosquittoMissing, startMosquitto, type Mosquitto } from '../helpers/mqtt.js';
import { stayedAway, StormCuts, untilSent } from './fleet-properties.js';
import { nodeArgsFor } from '../helpers/entry.js';

/**
 * The simulator over MQTT against the real gateway (a child process): its embedded broker
 * (`mqtt.embedded`, free port), and a Mosquitto it subscribes to. Every reading a board saw
 * acknowledged must be in the SQLite file exactly once (read-only), nothing may stay unacknowledged,
 * and the audit (HELLO over MQTT, acked-seq) must agree. Waits are for events, with timeouts.
 */
const mosquittoSkip = mosquittoMissing() ?? false;

function mqttTransport(port: number, qos: 0 | 1 = 0): MqttTransport {
  return new MqttTransport({ host: '127.0.0.1', port, scheduler: systemScheduler, qos });
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
  assert.ok((report.audit?.checked ?? 0) > 0, 'audited');
  assert.deepEqual(report.audit?.failures, []);
  assert.equal(t.naked, 0, `valid readings NAKed: ${JSON.stringify(t.naks)}`);
  assert.equal(t.protocolViolations, 0);
  assert.equal(t.taken, t.acked + t.droppedOverflow);
}

/** Rows and distinct (device, boot, seq) keys of the fleet's boards (read-only). */
function storedRows(dbPath: string, prefix: string): { rows: number; keys: number } {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare("SELECT count(*) AS rows, count(DISTINCT device || '/' || boot || '/' || seq) AS keys FROM readings WHERE device LIKE ?")
      .get(`${prefix}-%`) as { rows: number; keys: number };
  } finally {
    db.close();
  }
}

describe('fleet over MQTT against the gateway\'s embedded broker', { timeout: 240_000 }, () => {
  let dataDir = '';
  let gateway: RunningGateway | null = null;
  let brokerPort = 0;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sheetlog-fleet-mqtt-'));
    gateway = await startGateway({
      dataDir,
      port: 0,
      args: ['--http-port', '0'],
      nodeArgs: nodeArgsFor('gateway/cli/bin.ts'),
      env: { SHEETLOG_MQTT__EMBEDDED: 'true', SHEETLOG_MQTT__EMBEDDED_HOST: '127.0.0.1', SHEETLOG_MQTT__EMBEDDED_PORT: '0' },
    });
    assert.ok(gateway.mqttPort, 'the gateway reports its broker port');
    brokerPort = gateway.mqttPort;
  });

  after(async () => {
    await gateway?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  const run = (options: Partial<RunOptions> & { idPrefix: string }, qos: 0 | 1 = 0) =>
    runFleet({
      transport: mqttTransport(brokerPort, qos),
      auditTransport: mqttTransport(brokerPort, qos),
      storePath: join(dataDir, 'sheetlog.db'),
      durationMs: 3_000,
      drainTimeoutMs: 60_000,
      seed: 1,
      ...options,
    });

  it('300 boards publishing QoS 0 with link drops and a storm: every acknowledged reading stored once, nothing lost', async () => {
    // Storms after a third and two thirds of 6,000 readings, the end after all of them.
    const total = 6_000;
    const abort = new AbortController();
    let fleet: Fleet | null = null;
    const cuts = new StormCuts();
    const report = await run({
      idPrefix: 'mq',
      devices: 300,
      ratePerDevice: 5,
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
    // Properties, not counts (those depend on the machine's speed): every board a storm cut came back.
    assert.ok(cuts.cut.size > 0, 'the storms cut links');
    assert.ok(t.linkDrops >= cuts.cut.size, `link drops: ${t.linkDrops}`);
    assert.deepEqual(stayedAway(cuts.cut), [], `boards without a session after the storm cut their link; closes: ${JSON.stringify(t.closes)}`);
    assert.ok(t.sent >= total, `sent ${t.sent}`);
    const { rows, keys } = storedRows(join(dataDir, 'sheetlog.db'), 'mq');
    assert.equal(rows, keys, 'unique (device, boot, seq)');
    assert.ok(rows >= t.acked && rows <= t.taken, `${rows} rows for ${t.acked} acknowledged of ${t.taken} taken`);
  });

  it('QoS 1, malformed messages, skewed clocks and slow senders keep working over MQTT', async () => {
    const garbage = await run({ idPrefix: 'mqg', devices: 30, ratePerDevice: 20, garbageProbability: 0.2, clockSkewMs: 3 * 86_400_000, ...untilSent(1_200) }, 1);
    assertClean(garbage);
    const t = garbage.snapshot.totals;
    assert.ok(t.garbageSent > 100, `garbage sent: ${t.garbageSent}`);
    assert.deepEqual(t.garbageMismatches, {});
    assert.equal(t.garbageAccepted, 0);
    assert.equal(t.garbageAnswered + t.garbageUnanswered, t.garbageSent);

    const slow = await run({ idPrefix: 'mqs', devices: 10, ratePerDevice: 2, slowByteIntervalMs: 2, ...untilSent(30) });
    assertClean(slow);
    assert.ok(slow.snapshot.totals.sent >= 30, `sent ${slow.snapshot.totals.sent}`);
  });

  it('a board with a wrong token is refused by the broker and stops for good, reported as failed', async () => {
    const first = await run({ idPrefix: 'mqa', credentials: [{ id: 'mqa-1', token: 'first-token' }], ratePerDevice: 5, durationMs: 500 });
    assertClean(first); // trust on first use: this token is now mqa-1's
    const report = await run({ idPrefix: 'mqa', credentials: [{ id: 'mqa-1', token: 'other-token' }], ratePerDevice: 5, durationMs: 500 });
    assert.equal(report.ok, false);
    assert.deepEqual(report.snapshot.failed, [{ id: 'mqa-1', reason: 'AUTH_FAILED' }]);
    assert.equal(report.snapshot.totals.acked, 0);
  });
});

describe('fleet over MQTT through Mosquitto, the gateway subscribed to it', { skip: mosquittoSkip, timeout: 240_000 }, () => {
  let dataDir = '';
  let broker: Mosquitto | null = null;
  let gateway: RunningGateway | null = null;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sheetlog-fleet-mosquitto-'));
    broker = await startMosquitto();
    const config = join(dataDir, 'config.json');
    writeFileSync(config, JSON.stringify({ mqtt: { url: broker.url, reconnectMinMs: 50 } }));
    gateway = await startGateway({ dataDir: join(dataDir, 'data'), port: 0, args: ['--http-port', '0', '--config', config], nodeArgs: nodeArgsFor('gateway/cli/bin.ts') });
  });

  after(async () => {
    await gateway?.stop('SIGKILL');
    await broker?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('100 boards with link drops and a storm: every acknowledged reading stored once, nothing lost', async () => {
    const port = (broker as Mosquitto).port;
    const total = 2_000;
    const abort = new AbortController();
    let fleet: Fleet | null = null;
    const cuts = new StormCuts();
    const report = await runFleet({
      transport: mqttTransport(port),
      auditTransport: mqttTransport(port),
      storePath: join(dataDir, 'data', 'sheetlog.db'),
      idPrefix: 'mos',
      devices: 100,
      ratePerDevice: 5,
      dropLinksPerSecond: 0.1,
      durationMs: null,
      drainTimeoutMs: 60_000,
      seed: 3,
      signal: abort.signal,
      onStart: (started) => (fleet = started),
      onReadingSent: (sent) => {
        if (fleet !== null && sent === total / 2) cuts.storm(fleet);
        if (sent === total) abort.abort();
      },
    });
    assertClean(report);
    assert.equal(report.snapshot.storms, 1);
    assert.ok(cuts.cut.size > 0, 'the storm cut links');
    assert.deepEqual(stayedAway(cuts.cut), [], 'boards without a session after the storm cut their link');
    const { rows, keys } = storedRows(join(dataDir, 'data', 'sheetlog.db'), 'mos');
    assert.equal(rows, keys, 'unique (device, boot, seq)');
  });
});
