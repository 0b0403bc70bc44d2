import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ZoneClock } from '../../../gateway/time/time-zone.js';

/** What `text` returned before its per-second cache: the reference it must keep matching. */
function reference(zone: ZoneClock, epochMs: number): string {
  return new Date(zone.local(epochMs)).toISOString().replace('T', ' ').replace('Z', '');
}

test('ZoneClock.text: the cached seconds give exactly the text of the full formatting', () => {
  const base = Date.UTC(2026, 2, 29, 0, 59, 58, 7); // around Europe/Berlin's spring change
  const instants = [
    0, -1, -999, -1000, -1001, 0.5, -0.5, 1.999, base, base + 999, base + 1000, base + 64_000, base + 128_001, base + 3_600_000,
    Date.UTC(1900, 0, 1, 0, 0, 0, 1), Date.UTC(2099, 11, 31, 23, 59, 59, 999),
  ];
  for (let i = 0; i < 20_000; i++) instants.push(base + Math.round((Math.random() - 0.5) * 2 * 86_400_000) + (i % 3 === 0 ? 0.25 : 0));
  for (const tz of ['UTC', 'Europe/Berlin', 'Asia/Kathmandu', 'America/St_Johns', 'Australia/Lord_Howe']) {
    const zone = new ZoneClock(tz);
    // Twice: the second pass answers from the cache (seconds 64 apart share a slot).
    for (let pass = 0; pass < 2; pass++) for (const t of instants) assert.equal(zone.text(t), reference(zone, t), `${tz} ${t}`);
  }
});

test('ZoneClock never throws: a time no date can hold shows as the stored number, with no zone offset', () => {
  for (const tz of ['UTC', 'Europe/Berlin']) {
    const zone = new ZoneClock(tz);
    assert.equal(zone.text(1e16), '10000000000000000');
    assert.equal(zone.text(-1e16), '-10000000000000000');
    assert.equal(zone.text(Number.NaN), 'NaN');
    assert.equal(zone.offset(1e16), 0);
    assert.equal(zone.serial(1e16), 1e16 / 86_400_000 + 25569);
    assert.equal(zone.text(-5), tz === 'UTC' ? '1969-12-31 23:59:59.995' : '1970-01-01 00:59:59.995', 'before 1970 is an ordinary date');
  }
});
