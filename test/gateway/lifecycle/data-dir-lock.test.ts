import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../helpers/app.js';
import { runCli, startGatewayProcess } from '../../helpers/gateway-process.js';
import { LineClient } from '../../helpers/line-client.js';

test('a second start on a running gateway\'s data directory exits 4 at once, names the holder and writes nothing; devices commands still work', async (t) => {
  const data = tempDir();
  const first = await startGatewayProcess(['--port', '0', '--data', data]);
  // One hook, in this order: the gateway must be gone before its directory is removed.
  t.after(async () => {
    await first.stop('SIGKILL');
    rmSync(data, { recursive: true, force: true });
  });
  const before = readdirSync(data).sort();
  const token = readFileSync(join(data, 'admin-token'), 'utf8');

  const second = await runCli(['start', '--port', '0', '--http-port', '0', '--data', data]);
  assert.equal(second.code, 4, second.stderr);
  assert.equal(second.stderr.trim(), `sheetlog: data directory ${data} is in use by process ${first.child.pid}; stop it first, or start this gateway with another --data directory`);
  assert.doesNotMatch(second.stderr, /\n\s+at /, 'no stack trace');
  assert.deepEqual(readdirSync(data).sort(), before, 'the refused start created no file');
  assert.equal(readFileSync(join(data, 'admin-token'), 'utf8'), token, 'and generated no admin token');

  // The registry commands do not take the lock: they work beside the running gateway.
  const added = await runCli(['devices', 'add', 'beside-1', '--data', data]);
  assert.equal(added.code, 0, added.stderr);
  const listed = await runCli(['devices', 'list', '--json', '--data', data]);
  assert.equal(listed.code, 0, listed.stderr);
  assert.deepEqual((JSON.parse(listed.stdout) as { id: string }[]).map((d) => d.id), ['beside-1']);

  // The first gateway is unharmed.
  const c = await LineClient.open(first.port);
  c.send('HELLO lock-1 tok boot=1', 'R 1 - x=1');
  assert.match((await c.next())!, /^HELLO OK /);
  await c.until((l) => l === 'ACK 1');
  c.socket.destroy();
});

test('the kernel releases the lock of a SIGKILLed gateway: its successor starts at once', async (t) => {
  const data = tempDir();
  const gateways: { stop(signal: NodeJS.Signals): Promise<unknown> }[] = [];
  t.after(async () => {
    for (const gw of gateways) await gw.stop('SIGKILL');
    rmSync(data, { recursive: true, force: true });
  });
  const killed = await startGatewayProcess(['--port', '0', '--data', data]);
  gateways.push(killed);
  assert.equal(await killed.stop('SIGKILL'), 'SIGKILL');
  assert.equal(readFileSync(join(data, 'lock.pid'), 'utf8').trim(), String(killed.child.pid), 'the dead holder\'s pid file is still there');

  const successor = await startGatewayProcess(['--port', '0', '--data', data]);
  gateways.push(successor);
  assert.equal(readFileSync(join(data, 'lock.pid'), 'utf8').trim(), String(successor.child.pid));
  const refused = await runCli(['start', '--port', '0', '--http-port', '0', '--data', data]);
  assert.equal(refused.code, 4);
  assert.match(refused.stderr, new RegExp(`in use by process ${successor.child.pid};`));

  // A clean stop releases the lock and removes the pid file.
  assert.equal(await successor.stop('SIGTERM'), 0);
  assert.ok(!readdirSync(data).includes('lock.pid'));
  const third = await startGatewayProcess(['--port', '0', '--data', data]);
  gateways.push(third);
  assert.equal(await third.stop('SIGTERM'), 0);
});
