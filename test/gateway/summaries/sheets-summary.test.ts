import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldRules } from '../../../gateway/fields/rules.js';
import { SummaryBuilder } from '../../../gateway/summaries/builder.js';
import { summariesSection } from '../../../gateway/config/sections/summaries.js';
import { SheetsSummaryTab } from '../../../gateway/sinks/google-sheets/summary-tab.js';
import { RateLimiter } from '../../../gateway/sinks/rate-limiter.js';
import { summaryPlacedTable } from '../../../gateway/summaries/placed-table.js';
import { SUMMARY_COLUMNS } from '../../../gateway/summaries/columns.js';
import { systemTimers } from '../../../gateway/time/timers.js';
import { createLogger } from '../../../gateway/log.js';
import { Writable } from 'node:stream';
import { sheetsHarness } from '../sinks/google-sheets/harness.js';
import { readings } from '../sinks/readings.js';

const H = 3_600_000;
const t0 = Date.parse('2026-06-01T00:00:00Z');

async function rig(t: { after(fn: () => Promise<void> | void): void }) {
  const h = await sheetsHarness();
  t.after(() => h.close());
  const builder = new SummaryBuilder(h.db, summariesSection.parse({ periods: ['1h'], timeZone: 'UTC', graceMs: 0 }), new FieldRules([]), 'UTC');
  const insert = h.db.prepare(`INSERT INTO readings (device, boot, seq, ts, ts_source, received, fields, bytes) VALUES (?, 1, ?, ?, 'device', ?, ?, 9)`);
  let seq = 0;
  const add = (device: string, ts: number, v: number) => insert.run(device, ++seq, ts, ts, JSON.stringify({ v }));
  const log = createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }));
  const tab = new SheetsSummaryTab(
    h.db,
    summaryPlacedTable('1h'),
    { spreadsheetId: 'sheetlog-test-book', credentials: h.credentials, rootUrl: h.emu.rootUrl, tokenUrl: h.emu.tokenUrl, requestTimeoutMs: 5000, timeZone: 'UTC', growRows: 3 },
    { limiter: new RateLimiter({ readsPerWindow: 10_000, writesPerWindow: 10_000, windowMs: 60_000 }, systemTimers), log },
  );
  /** Data rows as "device|start serial|count|revision". */
  const rowsOnTab = () => h.tab('summary 1h').slice(1).map((r) => `${r[3]}|${r[0]}|${r[7]}|${r[13]}`);
  return { h, builder, add, tab, rowsOnTab };
}

/** Flushes until a pass succeeds (faults make some fail); every failed pass leaves the rows due. */
async function flushThrough(tab: { flush(): Promise<boolean> }): Promise<number> {
  let failed = 0;
  while (!(await tab.flush())) failed++;
  return failed;
}

test('summary tab: header, one row per place, a late reading overwrites its own row', async (t) => {
  const { h, builder, add, tab, rowsOnTab } = await rig(t);
  for (let i = 0; i < 6; i++) add(i % 2 ? 'a' : 'b', t0 + i * H + 10, i);
  builder.catchUp(t0 + 7 * H);
  await flushThrough(tab);
  assert.deepEqual(h.tab('summary 1h')[0], [...SUMMARY_COLUMNS]);
  assert.equal(rowsOnTab().length, 6);
  add('a', t0 + H + 20, 100);
  builder.catchUp(t0 + 8 * H);
  await flushThrough(tab);
  const rows = rowsOnTab();
  assert.equal(rows.length, 6);
  assert.equal(rows.filter((r) => r.endsWith('|2|2')).length, 1, rows.join('\n'));
});

test('summary tab under applied-then-dropped writes, 429s and 503s: 0 lost, 0 duplicated', async (t) => {
  const { h, builder, add, tab, rowsOnTab } = await rig(t);
  h.emu.setFaults('drop-after-apply=0.3,drop-before-apply=0.1,429=0.1,503=0.1,seed=5');
  let failed = 0;
  for (let round = 0; round < 6; round++) {
    for (let i = 0; i < 5; i++) add(`d${i}`, t0 + round * H + 10 + i, round * 10 + i);
    // A late reading for the round before, when there is one.
    if (round > 0) add('d0', t0 + (round - 1) * H + 500, 1000 + round);
    builder.catchUp(t0 + (round + 1) * H);
    failed += await flushThrough(tab);
  }
  h.emu.setFaults('');
  assert.ok(failed > 0, 'some passes failed (the faults were exercised)');
  const rows = rowsOnTab();
  const expected = builder.table.rows('1h').map((r) => `${r.device}|${r.start}|${r.count}|${r.revision}`);
  const onTab = rows.map((r) => {
    const [device, serial, count, revision] = r.split('|');
    return `${device}|${Math.round((Number(serial) - 25569) * 86_400_000)}|${count}|${revision}`;
  });
  assert.deepEqual([...onTab].sort(), [...expected].sort());
  assert.equal(onTab.length, 30);
});

test('a Sheets sink whose tables leave out "readings" passes raw rows over: delivered, no raw tab', async (t) => {
  const { h } = await rig(t);
  const sink = h.sink({ writeReadings: false });
  await sink.start();
  t.after(() => sink.close());
  const batch = readings(5);
  assert.deepEqual(await sink.write({ rows: batch }), { kind: 'delivered', throughId: batch[4]!.id });
  assert.equal(h.sheet('readings'), undefined);
});
