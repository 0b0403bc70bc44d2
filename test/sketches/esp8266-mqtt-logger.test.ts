/**
 * sketches/esp8266_mqtt_logger built unchanged for the host (with the host's PubSubClient) and run
 * against a real MQTT broker (aedes) and a stand-in for the gateway's MQTT side, which does not
 * exist yet (helpers/mqtt-gateway-double.ts). Checks the board's half of the MQTT mapping: broker
 * authentication with id/token, the retained status and last will, HELLO/R/T on their topics,
 * recovery from a lost QoS 0 message and from a dropped connection, every reading stored once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { type Board, sampleTimes, startBoard, waitForAllAcked, waitForAck, waitForHelloOk, wallClockAt } from './helpers/board.js';
import { buildSketch } from './helpers/build.js';
import { MqttGatewayDouble } from './helpers/mqtt-gateway-double.js';
import { ProcessGroup } from './helpers/processes.js';

const DEVICE = 'esp8266-mqtt-1';
const TOKEN = 'change-me-esp8266-mqtt-1';
const READINGS = 60;
const DEFINES = { SAMPLE_PERIOD_MS: 100, BACKOFF_BASE_MS: 200, BACKOFF_MAX_MS: 2000, REPLY_TIMEOUT_MS: 1500 };

describe('esp8266_mqtt_logger on the host, through an MQTT broker', { timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sheetlog-mqtt-'));
  const group = new ProcessGroup();
  let double: MqttGatewayDouble;
  let board: Board;
  let warnings: string[] = [];
  let statusWhileUp: string | undefined;
  let statusAfterExit: string | undefined;

  before(async () => {
    const built = await buildSketch('esp8266_mqtt_logger', dir, DEFINES);
    warnings = built.warnings;
    double = await MqttGatewayDouble.start({ [DEVICE]: TOKEN });
    double.loseReadings = new Set([12]); // QoS 0 loses the 12th R message
    board = await startBoard(group, 'esp8266-mqtt', built.binary, {
      gateway: `127.0.0.1:${double.port}`,
      wifiUpAfterMs: 1000,
      readings: READINGS,
    });
    await waitForHelloOk(board, 0);
    await waitForAck(board, 25, 60_000);
    const from = board.child.lines.length;
    board.child.send('!host drop');
    await board.child.waitFor(/^sheetlog: link down \(mqtt connection lost\)/, 20_000, from);
    await waitForHelloOk(board, from);
    await waitForAllAcked(board, READINGS, 60_000, from);
    statusWhileUp = await double.retainedStatus(DEVICE);
    board.child.send('!host exit');
    await board.child.exited;
    statusAfterExit = await double.retainedStatus(DEVICE);
  });

  after(async () => {
    await group.stopAll();
    await double?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('compiles unchanged with g++ and no warnings', () => {
    assert.deepEqual(warnings, []);
  });

  it('stores every reading exactly once despite a lost message and a dropped connection', () => {
    const mine = [...double.readings.values()].filter((r) => r.boot === board.boot);
    assert.deepEqual(
      mine.map((r) => r.seq).sort((a, b) => a - b),
      Array.from({ length: READINGS }, (_, i) => i + 1),
    );
    assert.equal(double.readings.size, READINGS, 'readings under another boot id');
    // The dropped message's reading arrived later: the board resent it (whatever else it resent).
    assert.equal(double.lostSeqs.length, 1, 'the double dropped one R message');
    const lostSeq = double.lostSeqs[0]!;
    assert.ok(mine.some((r) => r.seq === lostSeq), `reading ${lostSeq}, lost on the way, was never resent`);
  });

  it('says HELLO with boot, uptime, firmware and board on every connection', () => {
    assert.ok(double.hellos.length >= 3, `hellos: ${double.hellos.join(' | ')}`); // boot, after the lost message, after the drop
    for (const h of double.hellos) {
      assert.match(h, new RegExp(`^HELLO ${DEVICE} ${TOKEN} boot=${board.boot} up=\\d+ fw=1\\.0\\.0 board=esp8266$`));
    }
  });

  it('learns the time over MQTT and stamps later readings with it', () => {
    const taken = sampleTimes(board);
    const epochStamped = [...double.readings.values()].filter((r) => /^\d+$/.test(r.ts));
    assert.ok(epochStamped.length > READINGS / 2, `only ${epochStamped.length} readings carry an epoch time`);
    for (const r of epochStamped) {
      const expected = wallClockAt(board, taken.get(r.seq) as number);
      assert.ok(Math.abs(Number(r.ts) - expected) < 500, `seq ${r.seq}: ${r.ts} vs ${expected}`);
    }
    const early = [...double.readings.values()].filter((r) => r.ts.startsWith('u'));
    assert.ok(early.length > 0, 'readings before the link should be stamped u<millis>');
  });

  it('keeps a retained status: online while connected, the last will "lost" after it vanished', () => {
    assert.equal(statusWhileUp, 'online');
    assert.equal(statusAfterExit, 'lost');
    assert.ok(double.statuses.includes('lost'), 'the will was not published when the link dropped');
  });
});
