import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { parseCsv } from '../../../gateway/sinks/csv/rfc4180.js';
import { startTestApp, tempDir } from '../../helpers/app.js';
import { LineClient } from '../../helpers/line-client.js';
import { waitFor } from '../../helpers/wait.js';
import { SPREADSHEET, TEST_KEY } from '../sinks/google-sheets/harness.js';
import { startSheetsEmulator } from '../../sheets-emulator/index.js';

async function send(port: number, device: string, seqs: number[]): Promise<void> {
  const c = await LineClient.open(port);
  c.send(`HELLO ${device} tok boot=5 up=0`);
  await c.next();
  c.send(...seqs.map((s) => `R ${s} - temp_c=${20 + s / 10} note="a, \\"b\\""`));
  await c.until((l) => l === `ACK ${seqs[seqs.length - 1]}`);
  c.close();
}

test('no Google credentials: the gateway writes CSV under <data>/csv and reports it', async (t) => {
  const gw = await startTestApp({ sync: { lingerMs: 0 } });
  t.after(() => gw.stop());
  await send(gw.port, 'kitchen', [1, 2, 3]);
  await waitFor(() => gw.app.syncStatus()[0]?.cursor === 3, 'the CSV sink to confirm');
  const { records, torn } = parseCsv(readFileSync(join(gw.dataDir, 'csv', 'readings.csv'), 'utf8'));
  assert.equal(torn, null);
  assert.deepEqual(records.slice(1).map((r) => [r[1], r[2], r[4]]), [
    ['kitchen', 'temp_c', '1'], ['kitchen', 'note', '1'], ['kitchen', 'temp_c', '2'], ['kitchen', 'note', '2'], ['kitchen', 'temp_c', '3'], ['kitchen', 'note', '3'],
  ]);
  assert.equal(records[2]?.[3], 'a, "b"');
  const [st] = gw.app.syncStatus();
  assert.equal(st?.name, 'csv');
  assert.equal(st?.pendingRows, 0);
  assert.equal(st?.rowsWritten, 3);
  assert.equal(st?.quota, null);
  assert.equal(st?.target, join(gw.dataDir, 'csv'));
  // The HTTP API shows the same status.
  const api = (await (await fetch(`http://127.0.0.1:${gw.httpPort}/api/v1/sync`)).json()) as { result: { sinks?: unknown[] } | unknown[] };
  assert.ok(JSON.stringify(api).includes('"csv"'), JSON.stringify(api));
});

