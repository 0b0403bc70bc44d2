import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseCsv } from '../../../gateway/sinks/csv/rfc4180.js';
import { waitFor } from '../../helpers/wait.js';
import { join } from 'node:path';
import { tieredCost } from '../../../gateway/billing/tariff.js';
import { BillingMonths } from '../../../gateway/billing/months.js';
import { PeriodClock } from '../../../gateway/time/periods.js';
import { billCommand } from '../../../gateway/cli/bill.js';
import { startTestApp } from '../../helpers/app.js';
import { ManualTimers } from '../../helpers/manual-timers.js';

const tiers = [
  { upTo: 100, price: 0.2 },
  { upTo: 300, price: 0.3 },
  { upTo: null, price: 0.5 },
];

test('tiers: exactly on a band edge stays in the lower band; above it spills; none at all', () => {
  const edge = tieredCost(100, tiers);
  assert.deepEqual(edge.tiers.map((t) => t.quantity), [100, 0, 0]);
  assert.equal(edge.tierReached, 1);
  assert.equal(edge.energyCost, 20);
  const over = tieredCost(300.5, tiers);
  assert.deepEqual(over.tiers.map((t) => t.quantity), [100, 200, 0.5]);
  assert.equal(over.tierReached, 3);
  assert.equal(over.energyCost, 20 + 60 + 0.25);
  const none = tieredCost(0, tiers);
  assert.deepEqual([none.energyCost, none.tierReached], [0, 1]);
});

test('billing months: a start day, local midnights, the month of an instant', () => {
  const months = new BillingMonths(new PeriodClock('Europe/Berlin'), 15);
  assert.deepEqual(months.span('2026-03'), { start: Date.parse('2026-03-14T23:00:00Z'), end: Date.parse('2026-04-14T22:00:00Z') });
  assert.equal(months.monthOf(Date.parse('2026-04-14T21:59:59Z')), '2026-03');
  assert.equal(months.monthOf(Date.parse('2026-04-14T22:00:00Z')), '2026-04');
  assert.equal(months.monthOf(Date.parse('2026-01-10T12:00:00Z')), '2025-12');
  assert.equal(months.span('2026-13'), null);
});

interface BillJson {
  month: string;
  consumption: number;
  total: number;
  tierReached: number;
  final: boolean;
  readings: number;
  tiers: { quantity: number; cost: number }[];
}

test('bills: a reset mid-month, a month with no readings; the API and the CLI give the same figures', async (t) => {
  const timers = new ManualTimers(Date.parse('2026-05-20T12:00:00Z'));
  const billing = { field: 'energy_wh', unit: 'kWh', tiers, fixedCharge: 5, currency: 'EUR', monthStartDay: 1, timeZone: 'UTC' };
  const fields = [{ match: 'energy_wh', kind: 'counter', scale: 0.001, unit: 'kWh' }];
  const gw = await startTestApp({ billing, fields }, timers);
  t.after(() => gw.stop());
  const db = gw.app.store.db;
  gw.app.store.devices.add('meter', timers.now());
  const insert = db.prepare(`INSERT INTO readings (device, boot, seq, ts, ts_source, received, fields, bytes) VALUES ('meter', ?, ?, ?, 'device', ?, ?, 9)`);
  let seq = 0;
  const add = (boot: number, iso: string, wh: number) => insert.run(boot, ++seq, Date.parse(iso), Date.parse(iso), JSON.stringify({ energy_wh: wh }));
  add(1, '2026-03-31T23:00:00Z', 1_000_000); // before April: the starting point
  add(1, '2026-04-10T00:00:00Z', 1_150_000); // +150 kWh
  add(2, '2026-04-12T00:00:00Z', 20_000); // reboot from 0: +20 kWh
  add(2, '2026-04-30T00:00:00Z', 150_000); // +130 kWh → 300 kWh: exactly on the second edge
  const api = async (q: string) => {
    const res = await fetch(`http://127.0.0.1:${gw.httpPort}/api/v1/devices/meter/bill${q}`);
    return (await res.json()) as { status: string; result: BillJson; reason: { code: string } | null };
  };
  const april = await api('?month=2026-04');
  assert.equal(april.status, 'ok', JSON.stringify(april));
  assert.deepEqual([april.result.consumption, april.result.tierReached, april.result.final, april.result.readings], [300, 2, true, 3]);
  assert.deepEqual(april.result.tiers.map((x) => x.quantity), [100, 200, 0]);
  assert.equal(april.result.total, 20 + 60 + 5);
  const may = await api('');
  assert.deepEqual([may.result.month, may.result.consumption, may.result.total, may.result.final], ['2026-05', 0, 5, false]);
  assert.equal((await api('?month=2026-4')).reason?.code, 'INVALID_PARAMETER');
  // The CLI, on the same data directory, beside the running gateway.
  const configFile = join(gw.dataDir, 'cli-config.json');
  writeFileSync(configFile, JSON.stringify({ dataDir: gw.dataDir, billing, fields }));
  let printed = '';
  await billCommand((s) => (printed += s), () => timers.now()).parseAsync(['meter', '--month', '2026-04', '--json', '--config', configFile], { from: 'user' });
  assert.deepEqual(JSON.parse(printed), april.result);
  printed = '';
  await billCommand((s) => (printed += s), () => timers.now()).parseAsync(['meter', '--month', '2026-04', '--config', configFile], { from: 'user' });
  assert.match(printed, /total: 85\.00 EUR/);
  assert.match(printed, /tier reached: 2/);
  // The bills file: one row per device and month, the same figures; revised in place.
  const file = join(gw.dataDir, 'csv', 'bills.csv');
  const billRows = () => (existsSync(file) ? parseCsv(readFileSync(file, 'utf8')).records : []);
  await waitFor(() => {
    timers.advance(5_000);
    return billRows().length === 3; // March (the starting point's month, 0 kWh) and April
  }, 'the bills file');
  const header = billRows()[0] as string[];
  const col = (row: string[], name: string) => row[header.indexOf(name)];
  assert.deepEqual([col(billRows()[1] as string[], 'month'), col(billRows()[1] as string[], 'total')], ['2026-03', '5']);
  const aprilRow = billRows()[2] as string[];
  assert.deepEqual(
    ['month', 'device', 'final', 'consumption', 'tier_reached', 'tier_1_quantity', 'tier_2_quantity', 'total', 'currency'].map((c) => col(aprilRow, c)),
    ['2026-04', 'meter', 'final', '300', '2', '100', '200', String(april.result.total), 'EUR'],
  );
  add(2, '2026-05-02T00:00:00Z', 160_000); // May: +10 kWh, month to date
  add(2, '2026-04-30T12:00:00Z', 155_000); // late for April: +5 kWh in April, May's step shrinks
  await waitFor(() => {
    timers.advance(5_000);
    const rows = billRows();
    return rows.length === 4 && col(rows[2] as string[], 'revision') === '2';
  }, 'the April row revised and a May row');
  const rows = billRows();
  assert.deepEqual([col(rows[2] as string[], 'month'), col(rows[2] as string[], 'consumption'), col(rows[2] as string[], 'tier_3_quantity')], ['2026-04', '305', '5']);
  assert.deepEqual([col(rows[3] as string[], 'month'), col(rows[3] as string[], 'final'), col(rows[3] as string[], 'consumption')], ['2026-05', 'to date', '5']);
  const aprilNow = await api('?month=2026-04');
  assert.equal(col(rows[2] as string[], 'total'), String(aprilNow.result.total));
  assert.equal(aprilNow.result.total, 20 + 60 + 2.5 + 5);
});
