/**
 * The sketches in the field (issue 17), built unchanged for the host and run against the real
 * gateway:
 *
 *   - a 90 s Wi-Fi outage on the Feather, passed on the board's injected clock (`!host advance`,
 *     WiFi101's blocking begin() in board time): every period sampled on time, none missed; and a
 *     join timeout longer than the period: the skipped periods counted and reported (HELLO missed=);
 *   - a radio lock-up (a write() that never returns): the watchdog resets the board, the boot and
 *     its buffered readings survive in no-init RAM, nothing acknowledged is lost, no seq is reused,
 *     and the gateway learns reset=watchdog;
 *   - the MQTT sketch with a 64-character id and a 128-character token, compiled with a user's
 *     sheetlog_config.h: PubSubClient's buffer fits, every reading is stored.
 *
 * Every wait is on a log line; nothing sleeps.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { type Board, sampleTimes, startBoard, waitForAllAcked, waitForHelloOk } from './helpers/board.js';
import { buildSketch, SKETCHES } from './helpers/build.js';
import { deviceHealth, type RunningGateway, startGateway, storedReadings } from './helpers/gateway.js';
import { ProcessGroup, stopAndRemove } from './helpers/processes.js';

const PERIOD = 1000;
const FEATHER = { SAMPLE_PERIOD_MS: PERIOD, BACKOFF_BASE_MS: 200, BACKOFF_MAX_MS: 2000, WATCHDOG_MS: 3000, WIFI_RETRY_MAX_MS: 4000 };

/** The last seq the board logged as sampled. */
function lastSample(board: Board): number {
  return Math.max(0, ...sampleTimes(board).keys());
}

/** Pauses sampling and waits until the gateway holds everything. */
async function finish(board: Board, timeoutMs = 120_000): Promise<number> {
  const from = board.child.lines.length;
  board.child.send('pause');
  await board.child.waitFor(/^sampling paused$/, 20_000, from);
  const last = lastSample(board);
  await waitForAllAcked(board, last, timeoutMs, 0);
  return last;
}

function assertStoredOnce(dataDir: string, device: string, boot: number, last: number): void {
  const rows = storedReadings(dataDir, device);
  assert.deepEqual(
    rows.map((r) => r.seq),
    Array.from({ length: last }, (_, i) => i + 1),
    'every seq stored exactly once',
  );
  assert.ok(rows.every((r) => r.boot === boot), 'all under one boot');
}

/** Takes Wi-Fi away for 90 s of board time while the loop keeps running, then brings it back. */
async function outage(board: Board): Promise<void> {
  let from = board.child.lines.length;
  board.child.send('!host wifi off');
  await board.child.waitFor(/^sheetlog: link down \(network down\)/, 20_000, from);
  board.child.send('!host advance 90000 20');
  await board.child.waitFor(/^host: clock advanced$/, 240_000, from);
  from = board.child.lines.length;
  board.child.send('!host wifi on');
  await board.child.waitFor(/^wifi: joined$/, 60_000, from);
  await waitForHelloOk(board, from, 60_000);
}

