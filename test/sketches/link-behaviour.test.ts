/**
 * The TCP link state machine of esp8266_logger (SheetlogClient) against a scripted peer, with the
 * host clock running 10x: backoff while connects are refused, a NAKed reading dropped for good,
 * BUSY honoured (readings kept, no reconnect before retry-after), and a closing ERR.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { type Board, startBoard, waitForAllAcked } from './helpers/board.js';
import { buildSketch } from './helpers/build.js';
import { ProcessGroup } from './helpers/processes.js';
import { ScriptedGateway } from './helpers/scripted-gateway.js';

const READINGS = 30;
const BASE = 200;
const MAX = 2000;
const DEFINES = { SAMPLE_PERIOD_MS: 200, BACKOFF_BASE_MS: BASE, BACKOFF_MAX_MS: MAX };
const NAKED = 3;
const BUSY_AT = 8;
const RETRY_AFTER = 3000;
const TAKEN_OVER_AT = 20;

describe('SheetlogClient link behaviour against a scripted gateway', { timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sheetlog-link-'));
  const group = new ProcessGroup();
  let gw: ScriptedGateway;
  let board: Board;
  let retries: number[] = [];
  let busyAnswered = false;
  let takenOver = false;

  before(async () => {
    const built = await buildSketch('esp8266_logger', dir, DEFINES);
    const finished = new Set<unknown>(); // connections past BUSY/ERR: nothing more is accepted
    gw = await ScriptedGateway.start((line, conn, g) => {
      const words = line.split(' ');
      if (finished.has(conn)) return [];
      if (words[0] === 'HELLO') return [`HELLO OK ${Date.now()} ${g.contiguous(new Set([NAKED]))}`];
      if (words[0] !== 'R') return undefined;
      const seq = Number(words[1]);
      if (seq === NAKED) return [`NAK ${seq} BAD_VALUE field temp_c: scripted rejection`];
      if (seq === BUSY_AT && !busyAnswered) {
        busyAnswered = true;
        finished.add(conn); // "this reading and every later one on this connection were NOT accepted"
        setTimeout(() => conn.socket.end(), 20); // "acknowledges what it accepted before, then closes"
        return [`BUSY ${RETRY_AFTER}`];
      }
      if (seq === TAKEN_OVER_AT && !takenOver) {
        takenOver = true;
        finished.add(conn);
        setTimeout(() => conn.socket.end(), 20);
        return ['ERR TAKEN_OVER another connection authenticated as this device'];
      }
      return undefined;
    });
    board = await startBoard(group, 'esp8266-link', built.binary, {
      gateway: `127.0.0.1:${gw.port}`,
      readings: READINGS,
      extraArgs: ['--speed', '10', '--refuse'],
    });
    const failures = /^sheetlog: link down \(connect failed\), retry in (\d+) ms/;
    let failuresSeen = 0;
    await board.child.waitFor((l) => failures.test(l) && ++failuresSeen >= 6, 60_000);
    retries = board.child.lines.flatMap((l) => {
      const m = failures.exec(l);
      return m ? [Number(m[1])] : [];
    });
    board.child.send('!host refuse off');
    await waitForAllAcked(board, READINGS, 120_000);
    board.child.send('!host exit');
    await board.child.exited;
  });

  after(async () => {
    await group.stopAll();
    await gw?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('backs off with jittered doubling delays while connects fail', () => {
    assert.ok(retries.length >= 6);
    retries.forEach((delay, attempt) => {
      const ceiling = Math.min(MAX, BASE * 2 ** attempt);
      assert.ok(delay >= ceiling / 2 && delay <= ceiling, `attempt ${attempt}: ${delay} ms outside [${ceiling / 2}, ${ceiling}]`);
    });
    assert.ok(new Set(retries.slice(4)).size > 1 || retries.length < 6, 'delays at the cap should be jittered');
  });

  it('drops a NAKed reading for good and never sends it again', () => {
    assert.equal(gw.received.get(NAKED), 1);
    assert.ok(board.child.lines.some((l) => l.startsWith(`sheetlog: nak ${NAKED} BAD_VALUE`)));
  });

  it('keeps readings after BUSY and waits retry-after before reconnecting', () => {
    const i = board.child.lines.findIndex((l) => l.startsWith(`sheetlog: busy: retry after ${RETRY_AFTER} ms`));
    assert.ok(i >= 0, 'no BUSY in the board log');
    const down = board.child.lines.slice(i).find((l) => l.startsWith('sheetlog: link down'));
    const wait = Number(/retry in (\d+) ms/.exec(down ?? '')?.[1]);
    assert.ok(wait >= RETRY_AFTER, `reconnect scheduled after ${wait} ms, before retry-after ${RETRY_AFTER}`);
    const ups = gw.connections.map((c) => Number(/ up=(\d+)/.exec(c.lines[0] ?? '')?.[1]));
    const busyConn = gw.connections.findIndex((c) => c.lines.some((l) => l.startsWith(`R ${BUSY_AT} `)));
    const gap = (ups[busyConn + 1] as number) - (ups[busyConn] as number);
    assert.ok(gap >= RETRY_AFTER, `next HELLO only ${gap} board-ms after the BUSY connection's`);
  });

  it('reconnects after a closing ERR and delivers every other reading exactly once', () => {
    assert.ok(board.child.lines.some((l) => l === 'sheetlog: err TAKEN_OVER'));
    const expected = Array.from({ length: READINGS }, (_, i) => i + 1).filter((s) => s !== NAKED);
    assert.deepEqual([...gw.accepted].sort((a, b) => a - b), expected);
  });
});
