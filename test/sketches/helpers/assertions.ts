/** Checks shared by the sketch integration tests. */
import assert from 'node:assert/strict';

import { type Board, millisDiff, sampleTimes, wallClockAt } from './board.js';
import type { DeliveryOutcome } from './delivery.js';

/** Every reading 1..n stored exactly once, under the board's boot id. */
export function assertExactlyOnce(o: DeliveryOutcome, n: number): void {
  const seqs = o.rows.map((r) => r.seq);
  assert.equal(new Set(seqs).size, seqs.length, 'a seq is stored twice');
  assert.deepEqual(seqs, Array.from({ length: n }, (_, i) => i + 1), 'stored seqs are not exactly 1..n');
  assert.deepEqual([...new Set(o.rows.map((r) => r.boot))], [o.board.boot], 'rows carry another boot id');
}

/**
 * Every stored time is the wall-clock time at which the board took the reading, within
 * `toleranceMs`; readings taken before the first HELLO OK came as u<millis> ("uptime"), later
 * ones with the board's own epoch estimate ("device").
 */
export function assertTimes(o: DeliveryOutcome, toleranceMs: number): void {
  const taken = sampleTimes(o.board);
  const off: string[] = [];
  for (const r of o.rows) {
    const ms = taken.get(r.seq);
    assert.ok(ms !== undefined, `no "sample seq=${r.seq}" line`);
    const expected = wallClockAt(o.board, ms);
    if (Math.abs(r.ts - expected) > toleranceMs) off.push(`seq ${r.seq}: ts ${r.ts} vs ${expected} (${r.ts - expected} ms)`);
    const source = r.seq <= o.takenBeforeLink ? 'uptime' : 'device';
    assert.equal(r.ts_source, source, `seq ${r.seq} (taken at millis ${ms})`);
  }
  assert.deepEqual(off, [], 'stored times differ from when the readings were taken');
}

/** The gateway learnt the board's clock offset (epoch - millis) from its T reports. */
export function assertClockOffsetLearned(o: DeliveryOutcome, toleranceMs: number): void {
  const { offset } = o.gatewayClock;
  assert.ok(offset !== null, 'the gateway recorded no clock offset for the device');
  // off = epoch - millis of the T line that carried it; a rollover between start and that line
  // adds 2^32 to millis' distance from the start.
  const base = o.board.epochAtStart - o.board.clockStart;
  const error = Math.min(Math.abs(offset - base), Math.abs(offset - (base + 2 ** 32)));
  assert.ok(error <= toleranceMs, `gateway clock offset ${offset} is ${error} ms from the board's true offset`);
}

/** Readings before the link came up: at least `min`, and some taken before a millis() wrap. */
export function assertReadingsBeforeLink(o: DeliveryOutcome, min: number): void {
  assert.ok(o.takenBeforeLink >= min, `only ${o.takenBeforeLink} readings were taken before the link came up`);
}

export function crossedRollover(board: Board): boolean {
  const taken = [...sampleTimes(board).values()];
  return taken.some((ms, i) => i > 0 && millisDiff(ms, taken[i - 1] as number) > 0 && ms < (taken[i - 1] as number));
}
