import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { parseCsv } from '../../../gateway/sinks/csv/rfc4180.js';
import type { Db } from '../../../gateway/store/database.js';
import { Quarantine } from '../../../gateway/store/quarantine.js';
import { startSheetsEmulator } from '../../sheets-emulator/index.js';
import { startTestApp, tempDir, type TestApp } from '../../helpers/app.js';
import { http } from '../../helpers/http.js';
import { LineClient } from '../../helpers/line-client.js';
import { waitFor } from '../../helpers/wait.js';
import { SPREADSHEET, TEST_KEY } from '../sinks/google-sheets/harness.js';

/*
 * Poison readings on every time path, and a row an older version stored with an absurd time:
 * the healthy boards' rows reach the sink, the poison is normalised at ingest (docs/PROTOCOL.md,
 * "Timestamps") or quarantined by the sink (docs/SHEETS.md, "Sink errors and quarantine"), and
 * the API and the live feed keep answering.
 */

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);

async function board(port: number, hello: string, lines: string[], lastAck: string): Promise<string[]> {
  const c = await LineClient.open(port);
  try {
    c.send(hello);
    assert.match((await c.next())!, /^HELLO OK/);
    c.send(...lines);
    const { line, before } = await c.until((l) => l === lastAck);
    return [...before, line];
  } finally {
    c.close();
  }
}

/** Sends the healthy and the poisoned boards' readings; returns the ERR replies the poison got. */
async function sendAll(gw: TestApp, healthySeqs: number[]): Promise<string[]> {
  // Each round of poison is a new boot of those boards, so none of it is a duplicate.
  const boot = healthySeqs[0];
  await board(gw.port, 'HELLO good tok boot=1 up=0', healthySeqs.map((s) => `R ${s} ${T0 + s * 1000} temp_c=${20 + s}`), `ACK ${healthySeqs.at(-1)}`);
  await board(gw.port, `HELLO epoch-bad tok boot=${boot}`, ['R 1 999999999999999 v=1'], 'ACK 1');
  await board(gw.port, `HELLO up-bad tok boot=${boot} up=0`, [`R 1 u${0x7fffffff} v=2`], 'ACK 1');
  const offReplies = await board(gw.port, `HELLO off-bad tok boot=${boot} up=0`, ['T 0 off=9999999999999999', 'T 0 off=999999999999999', 'R 1 u0 v=3'], 'ACK 1');
  return offReplies.filter((l) => l.startsWith('ERR'));
}

/** A row as an older version stored it, before the trust window existed: ts = 1e16. */
function insertLegacy(db: Db, seq: number): number {
  const info = db
    .prepare(`INSERT INTO readings (device, boot, seq, ts, ts_source, device_ts, received, fields, bytes) VALUES ('legacy', 1, ?, 1e16, 'uptime', NULL, ?, '{"v":42}', 20)`)
    .run(seq, Date.now());
  return Number(info.lastInsertRowid);
}

