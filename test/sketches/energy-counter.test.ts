/**
 * The example sketches' `energy_wh` under the documented gateway rule
 * `{ "match": "energy_wh", "kind": "counter" }` (docs/FIELDS.md), across a watchdog reset after
 * which the boot continues (issues 15 and 17). The counter's total is kept with the boot
 * (Retained.h): in .noinit RAM on the Feather, in RTC user memory on the ESP8266, so both sketches
 * run here. A `write()` that never returns (`--hang-line`) makes the watchdog reset the board; then:
 *
 *   - no reading is refused COUNTER_BACKWARDS (nor NAKed at all), every seq is stored once, under
 *     the one boot, and `energy_wh` never goes lower with the seq, in the board's log and in SQLite;
 *   - after a power cycle (a new boot) the counter starts again at 0 and the gateway takes it.
 *
 * Every wait is on a log line; nothing sleeps.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { type Board, startBoard, waitForHelloOk } from './helpers/board.js';
import { buildSketch } from './helpers/build.js';
import { type RunningGateway, startGateway, storedReadings } from './helpers/gateway.js';
import { ProcessGroup, stopAndRemove } from './helpers/processes.js';

const PERIOD = 1000;
const LINK = { SAMPLE_PERIOD_MS: PERIOD, BACKOFF_BASE_MS: 200, BACKOFF_MAX_MS: 2000 };
const BOARDS = [
  { sketch: 'feather_m0_logger', device: 'feather-counter', defines: { ...LINK, WATCHDOG_MS: 3000, WIFI_JOIN_TIMEOUT_MS: 800, WIFI_RETRY_MAX_MS: 4000 } },
  { sketch: 'esp8266_logger', device: 'esp8266-counter', defines: LINK },
];

/** seq -> energy_wh in thousandths, from the board's "sample seq=N ... energy_wh=X" lines at or after `from`. */
function sampledEnergy(board: Board, from: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const line of board.child.lines.slice(from)) {
    const m = /^sample seq=(\d+) .*\benergy_wh=(\d+)\.(\d{3})\b/.exec(line);
    if (m) out.set(Number(m[1]), Number(m[2]) * 1000 + Number(m[3]));
  }
  return out;
}

/**
 * Pauses sampling and waits until the gateway holds every reading taken, or refused one (the
 * assertions then say which); returns the last seq.
 */
async function finish(board: Board, from: number): Promise<number> {
  const at = board.child.lines.length;
  board.child.send('pause');
  await board.child.waitFor(/^sampling paused$/, 20_000, at);
  const last = Math.max(0, ...sampledEnergy(board, from).keys());
  await board.child.waitFor((l) => {
    if (/^sheetlog: nak /.test(l)) return true;
    const m = /^sheetlog: (?:ack (\d+)|hello ok: acked=(\d+)) .*pending=0$/.exec(l);
    return m !== null && Number(m[1] ?? m[2]) >= last;
  }, 120_000, from);
  return last;
}

/** `energy_wh` of every stored reading of one boot, in thousandths, by seq. */
function storedEnergy(dataDir: string, device: string, boot: number): { seq: number; milli: number }[] {
  return storedReadings(dataDir, device)
    .filter((r) => r.boot === boot)
    .map((r) => {
      const value = (JSON.parse(r.fields) as Record<string, unknown>).energy_wh;
      assert.equal(typeof value, 'number', `seq ${r.seq}: energy_wh stored as ${String(value)}`);
      return { seq: r.seq, milli: Math.round((value as number) * 1000) };
    });
}

function assertNeverLower(values: { seq: number; milli: number }[], what: string): void {
  for (let i = 1; i < values.length; i++) {
    const [a, b] = [values[i - 1]!, values[i]!];
    assert.ok(b.milli >= a.milli, `${what}: energy_wh ${b.milli / 1000} at seq ${b.seq} is lower than ${a.milli / 1000} at seq ${a.seq}`);
  }
}

