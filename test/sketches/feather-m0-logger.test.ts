/**
 * sketches/feather_m0_logger built unchanged for the host and run against the real gateway on
 * loopback (helpers/delivery.ts has the story). Harder than the ESP8266 run: millis() starts 3 s
 * before its 2^32 rollover, so readings taken before the link straddle the wrap; Wi-Fi is lost and
 * rejoined with WiFi101's blocking begin(); the gateway is killed with SIGKILL and restarted.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { assertClockOffsetLearned, assertExactlyOnce, assertReadingsBeforeLink, assertTimes } from './helpers/assertions.js';
import { type Board, sampleTimes, waitForHelloOk } from './helpers/board.js';
import { buildSketch } from './helpers/build.js';
import { type DeliveryOutcome, runDelivery } from './helpers/delivery.js';
import { ProcessGroup, stopAndRemove } from './helpers/processes.js';

const READINGS = 80;
const CLOCK_START = 2 ** 32 - 3000;
// A join attempt (WiFi101's begin() blocks) shorter than the period: no period is skipped. Join
// retries at most a second apart: with the default cap (60 s) a retry drawn after the third failure
// could fall after the 80th reading, and the story needs readings taken once the link is up.
const DEFINES = { SAMPLE_PERIOD_MS: 100, BACKOFF_BASE_MS: 200, BACKOFF_MAX_MS: 2000, WIFI_JOIN_TIMEOUT_MS: 50, WIFI_RETRY_MAX_MS: 1000 };

async function loseWiFi(board: Board): Promise<void> {
  const from = board.child.lines.length;
  board.child.send('!host wifi off');
  await board.child.waitFor(/^sheetlog: link down \(network down\)/, 10_000, from);
  board.child.send('!host wifi on');
  await board.child.waitFor(/^wifi: joined$/, 20_000, from);
  await waitForHelloOk(board, from);
}

describe('feather_m0_logger on the host, against the gateway', {
  timeout: 300_000,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sheetlog-feather-'));
  const group = new ProcessGroup();
  let warnings: string[] = [];
  let o: DeliveryOutcome;

  before(async () => {
    const built = await buildSketch('feather_m0_logger', dir, DEFINES);
    warnings = built.warnings;
    o = await runDelivery(group, dir, {
      name: 'feather',
      binary: built.binary,
      device: 'feather-1',
      readings: READINGS,
      clockStart: CLOCK_START,
      wifiUpAfterMs: 4500,
      dropLink: loseWiFi,
      restartSignal: 'SIGKILL',
    });
  });

  after(() => stopAndRemove(group, dir));

  it('compiles unchanged with g++ and no warnings', () => {
    assert.deepEqual(warnings, []);
  });

  it('stores every reading exactly once across lost Wi-Fi and a gateway crash', () => {
    assertExactlyOnce(o, READINGS);
    assert.ok(o.helloOks >= 4, `expected 4 HELLO OKs (boot, after the lost line, the rejoin, the restart), saw ${o.helloOks}`);
    assert.ok(o.resent >= 1, 'the reading lost with the link was never resent');
  });

  it('took readings on both sides of the millis() rollover before the link came up', () => {
    assertReadingsBeforeLink(o, 5);
    const before = [...sampleTimes(o.board)].filter(([seq]) => seq <= o.takenBeforeLink).map(([, ms]) => ms);
    assert.ok(before.some((ms) => ms > 2 ** 31), `no pre-link reading before the wrap: ${before.join(',')}`);
    assert.ok(before.some((ms) => ms < 2 ** 31), `no pre-link reading after the wrap: ${before.join(',')}`);
  });

  it('stores those readings at the time they were taken, wrap or not', () => {
    assertTimes(o, 500);
  });

  it('teaches the gateway its clock offset with T off=', () => {
    assertClockOffsetLearned(o, 100);
  });
});