function feedTail(port: number): Promise<unknown[][]> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/live`, ['sheetlog.v1']);
  return new Promise((resolve, reject) => {
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as { type: string; tail?: unknown[][] };
      if (m.type === 'update' && m.tail) {
        ws.terminate();
        resolve(m.tail);
      }
    });
    ws.once('error', reject);
  });
}

async function checkApiAndFeed(gw: TestApp, sink: string): Promise<void> {
  const token = readFileSync(join(gw.dataDir, 'admin-token'), 'utf8').trim();
  const readings = await http(gw.httpPort, 'GET', '/api/v1/readings?device=legacy', { token });
  assert.equal(readings.status, 200, readings.text);
  const legacy = readings.json.result.readings[0];
  assert.deepEqual([legacy.ts, legacy.time, legacy.fields], [1e16, null, { v: 42 }], 'the value as stored, no date made up');
  const all = await http(gw.httpPort, 'GET', '/api/v1/readings?limit=1000', { token });
  assert.equal(all.status, 200, all.text);
  const sync = await http(gw.httpPort, 'GET', '/api/v1/sync', { token });
  assert.equal(sync.status, 200);
  const st = sync.json.result.sinks.find((s: { name: string }) => s.name === sink);
  assert.equal(st.quarantinedRows, 1);
  assert.deepEqual(st.quarantinedByDevice, { legacy: 1 });
  const metrics = await http(gw.httpPort, 'GET', '/metrics', { token });
  assert.match(metrics.text, new RegExp(`sheetlog_sync_quarantined_rows\\{sink="${sink}"\\} 1`));
  const tail = await feedTail(gw.httpPort);
  assert.ok(tail.some((r) => r.includes('legacy') && r.includes('10000000000000000')), 'the feed shows the stored number');
  assert.ok(tail.some((r) => r.includes('good')));
}

test('CSV: poison on every time path is normalised at ingest; a stored ts=1e16 row is quarantined, the rows after it delivered; retry after repair writes it once; drop keeps a record', async (t) => {
  const gw = await startTestApp({ sync: { lingerMs: 0, idlePollMs: 200 }, csv: { timeZone: 'UTC' } });
  t.after(() => gw.stop());
  const errs = await sendAll(gw, [1, 2]);
  assert.equal(errs.length, 2);
  assert.match(errs[0]!, /^ERR BAD_TIME_REQUEST off must be/);
  assert.match(errs[1]!, /^ERR BAD_TIME_REQUEST off=999999999999999 puts the clock at/);
  const legacyId = insertLegacy(gw.app.store.db, 1);
  const after = await sendAll(gw, [3, 4]);
  assert.equal(after.length, 2);
  const highest = () => (gw.app.store.db.prepare('SELECT max(id) AS id FROM readings').get() as { id: number }).id;
  await waitFor(() => gw.app.syncStatus()[0]?.cursor === highest() && gw.app.syncStatus()[0]?.quarantinedRows === 1, 'the CSV sink past everything');

  const csvRows = () => parseCsv(readFileSync(join(gw.dataDir, 'csv', 'readings.csv'), 'utf8')).records.slice(1);
  const rows = csvRows();
  assert.deepEqual(rows.filter((r) => r[1] === 'good').map((r) => [r[0], r[4]]), [
    ['2026-11-21 12:00:01.000', '1'], ['2026-11-21 12:00:02.000', '2'], ['2026-11-21 12:00:03.000', '3'], ['2026-11-21 12:00:04.000', '4'],
  ]);
  for (const dev of ['epoch-bad', 'up-bad']) assert.deepEqual(rows.filter((r) => r[1] === dev).map((r) => r[6]), ['gateway', 'gateway'], dev);
  assert.deepEqual(rows.filter((r) => r[1] === 'off-bad').map((r) => r[6]), ['uptime', 'uptime'], 'converted through up=, the refused off= ignored');
  assert.equal(rows.filter((r) => r[1] === 'legacy').length, 0);

  const q = new Quarantine(gw.app.store.db);
  const [entry] = q.list();
  assert.deepEqual([entry?.sink, entry?.readingId, entry?.device, entry?.code, entry?.ts], ['csv', legacyId, 'legacy', 'BAD_ROW', 1e16]);
  assert.match(entry!.reason, /outside the years 1-9999/);
  await checkApiAndFeed(gw, 'csv');

  // Retention never prunes it: not even with everything delivered and a zero retention period.
  gw.app.store.db.prepare('UPDATE readings SET received = 0 WHERE id = ?').run(legacyId);
  gw.app.store.prune();
  assert.ok(gw.app.store.db.prepare('SELECT 1 FROM readings WHERE id = ?').get(legacyId), 'kept for retry');

  // A person repairs the time, then retries: the row is written once, after the rest.
  gw.app.store.db.prepare('UPDATE readings SET ts = ?, received = ? WHERE id = ?').run(T0 + 99_000, Date.now(), legacyId);
  assert.deepEqual(q.retry({ ids: [entry!.id] }, Date.now()), { retried: 1, missing: [], waiting: [] });
  await waitFor(() => csvRows().some((r) => r[1] === 'legacy'), 'the retried row in the CSV file');
  await waitFor(() => gw.app.syncStatus()[0]?.quarantinedRows === 0, 'the count back to 0');
  await sendAll(gw, [5]);
  await waitFor(() => csvRows().filter((r) => r[1] === 'good').length === 5, 'later rows');
  assert.deepEqual(csvRows().filter((r) => r[1] === 'legacy').map((r) => r[0]), ['2026-11-21 12:01:39.000'], 'exactly once');

  // Another stored poison row, dropped: gone from the count, kept as a record.
  insertLegacy(gw.app.store.db, 2);
  await sendAll(gw, [6]);
  await waitFor(() => gw.app.syncStatus()[0]?.quarantinedRows === 1, 'the second one quarantined');
  assert.equal(q.drop({ device: 'legacy' }, Date.now()), 1);
  await waitFor(() => gw.app.syncStatus()[0]?.quarantinedRows === 0, 'dropped');
  assert.deepEqual(q.list({}, ['held', 'retried', 'dropped']).map((e) => [e.seq, e.state]), [[2, 'dropped'], [1, 'retried']]);
  assert.equal(csvRows().filter((r) => r[1] === 'legacy').length, 1);
});

test('Google Sheets through the emulator: poison normalised, a stored ts=1e16 row quarantined (BAD_ROW, no request spent on it), the healthy rows written after it', async (t) => {
  const emu = await startSheetsEmulator({ spreadsheetIds: [SPREADSHEET], serviceAccount: { privateKeyPem: TEST_KEY } });
  t.after(() => emu.stop());
  const secrets = tempDir('sheetlog-creds-');
  t.after(() => rmSync(secrets, { recursive: true, force: true }));
  const credentials = join(secrets, 'credentials.json');
  writeFileSync(credentials, JSON.stringify(emu.serviceAccountCredentials()), { mode: 0o600 });
  const gw = await startTestApp({
    sinks: { enabled: ['google-sheets'] },
    sync: { lingerMs: 0, idlePollMs: 200, backoffBaseMs: 5, backoffMaxMs: 20 },
    sheets: { spreadsheetId: SPREADSHEET, credentials, rootUrl: emu.rootUrl, tokenUrl: emu.tokenUrl, timeZone: 'UTC' },
  });
  t.after(() => gw.stop());
  await sendAll(gw, [1, 2]);
  insertLegacy(gw.app.store.db, 1);
  await sendAll(gw, [3, 4]);
  const highest = (gw.app.store.db.prepare('SELECT max(id) AS id FROM readings').get() as { id: number }).id;
  await waitFor(() => gw.app.syncStatus()[0]?.cursor === highest && gw.app.syncStatus()[0]?.quarantinedRows === 1, 'the Sheets sink past everything', 60_000);
  const st = gw.app.syncStatus()[0]!;
  assert.equal(st.state, 'idle');
  assert.equal(st.lastError, null, 'never in backoff for the bad row');
  const tab = emu.state(SPREADSHEET).spreadsheets[0]!.sheets.find((s) => s.title === 'readings')!.values;
  const body = tab.slice(1);
  assert.deepEqual(body.filter((r) => r[1] === 'good').map((r) => r[4]), [1, 2, 3, 4]);
  assert.equal(body.filter((r) => r[1] === 'legacy').length, 0);
  assert.deepEqual(body.filter((r) => r[1] !== 'good').map((r) => `${r[1]}/${r[6]}`).sort(), [
    'epoch-bad/gateway', 'epoch-bad/gateway', 'off-bad/uptime', 'off-bad/uptime', 'up-bad/gateway', 'up-bad/gateway',
  ]);
  const [entry] = new Quarantine(gw.app.store.db).list();
  assert.deepEqual([entry?.sink, entry?.code], ['google-sheets', 'BAD_ROW']);
  await checkApiAndFeed(gw, 'google-sheets');
});
