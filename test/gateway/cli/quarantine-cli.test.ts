import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv } from '../../../gateway/sinks/csv/rfc4180.js';
import { openDatabase } from '../../../gateway/store/database.js';
import { tempDir } from '../../helpers/app.js';
import { runCli, startGatewayProcess } from '../../helpers/gateway-process.js';
import { LineClient } from '../../helpers/line-client.js';
import { waitFor } from '../../helpers/wait.js';
import { cleanupStack } from '../../helpers/cleanup.js';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);

test('quarantine list / retry / drop work beside a running gateway on the same data dir', async (t) => {
  const later = cleanupStack(t); // stops processes before their directory is removed
  const data = tempDir();
  later(() => rmSync(data, { recursive: true, force: true }));
  const gw = await startGatewayProcess(['--port', '0', '--data', data, '--log-level', 'info'], { SHEETLOG_SYNC__IDLE_POLL_MS: '200', SHEETLOG_CSV__TIME_ZONE: 'UTC' });
  later(() => gw.stop('SIGKILL'));
  const db = openDatabase({ path: join(data, 'sheetlog.db'), synchronous: 'NORMAL', busyTimeoutMs: 5000 });
  later(() => db.close());
  const send = async (seqs: number[]) => {
    const c = await LineClient.open(gw.port);
    c.send('HELLO good tok boot=1', ...seqs.map((s) => `R ${s} ${T0 + s * 1000} t=${s}`));
    assert.match((await c.next())!, /^HELLO OK/);
    await c.until((l) => l === `ACK ${seqs.at(-1)}`);
    c.close();
  };
  // Two rows stored as an older version stored them (ts = 1e16), between healthy ones.
  const legacy = (seq: number) =>
    Number(db.prepare(`INSERT INTO readings (device, boot, seq, ts, ts_source, received, fields, bytes) VALUES ('old', 1, ?, 1e16, 'uptime', ?, '{"v":1}', 9)`).run(seq, Date.now()).lastInsertRowid);
  await send([1]);
  const firstId = legacy(1);
  legacy(2);
  await send([2, 3]);
  const csvRows = () => {
    const file = join(data, 'csv', 'readings.csv');
    return existsSync(file) ? parseCsv(readFileSync(file, 'utf8')).records.slice(1) : [];
  };
  await waitFor(() => csvRows().filter((r) => r[1] === 'good').length === 3, 'the healthy rows, after the bad ones', 60_000);

  const listed = await runCli(['quarantine', 'list', '--data', data, '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  const entries = JSON.parse(listed.stdout) as { id: number; device: string; seq: number; code: string; state: string }[];
  assert.deepEqual(entries.map((e) => [e.device, e.seq, e.code, e.state]), [['old', 2, 'BAD_ROW', 'held'], ['old', 1, 'BAD_ROW', 'held']]);
  const table = await runCli(['quarantine', 'list', '--data', data]);
  assert.match(table.stdout, /^entry\s+sink\s+device/);
  assert.match(table.stdout, /csv\s+old\s+1\s+2\s+10000000000000000\s+BAD_ROW\s+held\s+time 10000000000000000 is outside the years 1-9999/);

  const none = await runCli(['quarantine', 'retry', '--data', data]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /QUARANTINE_SELECTION: name entry ids/);

  // Repair the first (a person fixes the time), retry it; drop the second.
  const e1 = entries.find((e) => e.seq === 1)!;
  const e2 = entries.find((e) => e.seq === 2)!;
  db.prepare('UPDATE readings SET ts = ? WHERE id = ?').run(T0 + 50_000, firstId);
  const retried = await runCli(['quarantine', 'retry', String(e1.id), '--data', data]);
  assert.equal(retried.code, 0, retried.stderr);
  assert.match(retried.stdout, /^1 row\(s\) given back to their sink/);
  const dropped = await runCli(['quarantine', 'drop', String(e2.id), '--data', data]);
  assert.equal(dropped.code, 0, dropped.stderr);
  assert.match(dropped.stdout, /^1 row\(s\) dropped/);
  await waitFor(() => csvRows().some((r) => r[1] === 'old'), 'the retried row written by the running gateway', 60_000);
  await send([4]);
  await waitFor(() => csvRows().filter((r) => r[1] === 'good').length === 4, 'later rows');
  assert.deepEqual(csvRows().filter((r) => r[1] === 'old').map((r) => [r[0], r[4]]), [['2026-11-21 12:00:50.000', '1']], 'once');

  const held = await runCli(['quarantine', 'list', '--data', data, '--json']);
  assert.deepEqual(JSON.parse(held.stdout), []);
  const record = await runCli(['quarantine', 'list', '--all', '--data', data, '--json']);
  assert.deepEqual((JSON.parse(record.stdout) as { seq: number; state: string }[]).map((e) => [e.seq, e.state]), [[2, 'dropped'], [1, 'retried']]);
});