describe('sketches in the field, against the gateway', {
  timeout: 600_000,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sheetlog-field-'));
  const group = new ProcessGroup();
  const dataDir = join(dir, 'data');
  let gateway: RunningGateway;
  const binaries: Record<string, string> = {};
  const warnings: string[] = [];

  before(async () => {
    mkdirSync(dataDir, { recursive: true });
    const builds = await Promise.all([
      buildSketch('feather_m0_logger', join(dir, 'ontime'), { ...FEATHER, WIFI_JOIN_TIMEOUT_MS: 800, DEVICE_ID: '"feather-ontime"' }),
      buildSketch('feather_m0_logger', join(dir, 'slowjoin'), { ...FEATHER, WIFI_JOIN_TIMEOUT_MS: 2500, DEVICE_ID: '"feather-slowjoin"' }),
      buildSketch('feather_m0_logger', join(dir, 'lockup'), { ...FEATHER, WIFI_JOIN_TIMEOUT_MS: 800, DEVICE_ID: '"feather-lockup"' }),
    ]);
    const [ontime, slowjoin, lockup] = builds.map((b) => b.binary);
    Object.assign(binaries, { ontime, slowjoin, lockup });
    for (const b of builds) warnings.push(...b.warnings);
    gateway = await startGateway(group, dataDir);
  });

  after(() => stopAndRemove(group, dir));

  it('compiles with no warnings', () => {
    assert.deepEqual(warnings, []);
  });

  it('samples every period on time through a 90 s outage: none late by a period, none missed', async () => {
    const board = await startBoard(group, 'ontime', binaries.ontime!, { gateway: `127.0.0.1:${gateway.tcpPort}` });
    await waitForHelloOk(board, 0, 60_000);
    await outage(board);
    const last = await finish(board);
    const times = sampleTimes(board);
    const first = times.get(1)!;
    assert.ok(last >= 90, `only ${last} readings over a 90 s outage at one per second`);
    for (let seq = 1; seq <= last; seq++) {
      const ms = times.get(seq);
      assert.ok(ms !== undefined, `seq ${seq} never sampled`);
      const late = ((ms - first) >>> 0) - (seq - 1) * PERIOD; // the grid slot of seq is first + (seq-1) * period
      assert.ok(late >= 0 && late < PERIOD, `seq ${seq} taken ${late} ms after its slot`);
    }
    assert.ok(!board.child.lines.some((l) => /^sheetlog: missed /.test(l)), 'no period was missed');
    assert.ok(board.child.lines.some((l) => /^wifi: not joined/.test(l)), 'the outage made joins fail (blocking begin)');
    assertStoredOnce(dataDir, 'feather-ontime', board.boot, last);
    assert.deepEqual(deviceHealth(dataDir, 'feather-ontime'), { resetCause: 'power', missedSamples: 0 });
  });

  it('counts and reports the periods a join longer than the period skipped (HELLO missed=)', async () => {
    const board = await startBoard(group, 'slowjoin', binaries.slowjoin!, { gateway: `127.0.0.1:${gateway.tcpPort}` });
    await waitForHelloOk(board, 0, 60_000);
    await outage(board);
    const last = await finish(board);
    const missed = board.child.lines
      .map((l) => /^sheetlog: missed (\d+) samples/.exec(l))
      .filter((m) => m !== null)
      .reduce((sum, m) => sum + Number(m[1]), 0);
    assert.ok(missed > 0, 'a 2.5 s join blocks whole 1 s periods: some must be counted');
    const times = sampleTimes(board);
    const span = ((times.get(last)! - times.get(1)!) >>> 0) / PERIOD;
    assert.ok(Math.abs(last - 1 + missed - span) <= 1, `readings ${last} + missed ${missed} should cover ${span} periods`);
    assertStoredOnce(dataDir, 'feather-slowjoin', board.boot, last);
    const hello = board.child.lines.filter((l) => /^sheetlog: hello ok/.test(l)).length;
    assert.ok(hello >= 2);
    // The gateway knows the count its last HELLO carried: the board's total when it wrote that HELLO,
    // after its last join and before its last HELLO OK (a period missed later, say while a loaded
    // machine kept the board's process waiting, is reported at the next HELLO).
    const lines = board.child.lines;
    const lastBefore = (re: RegExp, end: number) => lines.slice(0, end).findLastIndex((l) => re.test(l));
    const totalBefore = (end: number) => Math.max(0, ...lines.slice(0, end).map((l) => Number(/^sheetlog: missed \d+ samples \(total (\d+)\)/.exec(l)?.[1] ?? 0)));
    const ok = lastBefore(/^sheetlog: hello ok/, lines.length);
    const joined = lastBefore(/^wifi: joined$/, ok);
    const health = deviceHealth(dataDir, 'feather-slowjoin');
    assert.equal(health.resetCause, 'power');
    const held = health.missedSamples ?? -1;
    assert.ok(
      held > 0 && held >= totalBefore(joined) && held <= totalBefore(ok),
      `the gateway holds missed=${held}; the board's total was ${totalBefore(joined)} at its last join and ${totalBefore(ok)} at its last HELLO OK`,
    );
  });

  it('recovers a radio lock-up with the watchdog: no acknowledged reading lost, no seq reused', async () => {
    const board = await startBoard(group, 'lockup', binaries.lockup!, {
      gateway: `127.0.0.1:${gateway.tcpPort}`,
      extraArgs: ['--hang-line', '12'],
    });
    const reset = await board.child.waitFor(/^host: reset \(watchdog\)$/, 60_000);
    const before = board.child.lines.slice(0, reset.index);
    const ackedBefore = Math.max(0, ...before.map((l) => Number(/^sheetlog: (?:ack (\d+)|hello ok: acked=(\d+))/.exec(l)?.slice(1).find(Boolean) ?? 0)));
    const sampledBefore = Math.max(0, ...before.map((l) => Number(/^sample seq=(\d+)/.exec(l)?.[1] ?? 0)));
    assert.ok(ackedBefore >= 1, 'something was acknowledged before the lock-up');
    const cont = await board.child.waitFor(/^sheetlog: watchdog reset: boot (\d+) continues at seq (\d+), (\d+) readings kept$/, 30_000, reset.index);
    assert.equal(Number(cont.groups?.[1] ?? /boot (\d+)/.exec(cont.line)?.[1]), board.boot, 'the boot continues');
    assert.equal(Number(/at seq (\d+)/.exec(cont.line)?.[1]), sampledBefore + 1, 'the next seq follows the last one taken');
    const hello = await waitForHelloOk(board, cont.index, 60_000);
    void hello;
    const more = board.child.lines.length;
    await board.child.waitFor((l) => Number(/^sample seq=(\d+)/.exec(l)?.[1] ?? 0) >= sampledBefore + 5, 60_000, more);
    const last = await finish(board);
    // Every seq was sampled once over both runs: none reused after the reset.
    const seqs = board.child.lines.map((l) => /^sample seq=(\d+)/.exec(l)?.[1]).filter((s) => s !== undefined).map(Number);
    assert.deepEqual(seqs, Array.from({ length: last }, (_, i) => i + 1));
    assertStoredOnce(dataDir, 'feather-lockup', board.boot, last);
    assert.equal(deviceHealth(dataDir, 'feather-lockup').resetCause, 'watchdog');
  });
});

