import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePeriod, PeriodClock } from '../../../gateway/time/periods.js';

const H = 3_600_000;

function hourlySpansOfDay(clock: PeriodClock, t: number): { start: number; end: number }[] {
  const day = clock.daySpan(t);
  const hour = parsePeriod('1h');
  assert.ok(hour);
  const spans = [];
  for (let at = day.start; at < day.end; ) {
    const s = clock.spanOf(hour, at);
    spans.push(s);
    at = s.end;
  }
  return spans;
}

test('parsePeriod: sub-day periods divide a day; 1d; anything else refused', () => {
  assert.deepEqual(parsePeriod('1h'), { name: '1h', lengthMs: H });
  assert.deepEqual(parsePeriod('15m'), { name: '15m', lengthMs: 900_000 });
  assert.deepEqual(parsePeriod('1d'), { name: '1d', lengthMs: 0 });
  for (const bad of ['7m', '5h', '24h', '2d', '0h', 'h', '1w', ' 1h']) assert.equal(parsePeriod(bad), null, bad);
});

test('Europe/Berlin: the spring day has 23 hourly periods, the autumn day 25, an ordinary day 24', () => {
  const clock = new PeriodClock('Europe/Berlin');
  const spring = Date.parse('2026-03-29T10:00:00Z');
  const autumn = Date.parse('2026-10-25T10:00:00Z');
  const plain = Date.parse('2026-06-10T10:00:00Z');
  assert.deepEqual(clock.daySpan(spring), { start: Date.parse('2026-03-28T23:00:00Z'), end: Date.parse('2026-03-29T22:00:00Z') });
  assert.deepEqual(clock.daySpan(autumn), { start: Date.parse('2026-10-24T22:00:00Z'), end: Date.parse('2026-10-25T23:00:00Z') });
  assert.equal(hourlySpansOfDay(clock, spring).length, 23);
  assert.equal(hourlySpansOfDay(clock, autumn).length, 25);
  assert.equal(hourlySpansOfDay(clock, plain).length, 24);
  // The repeated wall-clock hour 02:00 is two periods, told apart by their offsets.
  const labels = hourlySpansOfDay(clock, autumn).map((s) => clock.label(s.start));
  assert.ok(labels.includes('2026-10-25 02:00+02:00') && labels.includes('2026-10-25 02:00+01:00'), labels.join(' '));
  assert.equal(new Set(labels).size, 25);
});

test('spans are contiguous, hold their instant, and days start at local midnight', () => {
  for (const zone of ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe']) {
    const clock = new PeriodClock(zone);
    for (const name of ['15m', '1h', '1d']) {
      const period = parsePeriod(name);
      assert.ok(period);
      let t = Date.parse('2026-03-01T00:00:00Z');
      let prev = clock.spanOf(period, t);
      for (let i = 0; i < 400; i++) {
        t = prev.end;
        const s = clock.spanOf(period, t);
        assert.equal(s.start, prev.end, `${zone} ${name} contiguous at ${new Date(t).toISOString()}`);
        assert.ok(s.start <= t && t < s.end);
        assert.deepEqual(clock.spanOf(period, s.end - 1), s);
        prev = s;
      }
    }
    const day = clock.daySpan(Date.parse('2026-07-01T12:00:00Z'));
    assert.equal(clock.local(day.start) % 86_400_000, 0, `${zone}: local midnight`);
  }
  // A zone with a half-hour offset: hours start on the local hour.
  const kolkata = new PeriodClock('Asia/Kolkata');
  const hour = kolkata.spanOf(parsePeriod('1h')!, Date.parse('2026-07-01T12:10:00Z'));
  assert.equal(kolkata.label(hour.start), '2026-07-01 17:00+05:30');
});
