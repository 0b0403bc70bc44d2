import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv } from '../../../gateway/sinks/csv/rfc4180.js';
import { startTestApp } from '../../helpers/app.js';
import { LineClient } from '../../helpers/line-client.js';
import { ManualTimers } from '../../helpers/manual-timers.js';
import { waitFor } from '../../helpers/wait.js';

test('a CSV sink with tables ["summary 1h"]: only the hourly file, written once the hour closes plus the grace', async (t) => {
  const timers = new ManualTimers(Date.parse('2026-06-01T10:20:00Z'));
  const gw = await startTestApp(
    { sync: { lingerMs: 0 }, summaries: { periods: ['1h'], timeZone: 'UTC', graceMs: 60_000 }, sinks: { csv: { tables: ['summary 1h'] } }, fields: [{ match: 'temp_c', unit: '°C' }] },
    timers,
  );
  t.after(() => gw.stop());
  // Commits ride on the manual clock: keep it moving a little while the board talks.
  const pump = setInterval(() => timers.advance(20), 2);
  t.after(() => clearInterval(pump));
  const c = await LineClient.open(gw.port);
  c.send('HELLO kitchen tok boot=5 up=0');
  await c.next();
  c.send('R 1 - temp_c=20', 'R 2 - temp_c=22');
  await c.until((l) => l === 'ACK 2');
  c.close();
  const file = join(gw.dataDir, 'csv', 'summary 1h.csv');
  await waitFor(() => gw.app.syncStatus()[0]?.cursor === 2, 'the raw cursor to pass the readings');
  clearInterval(pump);
  timers.advance(40 * 60_000); // 11:00: the hour closed, the grace not yet over
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setImmediate(r));
    timers.advance(5_000);
  }
  assert.equal(existsSync(file), false);
  await waitFor(() => {
    timers.advance(5_000);
    return existsSync(file) && parseCsv(readFileSync(file, 'utf8')).records.length === 2;
  }, 'the hourly summary row');
  const { records } = parseCsv(readFileSync(file, 'utf8'));
  assert.deepEqual(records.slice(1).map((r) => [r[0], r[3], r[4], r[5], r[7], r[8], r[9], r[10]]), [['2026-06-01 10:00:00', 'kitchen', 'temp_c', '°C', '2', '20', '22', '21']]);
  assert.equal(existsSync(join(gw.dataDir, 'csv', 'readings.csv')), false, 'the raw table is not among the tables');
});
