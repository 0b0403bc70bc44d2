import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { isLoopbackHost } from '../../../gateway/api/access.js';
import { parseHttpPort } from '../../../gateway/cli/options.js';
import { configSchema } from '../../../gateway/config/schema.js';
import { startTestApp, tempDir } from '../../helpers/app.js';
import { startGatewayProcess } from '../../helpers/gateway-process.js';
import { http } from '../../helpers/http.js';
import { waitFor } from '../../helpers/wait.js';

/** The HTTP status with which the server refuses a WebSocket upgrade. */
function upgradeStatus(url: string, protocols: string[]): Promise<number> {
  const ws = new WebSocket(url, protocols);
  ws.on('error', () => {});
  return new Promise((resolve, reject) => {
    ws.on('unexpected-response', (req, res) => {
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    ws.on('open', () => {
      ws.terminate();
      reject(new Error('the upgrade was accepted'));
    });
  });
}

test('the admin token is generated on first start with mode 0600, never logged (the log names its file), and reused after a restart', async (t) => {
  const dataDir = tempDir();
  const first = await startTestApp({}, undefined, dataDir);
  const file = join(dataDir, 'admin-token');
  const token = readFileSync(file, 'utf8').trim();
  assert.ok(token.length >= 24);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(first.logs.filter((l) => JSON.stringify(l).includes(token)).length, 0, 'the token is in no log record');
  assert.ok(first.logs.some((l) => String(l.msg).includes(file)), 'the log says where the token is');
  await first.app.stop();

  const second = await startTestApp({}, undefined, dataDir);
  t.after(() => second.stop());
  assert.equal(readFileSync(file, 'utf8').trim(), token);
  assert.equal(second.logs.filter((l) => JSON.stringify(l).includes(token)).length, 0, 'not logged after a restart either');
  const r = await http(second.httpPort, 'POST', '/api/v1/devices', { token, body: { id: 'kept' } });
  assert.equal(r.status, 201);
});

test('a token file readable by others is tightened to 0600 with a warning', async (t) => {
  const dataDir = tempDir();
  writeFileSync(join(dataDir, 'admin-token'), 'a-token-someone-wrote-by-hand\n');
  chmodSync(join(dataDir, 'admin-token'), 0o644);
  const gw = await startTestApp({}, undefined, dataDir);
  t.after(() => gw.stop());
  assert.equal(statSync(join(dataDir, 'admin-token')).mode & 0o777, 0o600);
  assert.ok(gw.logs.some((l) => l.level === 40 && String(l.msg).includes('mode is now 0600')));
  const r = await http(gw.httpPort, 'POST', '/api/v1/devices', { token: 'a-token-someone-wrote-by-hand', body: { id: 'x' } });
  assert.equal(r.status, 201);
});

test('bound to a non-loopback address, every endpoint but /healthz and the static page needs the token', async (t) => {
  const gw = await startTestApp({ http: { host: '0.0.0.0', port: 0 } });
  t.after(() => gw.stop());
  const token = readFileSync(join(gw.dataDir, 'admin-token'), 'utf8').trim();
  for (const path of ['/api/v1', '/api/v1/status', '/api/v1/devices', '/api/v1/readings', '/api/v1/sync', '/metrics']) {
    const none = await http(gw.httpPort, 'GET', path);
    assert.equal(none.status, 401, path);
    assert.equal(none.json.reason.code, 'TOKEN_REQUIRED', path);
    const wrong = await http(gw.httpPort, 'GET', path, { token: 'wrong-token-wrong-token' });
    assert.equal(wrong.status, 403, path);
    const ok = await http(gw.httpPort, 'GET', path, { token });
    assert.equal(ok.status, 200, path);
  }
  assert.equal((await http(gw.httpPort, 'GET', '/api/v1', { token })).json.result.auth.readsNeedToken, true);
  assert.equal((await http(gw.httpPort, 'GET', '/healthz')).status, 200);
  assert.equal((await http(gw.httpPort, 'GET', '/')).status, 200);

  // The WebSocket feed: refused without the token, accepted with it as a `bearer.` subprotocol.
  assert.equal(await upgradeStatus(`ws://127.0.0.1:${gw.httpPort}/api/v1/live`, ['sheetlog.v1']), 401);
  assert.equal(await upgradeStatus(`ws://127.0.0.1:${gw.httpPort}/api/v1/live`, ['sheetlog.v1', 'bearer.wrong-token-wrong']), 401);
  const accepted = new WebSocket(`ws://127.0.0.1:${gw.httpPort}/api/v1/live`, ['sheetlog.v1', `bearer.${token}`]);
  t.after(() => accepted.terminate());
  const hello = await new Promise<{ type: string }>((resolve, reject) => {
    accepted.once('message', (d) => resolve(JSON.parse(String(d)) as { type: string }));
    accepted.once('error', reject);
  });
  assert.equal(hello.type, 'hello');
});

test('on loopback the feed needs no token, but it does need the sheetlog.v1 subprotocol', async (t) => {
  const gw = await startTestApp();
  t.after(() => gw.stop());
  assert.equal(await upgradeStatus(`ws://127.0.0.1:${gw.httpPort}/api/v1/live`, []), 400);
  assert.equal(await upgradeStatus(`ws://127.0.0.1:${gw.httpPort}/other`, ['sheetlog.v1']), 404);
});

test('isLoopbackHost tells loopback addresses from the rest', () => {
  for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) assert.equal(isLoopbackHost(h), true, h);
  for (const h of ['0.0.0.0', '::', '192.168.1.10', 'gateway.local', '128.0.0.1']) assert.equal(isLoopbackHost(h), false, h);
});

test('http.port takes a port or "off"; --http-port parses the same', () => {
  assert.equal(configSchema.parse({}).http.port, 8080);
  assert.equal(configSchema.parse({}).http.host, '127.0.0.1');
  assert.equal(configSchema.parse({ http: { port: 'off' } }).http.port, 'off');
  assert.equal(configSchema.safeParse({ http: { port: 'of' } }).success, false);
  assert.equal(configSchema.safeParse({ http: { port: 70000 } }).success, false);
  assert.equal(parseHttpPort('off'), 'off');
  assert.equal(parseHttpPort('9090'), 9090);
  assert.throws(() => parseHttpPort('eighty'));
});

test('http.port "off": no HTTP server, the gateway still takes readings', async (t) => {
  const gw = await startTestApp({ http: { port: 'off' } });
  t.after(() => gw.stop());
  assert.equal(gw.httpPort, -1);
  assert.equal(gw.app.api, null);
});

test('sheetlog start prints the dashboard URL; --http-port off turns it off', async (t) => {
  const on = await startGatewayProcess(['--port', '0', '--data', tempDir()]);
  t.after(() => on.stop('SIGKILL'));
  const listening = on.logs.find((l) => l.msg === 'listening')!;
  assert.equal(typeof listening.httpPort, 'number');
  const port = listening.httpPort as number;
  await waitFor(() => on.stderr().includes('dashboard:'), 'the banner');
  assert.match(on.stderr(), new RegExp(`dashboard: http://127\\.0\\.0\\.1:${port}/`));
  assert.equal((await http(port, 'GET', '/healthz')).status, 200);
  await on.stop();

  const off = await startGatewayProcess(['--port', '0', '--data', tempDir(), '--http-port', 'off']);
  t.after(() => off.stop('SIGKILL'));
  assert.equal(off.logs.find((l) => l.msg === 'listening')!.httpPort, undefined);
  await waitFor(() => off.stderr().includes('dashboard:'), 'the banner');
  assert.match(off.stderr(), /dashboard: off/);
});