describe('every sketch compiles as shipped and from a user config, whatever config.h the toolchain has', {
  timeout: 600_000,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sheetlog-configs-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  // The ESP8266 toolchain installs newlib's config.h in its include path: a sketch that asked for
  // "config.h" got that file. A stand-in that fails loudly if anything includes it:
  const toolchain = join(dir, 'toolchain-include');
  mkdirSync(toolchain, { recursive: true });
  writeFileSync(join(toolchain, 'config.h'), '#error "the toolchain\'s config.h was included instead of the sketch\'s settings"\n');

  for (const name of ['feather_m0_logger', 'esp8266_logger', 'esp8266_mqtt_logger']) {
    it(`${name}: with sheetlog_config.example.h, and with a user's sheetlog_config.h`, async () => {
      const shipped = await buildSketch(name, join(dir, name, 'shipped'), {}, [toolchain]);
      assert.deepEqual(shipped.warnings, []);
      const example = readFileSync(join(SKETCHES, name, 'sheetlog_config.example.h'), 'utf8');
      const user = example.replace(/#define SAMPLE_PERIOD_MS 10000/, '#define SAMPLE_PERIOD_MS 2500');
      assert.notEqual(user, example);
      const mine = await buildSketch(name, join(dir, name, 'user'), {}, [toolchain], user);
      assert.deepEqual(mine.warnings, []);
    });
  }
});

describe('esp8266_mqtt_logger with the longest id and token, from a user config', {
  timeout: 300_000,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sheetlog-longid-'));
  const group = new ProcessGroup();
  const id = `long-${'i'.repeat(59)}`;
  const token = `t${'0123456789abcdef'.repeat(8)}`.slice(0, 128);

  after(() => stopAndRemove(group, dir));

  it('connects, says HELLO and has every reading stored', async () => {
    assert.equal(id.length, 64);
    assert.equal(token.length, 128);
    const example = readFileSync(join(SKETCHES, 'esp8266_mqtt_logger', 'sheetlog_config.example.h'), 'utf8');
    const userConfig = example
      .replace('#define DEVICE_ID "esp8266-mqtt-1"', `#define DEVICE_ID "${id}"`)
      .replace('#define DEVICE_TOKEN "change-me-esp8266-mqtt-1"', `#define DEVICE_TOKEN "${token}"`)
      .replace('#define SAMPLE_PERIOD_MS 10000', '#define SAMPLE_PERIOD_MS 200');
    assert.notEqual(userConfig, example);
    const built = await buildSketch('esp8266_mqtt_logger', dir, {}, [], userConfig);
    assert.deepEqual(built.warnings, []);
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir, { recursive: true });
    const configPath = join(dir, 'gateway.json');
    writeFileSync(configPath, JSON.stringify({ mqtt: { embedded: true, embeddedHost: '127.0.0.1', embeddedPort: 0 } }));
    const gateway = await startGateway(group, dataDir, 'gateway-longid', ['--config', configPath]);
    const board = await startBoard(group, 'longid', built.binary, { gateway: `127.0.0.1:${gateway.mqttBrokerPort}`, readings: 20 });
    await waitForHelloOk(board, 0, 60_000);
    await waitForAllAcked(board, 20, 120_000);
    assert.ok(!board.child.lines.some((l) => /hello not published|mqtt setup failed/.test(l)));
    assertStoredOnce(dataDir, id, board.boot, 20);
  });
});

