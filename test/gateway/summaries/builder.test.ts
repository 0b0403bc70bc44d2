import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Db } from '../../../gateway/store/database.js';
import { summaryRig } from './rig.js';

const H = 3_600_000;

interface Raw {
  device: string;
  boot: number;
  seq: number;
  ts: number;
  fields: string;
}

/** Independent: the hourly (UTC) figures straight from the raw rows, by plain loops. */
function expectedHourly(db: Db, device: string, field: string, hourStart: number): { count: number; min: number; max: number; mean: number; last: number } | null {
  const rows = (db.prepare('SELECT device, boot, seq, ts, fields FROM readings WHERE device = ?').all(device) as Raw[])
    .map((r) => ({ ...r, v: (JSON.parse(r.fields) as Record<string, unknown>)[field] }))
    .filter((r) => typeof r.v === 'number' && r.ts >= hourStart && r.ts < hourStart + H)
    .sort((a, b) => a.ts - b.ts || a.boot - b.boot || a.seq - b.seq);
  if (rows.length === 0) return null;
  const vals = rows.map((r) => (r.v as number) * 0.5);
  return { count: vals.length, min: Math.min(...vals), max: Math.max(...vals), mean: vals.reduce((a, b) => a + b, 0) / vals.length, last: vals[vals.length - 1] as number };
}

test('hourly gauge rows match an independent computation over the raw rows; open periods wait for the grace', (t) => {
  const { db, builder, add } = summaryRig(t);
  const t0 = Date.parse('2026-06-01T00:00:00Z');
  let x = 17;
  for (let i = 0; i < 500; i++) {
    x = (x * 31 + 7) % 997;
    add(i % 3 === 0 ? 'a' : 'b', 1, t0 + Math.floor((i * 5 * H) / 500), { temp: x, note: 'text is skipped' });
  }
  builder.catchUp(t0 + 5 * H + 59_000);
  // Hours 0..3 closed long enough; hour 4 closed 59 s ago (grace 60 s): not written yet.
  assert.deepEqual(
    [...new Set(builder.table.rows('1h').map((r) => r.start))],
    [0, 1, 2, 3].map((h) => t0 + h * H),
  );
  builder.catchUp(t0 + 5 * H + 60_000);
  assert.equal(builder.table.rows('1h').filter((r) => r.start === t0 + 4 * H).length, 2, 'hour 4 once the grace is past');
  for (const device of ['a', 'b']) {
    for (let h = 0; h < 5; h++) {
      const row = builder.table.find('1h', device, 'temp', t0 + h * H);
      const exp = expectedHourly(db, device, 'temp', t0 + h * H);
      assert.ok(row && exp);
      assert.deepEqual([row.count, row.min, row.max, row.last, row.unit, row.kind], [exp.count, exp.min, exp.max, exp.last, '°C', 'gauge']);
      assert.ok(Math.abs((row.mean as number) - exp.mean) < 1e-9);
    }
  }
  assert.equal(builder.table.rows('1h').filter((r) => r.field === 'note').length, 0);
  assert.equal(builder.table.rows('1d').length, 0, 'the day is still open');
});

test('a late reading revises the same row: same id, next revision; an unchanged recompute keeps the revision', (t) => {
  const { builder, add } = summaryRig(t);
  const t0 = Date.parse('2026-06-01T10:00:00Z');
  add('a', 1, t0 + 1000, { temp: 10 });
  add('a', 1, t0 + 2000, { temp: 20 });
  builder.catchUp(t0 + 2 * H);
  const first = builder.table.find('1h', 'a', 'temp', t0);
  assert.ok(first);
  assert.deepEqual([first.count, first.max, first.revision], [2, 10, 1]);
  add('a', 1, t0 + 1500, { temp: 40 });
  builder.catchUp(t0 + 3 * H);
  const revised = builder.table.find('1h', 'a', 'temp', t0);
  assert.ok(revised);
  assert.deepEqual([revised.id, revised.count, revised.max, revised.last, revised.revision], [first.id, 3, 20, 10, 2]);
  assert.equal(builder.table.rows('1h').length, 1);
});

