import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { tempDir } from '../../helpers/app.js';
import { runCli, startGatewayProcess } from '../../helpers/gateway-process.js';
import { LineClient } from '../../helpers/line-client.js';
import { cleanupStack } from '../../helpers/cleanup.js';

test('devices add / list --json / revoke work while the gateway runs, on the same data dir', async (t) => {
  const later = cleanupStack(t); // stops processes before their directory is removed
  const data = tempDir();
  later(() => rmSync(data, { recursive: true, force: true }));
  const gw = await startGatewayProcess(['--port', '0', '--data', data, '--auth', 'required', '--log-level', 'info'], {
    SHEETLOG_AUTH__REVOCATION_CHECK_MS: '200',
  });
  later(() => gw.stop('SIGKILL'));

  const added = await runCli(['devices', 'add', 'lab-7', '--data', data]);
  assert.equal(added.code, 0, added.stderr);
  const token = added.stdout.trim().split('\n').at(-1)!;
  assert.match(token, /^[A-Za-z0-9_-]{24}$/);
  const dup = await runCli(['devices', 'add', 'lab-7', '--data', data]);
  assert.equal(dup.code, 1);
  assert.match(dup.stderr, /DEVICE_EXISTS/);

  const c = await LineClient.open(gw.port);
  c.send(`HELLO lab-7 ${token} boot=5 up=100`, 'R 1 - t=1', 'R 2 - t=2');
  assert.match((await c.next())!, /^HELLO OK/);
  await c.until((l) => l === 'ACK 2');

  const listed = await runCli(['devices', 'list', '--data', data, '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  const devices = JSON.parse(listed.stdout) as { id: string; readings: number }[];
  assert.deepEqual(devices.map((d) => [d.id, d.readings]), [['lab-7', 2]]);
  const table = await runCli(['devices', 'list', '--data', data]);
  assert.match(table.stdout, /^device\s+status\s+origin\s+readings/);
  assert.match(table.stdout, /lab-7\s+connected\s+cli\s+2\s/, 'the CLI sees the running gateway\'s session: status as on the dashboard, origin apart');

  const revoked = await runCli(['devices', 'revoke', 'lab-7', '--data', data]);
  assert.equal(revoked.code, 0, revoked.stderr);
  const rest = await c.closed(15000);
  assert.match(rest.at(-1)!, /^ERR REVOKED /, 'the live connection is closed by the running gateway');
  const missing = await runCli(['devices', 'revoke', 'nobody', '--data', data]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /DEVICE_UNKNOWN/);
});

test('unknown flags and bad values are errors with a clear message', async () => {
  const unknown = await runCli(['start', '--prot', '9']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown option '--prot'/);
  const badPort = await runCli(['start', '--port', '99999']);
  assert.equal(badPort.code, 2);
  assert.match(badPort.stderr, /0\.\.65535/);
  const badEnv = await runCli(['start', '--port', '0'], { SHEETLOG_TCP__MAX_LINE_BYTES: '"huge"', SHEETLOG_AUTH__MODE: 'sometimes' });
  assert.equal(badEnv.code, 2);
  assert.match(badEnv.stderr, /tcp\.maxLineBytes/);
  assert.match(badEnv.stderr, /auth\.mode/);
});
