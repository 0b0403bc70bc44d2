import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv } from '../../../gateway/sinks/csv/rfc4180.js';
import { openDatabase } from '../../../gateway/store/database.js';
import { tempDir } from '../../helpers/app.js';
import { startGatewayProcess } from '../../helpers/gateway-process.js';
import { LineClient } from '../../helpers/line-client.js';
import { waitFor } from '../../helpers/wait.js';
import { cleanupStack } from '../../helpers/cleanup.js';

const H = 3_600_000;

test('summaries survive SIGKILL at any point: the hourly file ends with every row once, at its latest revision', async (t) => {
  const later = cleanupStack(t); // stops processes before their directory is removed
  const data = tempDir();
  later(() => rmSync(data, { recursive: true, force: true }));
  const configFile = join(data, 'config.json');
  writeFileSync(configFile, JSON.stringify({ dataDir: data, summaries: { periods: ['1h'], timeZone: 'UTC', graceMs: 0 }, csv: { timeZone: 'UTC' } }));
  const base = Math.floor(Date.now() / H) * H - 12 * H;
  const file = join(data, 'csv', 'summary 1h.csv');
  let seq = 0;
  for (let round = 0; round < 4; round++) {
    const gw = await startGatewayProcess(['--port', '0', '--config', configFile]);
    later(() => gw.stop('SIGKILL'));
    const c = await LineClient.open(gw.port);
    c.send(`HELLO kill-${round % 2} tok boot=1`);
    assert.match((await c.next())!, /^HELLO OK/);
    // Two new hours per round, and a late reading for every hour written before.
    const lines: string[] = [];
    for (let h = 0; h < 2 * round + 2; h++) lines.push(`R ${++seq} ${base + h * H + seq * 1000} temp=${seq}`);
    c.send(...lines);
    await c.until((l) => l === `ACK ${seq}`);
    c.close();
    // Kill at different points: before the first pass, once the file exists, or right away.
    if (round % 2 === 1) await waitFor(() => existsSync(file), 'the summary file', 60_000);
    await gw.stop('SIGKILL');
  }
  const gw = await startGatewayProcess(['--port', '0', '--config', configFile]);
  later(() => gw.stop('SIGKILL'));
  const db = openDatabase({ path: join(data, 'sheetlog.db'), synchronous: 'NORMAL', busyTimeoutMs: 5000 });
  later(() => db.close());
  const settled = () => {
    const dirty = (db.prepare('SELECT count(*) AS n FROM summary_dirty').get() as { n: number }).n;
    const unwritten = (
      db.prepare(`SELECT count(*) AS n FROM summaries s LEFT JOIN summary_places p ON p.sink = 'csv' AND p.summary_id = s.id WHERE p.written_revision IS NULL OR p.written_revision < s.revision`).get() as { n: number }
    ).n;
    const total = (db.prepare('SELECT count(*) AS n FROM summaries').get() as { n: number }).n;
    return dirty === 0 && unwritten === 0 && total > 0;
  };
  await waitFor(settled, 'every summary written', 60_000);
  await gw.stop('SIGTERM');
  const { records, torn } = parseCsv(readFileSync(file, 'utf8'));
  assert.equal(torn, null);
  const body = records.slice(1);
  const keys = body.map((r) => `${r[3]}|${r[4]}|${r[0]}`);
  assert.equal(new Set(keys).size, keys.length, 'no row twice');
  // Independent: count the raw readings per (device, hour) straight from SQLite.
  const raw = db.prepare('SELECT device, ts FROM readings').all() as { device: string; ts: number }[];
  const expected = new Map<string, number>();
  for (const r of raw) {
    const key = `${r.device}|temp|${new Date(Math.floor(r.ts / H) * H).toISOString().slice(0, 19).replace('T', ' ')}`;
    expected.set(key, (expected.get(key) ?? 0) + 1);
  }
  assert.deepEqual(new Map(body.map((r) => [`${r[3]}|${r[4]}|${r[0]}`, Number(r[7])])), expected);
});
