/**
 * sketches/esp8266_logger built unchanged for the host and run against the real gateway on
 * loopback (helpers/delivery.ts has the story): Wi-Fi up 3 s after boot, a link reset mid-stream,
 * a graceful gateway restart (SIGTERM) onto a new port.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { assertClockOffsetLearned, assertExactlyOnce, assertReadingsBeforeLink, assertTimes } from './helpers/assertions.js';
import { type Board, waitForHelloOk } from './helpers/board.js';
import { buildSketch } from './helpers/build.js';
import { type DeliveryOutcome, runDelivery } from './helpers/delivery.js';
import { listDevices } from './helpers/gateway.js';
import { ProcessGroup, stopAndRemove } from './helpers/processes.js';

const READINGS = 80;
const DEFINES = { SAMPLE_PERIOD_MS: 100, BACKOFF_BASE_MS: 200, BACKOFF_MAX_MS: 2000 };

async function resetLink(board: Board): Promise<void> {
  const from = board.child.lines.length;
  board.child.send('!host drop');
  await board.child.waitFor(/^sheetlog: link down /, 10_000, from);
  await waitForHelloOk(board, from);
}

describe('esp8266_logger on the host, against the gateway', {
  timeout: 300_000,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sheetlog-esp8266-'));
  const group = new ProcessGroup();
  let warnings: string[] = [];
  let o: DeliveryOutcome;

  before(async () => {
    const built = await buildSketch('esp8266_logger', dir, DEFINES);
    warnings = built.warnings;
    o = await runDelivery(group, dir, {
      name: 'esp8266',
      binary: built.binary,
      device: 'esp8266-1',
      readings: READINGS,
      clockStart: 0,
      wifiUpAfterMs: 3000,
      dropLink: resetLink,
      restartSignal: 'SIGTERM',
    });
  });

  after(() => stopAndRemove(group, dir));

  it('compiles unchanged with g++ and no warnings', () => {
    assert.deepEqual(warnings, []);
  });

  it('stores every reading exactly once across a link reset and a gateway restart', () => {
    assertExactlyOnce(o, READINGS);
    assert.ok(o.helloOks >= 4, `expected 4 HELLO OKs (boot, after the lost line, the reset, the restart), saw ${o.helloOks}`);
    assert.ok(o.resent >= 1, 'the reading lost with the link was never resent');
  });

  it('stamps readings taken before the link came up with the time they were taken', () => {
    assertReadingsBeforeLink(o, 20);
    assertTimes(o, 500);
  });

  it('teaches the gateway its clock offset with T off=', () => {
    assertClockOffsetLearned(o, 100);
  });

  it('shows up in `sheetlog devices list` with all its readings', async () => {
    const devices = await listDevices(o.dataDir);
    const me = devices.find((d) => d.id === 'esp8266-1');
    assert.ok(me, `esp8266-1 not in ${JSON.stringify(devices.map((d) => d.id))}`);
    assert.equal(me.readings, READINGS);
  });
});