describe('the example energy counter under a counter rule, across a watchdog reset', {
  timeout: 600_000,
}, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sheetlog-counter-'));
  const group = new ProcessGroup();
  const dataDir = join(dir, 'data');
  const binaries: Record<string, string> = {};
  const warnings: string[] = [];
  let gateway: RunningGateway;

  before(async () => {
    mkdirSync(dataDir, { recursive: true });
    const builds = await Promise.all(
      BOARDS.map((b) => buildSketch(b.sketch, join(dir, b.device), { ...b.defines, DEVICE_ID: `"${b.device}"` })),
    );
    builds.forEach((b, i) => {
      binaries[BOARDS[i]!.device] = b.binary;
      warnings.push(...b.warnings);
    });
    const config = join(dir, 'gateway.json');
    writeFileSync(config, JSON.stringify({ fields: [{ match: 'energy_wh', unit: 'Wh', kind: 'counter' }] }));
    gateway = await startGateway(group, dataDir, 'gateway-counter', ['--config', config]);
  });

  after(() => stopAndRemove(group, dir));

  it('compiles with no warnings', () => {
    assert.deepEqual(warnings, []);
  });

  for (const { sketch, device } of BOARDS) {
    it(`${sketch}: the counter continues with the boot; a power cycle starts it at 0`, async () => {
      const board = await startBoard(group, device, binaries[device]!, {
        gateway: `127.0.0.1:${gateway.tcpPort}`,
        // Board time runs 4× faster than the wall clock: the same samples, watchdog and reset, in
        // a quarter of the time.
        extraArgs: ['--hang-line', '12', '--speed', '4'],
      });
      const reset = await board.child.waitFor(/^host: reset \(watchdog\)$/, 60_000);
      const before = sampledEnergy(board, 0);
      assert.ok(before.size > 0, 'readings were taken before the lock-up');
      const lastBefore = Math.max(...before.keys());
      assert.ok(before.get(lastBefore)! > 0, 'the counter had counted something before the reset');
      const cont = await board.child.waitFor(/^sheetlog: watchdog reset: boot (\d+) continues at seq (\d+)/, 30_000, reset.index);
      assert.equal(Number(cont.groups?.[1]), board.boot, 'the boot continues');
      await waitForHelloOk(board, cont.index, 60_000);
      await board.child.waitFor((l) => Number(/^sample seq=(\d+)/.exec(l)?.[1] ?? 0) >= lastBefore + 5, 60_000, cont.index);
      const last = await finish(board, 0);

      const naks = board.child.lines.filter((l) => /^sheetlog: nak /.test(l));
      assert.deepEqual(naks, [], 'no reading was refused');
      const sampled = sampledEnergy(board, 0);
      assert.deepEqual([...sampled.keys()], Array.from({ length: last }, (_, i) => i + 1), 'every seq sampled once');
      const afterReset = sampled.get(lastBefore + 1)!;
      assert.ok(afterReset >= before.get(lastBefore)!, `the first reading after the reset (${afterReset / 1000} Wh) went back`);
      assertNeverLower([...sampled].map(([seq, milli]) => ({ seq, milli })), 'board log');
      const stored = storedEnergy(dataDir, device, board.boot);
      assert.deepEqual(stored.map((r) => r.seq), Array.from({ length: last }, (_, i) => i + 1), 'every seq stored exactly once');
      assert.equal(storedReadings(dataDir, device).length, last, 'nothing stored under another boot');
      assertNeverLower(stored, 'SQLite');

      // Power lost: a new boot, whose counter starts again at 0, which the rule allows.
      const cycled = board.child.lines.length;
      board.child.send('!host power-cycle');
      const boot = await board.child.waitFor(/^sheetlog: boot=(\d+) .* reset=power$/, 30_000, cycled);
      const newBoot = Number(boot.groups?.[1]);
      assert.notEqual(newBoot, board.boot, 'a power cycle starts a new boot');
      await board.child.waitFor(/^sample seq=3 /, 30_000, boot.index);
      // The first reading comes within a pass or two of the start: at most a few mWh counted.
      const first = sampledEnergy(board, boot.index).get(1)!;
      assert.ok(first < 100 && first < stored.at(-1)!.milli, `the new boot counts from 0, not from ${first / 1000} Wh`);
      const lastNew = await finish(board, boot.index);
      assert.deepEqual(board.child.lines.slice(boot.index).filter((l) => /^sheetlog: nak /.test(l)), []);
      const storedNew = storedEnergy(dataDir, device, newBoot);
      assert.deepEqual(storedNew.map((r) => r.seq), Array.from({ length: lastNew }, (_, i) => i + 1));
      assert.equal(storedNew[0]!.milli, first);
      assertNeverLower(storedNew, 'SQLite, new boot');
    });
  }
});