// End to end only: whether the board converts with its month-old estimate or the HELLO OK's new
// one depends on their round trips, which loopback makes nearly equal. The 2^32 ms case itself is
// pinned by test/sketches/cpp/test_retained.cpp (retained_conversion_after_30_and_60_day_outages),
// where the month-old estimate is the one in use.
describe('esp8266_logger converts times correctly after 30- and 60-day outages', {
  timeout: 600_000,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sheetlog-month-'));
  const group = new ProcessGroup();
  const HOUR = 3_600_000;
  const DAY = 24 * HOUR;

  after(() => stopAndRemove(group, dir));

  for (const days of [30, 60]) {
    it(`${days} days without the link: the newest reading is stamped by the board's clock, not 2^32 ms off`, async () => {
      const device = `esp-${days}d`;
      const built = await buildSketch('esp8266_logger', join(dir, device), {
        SAMPLE_PERIOD_MS: HOUR,
        BACKOFF_BASE_MS: 200,
        BACKOFF_MAX_MS: 1000,
        DEVICE_ID: `"${device}"`,
      });
      assert.deepEqual(built.warnings, []);
      const dataDir = join(dir, `data-${days}`);
      mkdirSync(dataDir, { recursive: true });
      const gateway = await startGateway(group, dataDir, `gateway-${days}d`);
      const board = await startBoard(group, device, built.binary, { gateway: `127.0.0.1:${gateway.tcpPort}` });
      await board.child.waitFor(/^sheetlog: time offset=/, 60_000);
      let from = board.child.lines.length;
      board.child.send('!host wifi off');
      await board.child.waitFor(/^sheetlog: link down \(network down\)/, 20_000, from);
      // The board runs through the outage an hour per loop() pass, sampling every hour.
      board.child.send(`!host advance ${days * DAY} ${HOUR}`);
      await board.child.waitFor(/^host: clock advanced$/, 240_000, from);
      from = board.child.lines.length;
      board.child.send('!host wifi on');
      await waitForHelloOk(board, from, 60_000);
      const last = await finish(board);
      const wallNow = Date.now();
      assert.ok(last > days * 24, `only ${last} readings over ${days} days at one per hour`);
      const rows = storedReadings(dataDir, device);
      const newest = rows.find((r) => r.seq === last);
      assert.ok(newest !== undefined, 'the newest reading was stored');
      const stamp = newest.ts_source === 'device' ? newest.ts : newest.device_ts;
      assert.ok(stamp !== null, 'the board stamped it with epoch ms');
      // The board knew the time before the outage and has run `days` days since on its own clock;
      // after the link returned it learns the gateway's clock, which did not move those days (the
      // advance is injected). Either estimate is right for the board; a 2^32 ms error is neither.
      const byOldEstimate = Math.abs(stamp - (wallNow + days * DAY));
      const byNewEstimate = Math.abs(stamp - wallNow);
      assert.ok(
        Math.min(byOldEstimate, byNewEstimate) < 2 * HOUR,
        `stamp ${stamp} is ${((stamp - wallNow) / DAY).toFixed(2)} days from the gateway's clock (want 0 or ${days})`,
      );
      const seqs = rows.map((r) => r.seq);
      assert.equal(new Set(seqs).size, seqs.length, 'no reading stored twice');
    });
  }
});