test('counters: consumption across hours, a wrap, a reboot from 0, and a late reading that changes the next hour too', (t) => {
  const { builder, add } = summaryRig(t);
  const t0 = Date.parse('2026-06-01T00:00:00Z');
  add('m', 1, t0 + 10, { energy_wh: 100 });
  add('m', 1, t0 + H / 2, { energy_wh: 150 });
  add('m', 1, t0 + H + 10, { energy_wh: 65530 }); // hour 1: +65380
  add('m', 1, t0 + H + 20, { energy_wh: 4 }); // wrap: +10
  add('m', 2, t0 + 2 * H + 10, { energy_wh: 3 }); // reboot from 0: +3
  builder.catchUp(t0 + 4 * H);
  const c = (h: number) => builder.table.find('1h', 'm', 'energy_wh', t0 + h * H)?.consumption;
  assert.deepEqual([c(0), c(1), c(2)], [50, 65390, 3]);
  // A late reading in hour 0 after the others: hour 0 gains, hour 1's first step shrinks.
  add('m', 1, t0 + H - 1, { energy_wh: 1000 });
  builder.catchUp(t0 + 5 * H);
  assert.deepEqual([c(0), c(1), c(2)], [900, 64540, 3]);
  const sum = builder.table.rows('1h').reduce((a, r) => a + (r.consumption ?? 0), 0);
  assert.equal(sum, 65530 - 100 + 10 + 3, 'the hours add up to the whole');
});

test('one scan of several late counter readings of an hour: each span marked once, and the next hour revised', (t) => {
  const { db, builder, add } = summaryRig(t);
  const t0 = Date.parse('2026-06-01T00:00:00Z');
  add('m', 1, t0 + 10, { energy_wh: 100, temp_c: 20 });
  add('m', 1, t0 + H + 10, { energy_wh: 400 });
  builder.catchUp(t0 + 3 * H);
  const c = (h: number) => builder.table.find('1h', 'm', 'energy_wh', t0 + h * H)?.consumption;
  assert.deepEqual([c(0), c(1)], [0, 300]);
  // Three late readings of hour 0 in one batch, the latest first: only it bounds hour 1.
  add('m', 1, t0 + H - 5, { energy_wh: 350, temp_c: 21 });
  add('m', 1, t0 + 20, { energy_wh: 150, temp_c: 22 });
  add('m', 1, t0 + 30, { energy_wh: 200 });
  assert.equal(builder.scan(100), 6, 'three readings, for each of two periods');
  const dirty = db.prepare("SELECT field, start FROM summary_dirty WHERE period = '1h' ORDER BY field, start").all();
  assert.deepEqual(dirty, [
    { field: 'energy_wh', start: t0 },
    { field: 'energy_wh', start: t0 + H },
    { field: 'temp_c', start: t0 },
  ]);
  builder.catchUp(t0 + 3 * H);
  assert.deepEqual([c(0), c(1)], [250, 50]);
});

test('daily rows on the DST days of 23 and 25 hours (Europe/Berlin): one row each, every hourly reading in it', (t) => {
  const { builder, add } = summaryRig(t, { timeZone: 'Europe/Berlin' });
  for (const [day, hours] of [['2026-03-28T23:00:00Z', 23], ['2026-10-24T22:00:00Z', 25]] as const) {
    const start = Date.parse(day);
    for (let h = 0; h < hours; h++) add('a', 1, start + h * H + 60_000, { temp: h });
  }
  builder.catchUp(Date.parse('2026-11-01T00:00:00Z'));
  const days = builder.table.rows('1d');
  assert.deepEqual(days.map((d) => [d.count, (d.end - d.start) / H]), [[23, 23], [25, 25]]);
  assert.equal(builder.table.rows('1h').length, 48);
  assert.deepEqual(days.map((d) => builder.clock.label(d.start)), ['2026-03-29 00:00+01:00', '2026-10-25 00:00+02:00']);
});
