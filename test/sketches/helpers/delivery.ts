/**
 * The end-to-end story every sketch must pass against the real gateway on loopback:
 *
 *   1. The board boots with Wi-Fi out of range and takes readings (stamped u<millis>).
 *   2. Wi-Fi comes up: HELLO, the backlog goes out, the T exchange teaches the board the time.
 *      The 10th line the board writes (an R line of the backlog) is lost with the link, as if
 *      Wi-Fi died while it sat in the send buffer: the board must resend it.
 *   3. The link drops (plan.dropLink) and comes back; the board resends what was not acknowledged.
 *   4. The gateway is stopped (SIGTERM or SIGKILL) and started again on a new port; the board is
 *      pointed there and resends from the new HELLO OK's acked-seq.
 *   5. Sampling stops after plan.readings; the test waits until the board holds nothing unacked.
 *
 * Every wait is on an observable event (a log line); nothing sleeps.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { type Board, startBoard, waitForAck, waitForAllAcked, waitForHelloOk } from './board.js';
import { deviceClock, startGateway, type StoredReading, storedReadings } from './gateway.js';
import type { ProcessGroup } from './processes.js';

export interface DeliveryPlan {
  name: string;
  binary: string;
  device: string;
  readings: number;
  clockStart: number;
  wifiUpAfterMs: number;
  /** Breaks the board's link and resolves once the board is streaming again. */
  dropLink: (board: Board) => Promise<void>;
  restartSignal: NodeJS.Signals;
}

export interface DeliveryOutcome {
  board: Board;
  dataDir: string;
  rows: StoredReading[];
  /** Readings the board held when its first HELLO OK arrived: all taken before the link. */
  takenBeforeLink: number;
  helloOks: number;
  /** Readings the board sent more than once (from its `status` line). */
  resent: number;
  gatewayClock: { offset: number | null; rtt: number | null };
}

export async function runDelivery(group: ProcessGroup, workDir: string, plan: DeliveryPlan): Promise<DeliveryOutcome> {
  const dataDir = join(workDir, `data-${plan.name}`);
  mkdirSync(dataDir, { recursive: true });
  const first = await startGateway(group, dataDir, 'gateway-1');
  const board = await startBoard(group, plan.name, plan.binary, {
    gateway: `127.0.0.1:${first.tcpPort}`,
    clockStart: plan.clockStart,
    wifiUpAfterMs: plan.wifiUpAfterMs,
    readings: plan.readings,
    extraArgs: ['--lose-line', '10'],
  });

  const hello = await waitForHelloOk(board, 0, 60_000);
  const pendingAtHello = Number(/pending=(\d+)$/.exec(hello.line)?.[1]);
  const third = Math.floor(plan.readings / 3);
  // The story needs readings taken after the link came up (the link drop and the restart happen
  // while the board samples): a plan whose link comes up too late fails here, not after a wait.
  if (pendingAtHello + 5 > plan.readings) {
    throw new Error(`${plan.name}: the link came up with ${pendingAtHello} of ${plan.readings} readings taken; make Wi-Fi come up sooner\n${board.child.tail()}`);
  }
  await waitForAck(board, pendingAtHello + 5, 90_000, hello.index);

  await plan.dropLink(board);
  const afterDrop = board.child.lines.length;
  await waitForAck(board, 2 * third, 90_000, afterDrop);

  await first.child.stop(plan.restartSignal);
  const second = await startGateway(group, dataDir, 'gateway-2');
  const beforeRetarget = board.child.lines.length;
  board.child.send(`!host gateway 127.0.0.1:${second.tcpPort}`);
  await waitForHelloOk(board, beforeRetarget, 60_000);

  await board.child.waitFor(/^host: reading limit \d+ reached$/, 60_000);
  await waitForAllAcked(board, plan.readings, 60_000, beforeRetarget);
  const beforeStatus = board.child.lines.length;
  board.child.send('status');
  const status = await board.child.waitFor(/^sheetlog: state=.* resent=(\d+) /, 10_000, beforeStatus);

  const outcome: DeliveryOutcome = {
    board,
    dataDir,
    rows: storedReadings(dataDir, plan.device),
    takenBeforeLink: pendingAtHello,
    helloOks: board.child.lines.filter((l) => l.startsWith('sheetlog: hello ok: ')).length,
    resent: Number(status.groups?.[1]),
    gatewayClock: deviceClock(dataDir, plan.device),
  };
  board.child.send('!host exit');
  await board.child.exited;
  await second.child.stop('SIGTERM');
  writeFileSync(join(workDir, `${plan.name}.log`), board.child.lines.join('\n'));
  return outcome;
}