test('Google Sheets through the emulator, beside CSV: each sink its own cursor; bad credentials keep the buffer, a fix resumes', async (t) => {
  const emu = await startSheetsEmulator({ spreadsheetIds: [SPREADSHEET], serviceAccount: { privateKeyPem: TEST_KEY } });
  t.after(() => emu.stop());
  const secrets = tempDir('sheetlog-creds-');
  t.after(() => rmSync(secrets, { recursive: true, force: true }));
  const credsFile = join(secrets, 'credentials.json');
  const good = JSON.stringify(emu.serviceAccountCredentials());
  const wrongKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  writeFileSync(credsFile, JSON.stringify({ ...emu.serviceAccountCredentials(), private_key: wrongKey }), { mode: 0o600 });
  const gw = await startTestApp(
    {
      sinks: { enabled: ['google-sheets', 'csv'] },
      sync: { lingerMs: 0, backoffBaseMs: 5, backoffMaxMs: 20 },
      sheets: { spreadsheetId: SPREADSHEET, credentials: credsFile, rootUrl: emu.rootUrl, tokenUrl: emu.tokenUrl, authRetryMs: 100, timeZone: 'UTC' },
    },
  );
  t.after(() => gw.stop());
  await send(gw.port, 'porch', [1, 2]);
  await waitFor(() => gw.app.syncStatus().find((s) => s.name === 'csv')?.cursor === 2, 'csv');
  await waitFor(() => (gw.app.syncStatus().find((s) => s.name === 'google-sheets')?.errors ?? 0) >= 3, 'several refused attempts');
  const sheets = gw.app.syncStatus().find((s) => s.name === 'google-sheets')!;
  assert.equal(sheets.state, 'failed');
  assert.equal(sheets.lastError?.code, 'AUTH');
  assert.equal(sheets.pendingRows, 2);
  assert.equal(sheets.cursor, 0);
  const authLines = gw.logs.filter((r) => r.level === 50 && r.code === 'AUTH');
  assert.equal(authLines.length, 1, 'one clear error line, not one per retry');
  assert.match(String(authLines[0]?.msg), /invalid_grant/);
  assert.ok(!JSON.stringify(gw.logs).includes('PRIVATE KEY'), 'no key material in the logs');
  // Boards are still acknowledged while the sheet is unreachable.
  await send(gw.port, 'porch', [3]);
  writeFileSync(credsFile, good);
  await waitFor(() => gw.app.syncStatus().find((s) => s.name === 'google-sheets')?.cursor === 3, 'sync to resume', 60_000);
  const tab = emu.state(SPREADSHEET).spreadsheets[0]!.sheets.find((s) => s.title === 'readings')!.values;
  assert.deepEqual(tab.slice(1).map((r) => `${r[1]}/${r[4]}/${r[2]}`), ['porch/1/temp_c', 'porch/1/note', 'porch/2/temp_c', 'porch/2/note', 'porch/3/temp_c', 'porch/3/note']);
  assert.ok(gw.logs.some((r) => r.msg === 'sync resumed' && r.sink === 'google-sheets'));
  const after = gw.app.syncStatus().find((s) => s.name === 'google-sheets')!;
  assert.equal(after.failing, false);
  assert.equal(after.quota?.limit, gw.config.sheets.writesPerMinute, "the quota shown is the configured limit");
  assert.ok((after.quota?.used ?? 0) > 0);
});

test('google-sheets listed without a spreadsheet: one configuration error line, exit 2', async () => {
  const { runCli } = await import('../../helpers/gateway-process.js');
  const dir = tempDir();
  try {
    const r = await runCli(['start', '--port', '0', '--http-port', 'off', '--data', dir], { SHEETLOG_SINKS__ENABLED: '["google-sheets"]' });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /sinks\.enabled: the google-sheets sink needs sheets\.spreadsheetId/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

for (const thread of [false, true]) {
  test(`a sink that cannot start fails the start${thread ? ' (sync thread)' : ''}: the listeners opened meanwhile are closed again`, async () => {
    const { App } = await import('../../../gateway/app.js');
    const { configSchema } = await import('../../../gateway/config/schema.js');
    const { createLogger } = await import('../../../gateway/log.js');
    const { freePort } = await import('../../helpers/mqtt.js');
    const { Writable } = await import('node:stream');
    const { connect } = await import('node:net');
    const dataDir = tempDir();
    writeFileSync(join(dataDir, 'not-a-dir'), 'x');
    const port = await freePort();
    const config = configSchema.parse({ dataDir, tcp: { host: '127.0.0.1', port }, http: { port: 'off' }, sync: { thread }, csv: { dir: 'not-a-dir/csv' } });
    const logs: string[] = [];
    const log = createLogger('debug', new Writable({ write: (chunk: Buffer, _e, cb) => (logs.push(chunk.toString()), cb()) }));
    const app = new App(config, { log });
    await assert.rejects(app.start(), /ENOTDIR|EEXIST|not a directory/);
    const refused = await new Promise<boolean>((resolve) => {
      const c = connect(port, '127.0.0.1');
      c.once('connect', () => (c.destroy(), resolve(false)));
      c.once('error', () => resolve(true));
    });
    assert.ok(refused, 'nothing listens on the TCP port after the failed start');
    assert.equal(app.store.db.open, false, 'the store is closed');
  });
}
