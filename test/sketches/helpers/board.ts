/**
 * A sketch built for the host, running as a board: its controls (sketches/host/HostControl.h)
 * and what its serial log says.
 */
import type { Child, Match, ProcessGroup } from './processes.js';

export interface BoardOptions {
  /** Where the board's connections go, whatever its sheetlog_config.h says. */
  gateway: string;
  /** millis() at start; near 2^32 to cross the rollover during the test. */
  clockStart?: number;
  /** Wi-Fi out of range for this long after start. */
  wifiUpAfterMs?: number;
  /** The harness pauses sampling after this many readings. */
  readings?: number;
  extraArgs?: string[];
}

export interface Board {
  child: Child;
  clockStart: number;
  /** Wall-clock epoch ms when millis() was clockStart. */
  epochAtStart: number;
  boot: number;
}

export async function startBoard(group: ProcessGroup, name: string, binary: string, o: BoardOptions): Promise<Board> {
  const args = ['--gateway', o.gateway, '--exit-on-stdin-eof'];
  if (o.clockStart !== undefined) args.push('--clock-start', String(o.clockStart));
  if (o.wifiUpAfterMs !== undefined) args.push('--wifi-up-after', String(o.wifiUpAfterMs));
  if (o.readings !== undefined) args.push('--readings', String(o.readings));
  const child = group.spawn(name, binary, [...args, ...(o.extraArgs ?? [])]);
  const banner = await child.waitFor(/^host: clock start=(\d+) speed=\S+ epoch=(\d+)(?: reset=\S+)?$/, 60_000);
  const boot = await child.waitFor(/^sheetlog: boot=(\d+) /, 60_000);
  return {
    child,
    clockStart: Number(banner.groups?.[1]),
    epochAtStart: Number(banner.groups?.[2]),
    boot: Number(boot.groups?.[1]),
  };
}

/** Signed 32-bit distance a - b between two millis() values, as the boards compute it. */
export function millisDiff(a: number, b: number): number {
  return ((a - b) << 0) | 0;
}

/** The wall-clock time at which the board's millis() read `ms` (speed 1, no clock jumps). */
export function wallClockAt(board: Board, ms: number): number {
  return board.epochAtStart + millisDiff(ms, board.clockStart);
}

/** seq -> millis() when the sketch took the reading ("sample seq=N ms=M ..."). */
export function sampleTimes(board: Board): Map<number, number> {
  const out = new Map<number, number>();
  for (const line of board.child.lines) {
    const m = /^sample seq=(\d+) ms=(\d+) /.exec(line);
    if (m) out.set(Number(m[1]), Number(m[2]));
  }
  return out;
}

/** The highest seq the board has seen acknowledged in a line, or undefined. */
function ackedIn(line: string): number | undefined {
  const m = /^sheetlog: (?:ack (\d+) pending=\d+|hello ok: acked=(\d+) )/.exec(line);
  if (!m) return undefined;
  return Number(m[1] ?? m[2]);
}

/** Waits until the board logs an acknowledgement covering `seq` (at or after line `from`). */
export function waitForAck(board: Board, seq: number, timeoutMs = 90_000, from = 0): Promise<Match> {
  return board.child.waitFor((l) => (ackedIn(l) ?? -1) >= seq, timeoutMs, from);
}

/** Waits until the board holds nothing unacknowledged after `seq` was taken. */
export function waitForAllAcked(board: Board, seq: number, timeoutMs = 60_000, from = 0): Promise<Match> {
  return board.child.waitFor((l) => (ackedIn(l) ?? -1) >= seq && / pending=0$/.test(l), timeoutMs, from);
}

/** Waits for the next HELLO OK after line `from`. */
export function waitForHelloOk(board: Board, from: number, timeoutMs = 90_000): Promise<Match> {
  return board.child.waitFor(/^sheetlog: hello ok: /, timeoutMs, from);
}
