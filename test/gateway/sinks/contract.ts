import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LONG_COLUMNS } from '../../../gateway/sinks/layout.js';
import type { Sink } from '../../../gateway/sinks/contract.js';
import { longKeys, readings } from './readings.js';

/** What a sink's destination holds, as text: the header and the data rows in order. */
export interface Table {
  header: string[];
  rows: string[][];
}

/** One sink on fresh state, and a way to look at what it wrote. */
export interface SinkUnderTest {
  sink: Sink;
  /** A new instance of the same sink on the same state (a restart). */
  reopen(): Promise<Sink>;
  /** The long-layout table at the destination, cells as strings. */
  table(): Promise<Table>;
  cleanup(): Promise<void>;
}

/**
 * The Sink contract, run against every implementation (memory, CSV, Google Sheets through the
 * emulator). Each test starts from a fresh destination.
 */
export function sinkContract(name: string, open: () => Promise<SinkUnderTest>): void {
  const fresh = async (t: { after(fn: () => Promise<void>): void }) => {
    const s = await open();
    t.after(() => s.cleanup());
    await s.sink.start();
    return s;
  };
  const keysOf = (table: Table) => {
    const [d, se, sq, b] = ['device', 'sensor', 'seq', 'boot'].map((c) => table.header.indexOf(c)) as [number, number, number, number];
    return table.rows.map((r) => `${r[d]}/${r[b]}/${r[sq]}/${r[se]}`);
  };

  test(`${name}: a batch is delivered in order, header first, one row per field`, async (t) => {
    const s = await fresh(t);
    const batch = readings(6);
    assert.deepEqual(await s.sink.write({ rows: batch }), { kind: 'delivered', throughId: 6 });
    const table = await s.table();
    assert.deepEqual(table.header, LONG_COLUMNS);
    assert.deepEqual(keysOf(table), longKeys(batch));
  });

  test(`${name}: a batch offered again (its confirmation was lost) is not written twice`, async (t) => {
    const s = await fresh(t);
    const batch = readings(5);
    await s.sink.write({ rows: batch });
    assert.deepEqual(await s.sink.write({ rows: batch }), { kind: 'delivered', throughId: 5 });
    assert.deepEqual(keysOf(await s.table()), longKeys(batch));
  });

  test(`${name}: an overlapping batch adds only the readings it lacked`, async (t) => {
    const s = await fresh(t);
    await s.sink.write({ rows: readings(3) });
    const outcome = await s.sink.write({ rows: readings(5, 2) });
    assert.deepEqual(outcome, { kind: 'delivered', throughId: 6 });
    assert.deepEqual(keysOf(await s.table()), longKeys(readings(6)));
  });

  test(`${name}: after a restart, rows it already holds are not written again`, async (t) => {
    const s = await fresh(t);
    await s.sink.write({ rows: readings(4) });
    await s.sink.close();
    const again = await s.reopen();
    await again.start();
    assert.deepEqual(await again.write({ rows: readings(6) }), { kind: 'delivered', throughId: 6 });
    assert.deepEqual(keysOf(await s.table()), longKeys(readings(6)));
    await again.close();
  });

  test(`${name}: text with commas, quotes, line breaks and non-ASCII survives unchanged`, async (t) => {
    const s = await fresh(t);
    const notes = ['a, b', 'say "hi"', 'two\r\nlines', 'Grüße ☃', '=1+1', ''];
    const batch = readings(notes.length, 1, { fields: (i) => ({ note: notes[i - 1], n: -i * 1.5, ok: i % 2 === 0 }) });
    await s.sink.write({ rows: batch });
    const table = await s.table();
    const value = table.header.indexOf('value');
    const sensor = table.header.indexOf('sensor');
    assert.deepEqual(
      table.rows.filter((r) => r[sensor] === 'note').map((r) => r[value]),
      notes,
    );
    assert.deepEqual(
      table.rows.filter((r) => r[sensor] === 'n').map((r) => Number(r[value])),
      notes.map((_, i) => -(i + 1) * 1.5),
    );
    assert.deepEqual(
      table.rows.filter((r) => r[sensor] === 'ok').map((r) => String(r[value]).toLowerCase()),
      notes.map((_, i) => String((i + 1) % 2 === 0)),
    );
  });

  test(`${name}: a row no destination can hold ends the batch; first in a batch it is rejected by name (quarantine)`, async (t) => {
    const s = await fresh(t);
    const batch = readings(4).map((r) => (r.id === 3 ? { ...r, ts: 1e16 } : r));
    assert.deepEqual(await s.sink.write({ rows: batch }), { kind: 'delivered', throughId: 2 });
    const refused = await s.sink.write({ rows: batch.slice(2) });
    assert.deepEqual(refused, { kind: 'rejected', code: 'BAD_ROW', reason: 'time 10000000000000000 is outside the years 1-9999', rowId: 3 });
    assert.deepEqual(await s.sink.write({ rows: batch.slice(3) }), { kind: 'delivered', throughId: 4 });
    assert.deepEqual(keysOf(await s.table()), longKeys([batch[0]!, batch[1]!, batch[3]!]));
  });

  test(`${name}: health reports ok, close is idempotent`, async (t) => {
    const s = await fresh(t);
    const h = await s.sink.health();
    assert.equal(h.ok, true, JSON.stringify(h));
    await s.sink.close();
    await s.sink.close();
  });
}
