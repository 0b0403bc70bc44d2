import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { hostName, OriginPolicy } from '../../../gateway/api/request-origin.js';
import { startTestApp } from '../../helpers/app.js';
import { http } from '../../helpers/http.js';

const policy = (allowedHosts: string[] = [], allowedOrigins: string[] = []) =>
  new OriginPolicy({ bindHost: '127.0.0.1', machineName: 'pi4', allowedHosts, allowedOrigins });

test('Host: loopback names, IP literals, the machine name and the allow-list pass; other names are refused', () => {
  const p = policy(['logger.example.org']);
  for (const h of ['localhost:8080', '127.0.0.1:8080', '[::1]:8080', '192.168.1.20:8080', 'PI4:8080', 'pi4.local', 'app.localhost:1', 'logger.example.org:8080', '10.0.0.1']) {
    assert.deepEqual(p.check(h, undefined), { ok: true }, h);
  }
  for (const h of ['evil.example:8080', 'localhost.evil.example', '127.0.0.1.nip.io:8080', '']) {
    const v = p.check(h, undefined);
    assert.equal(v.ok, false, h);
    assert.equal(!v.ok && v.code, 'HOST_NOT_ALLOWED', h);
  }
  assert.equal(p.check(undefined, undefined).ok, false);
  assert.deepEqual(policy(['*']).check('anything.example', undefined), { ok: true });
});

test('Origin: absent, the same host and port, or allow-listed pass; any other origin is refused', () => {
  const p = policy([], ['https://dash.example']);
  assert.deepEqual(p.check('127.0.0.1:8080', 'http://127.0.0.1:8080'), { ok: true });
  assert.deepEqual(p.check('localhost', 'http://localhost:80'), { ok: true }, 'default ports compare equal');
  assert.deepEqual(p.check('127.0.0.1:8080', 'https://dash.example'), { ok: true });
  for (const origin of ['http://evil.example', 'http://127.0.0.1:8081', 'http://localhost:8080', 'null', 'file://', 'chrome-extension://abc']) {
    const v = p.check('127.0.0.1:8080', origin);
    assert.equal(!v.ok && v.code, 'ORIGIN_NOT_ALLOWED', origin);
  }
  assert.deepEqual(policy([], ['*']).check('127.0.0.1:8080', 'http://evil.example'), { ok: true });
});

test('hostName strips the port and brackets', () => {
  assert.equal(hostName('[::1]:8080'), '::1');
  assert.equal(hostName('Example.COM:80'), 'example.com');
  assert.equal(hostName('pi4'), 'pi4');
});

/** The upgrade's answer: 101 when accepted, else the refusal's status and code header. */
function upgrade(port: number, headers: Record<string, string>): Promise<{ status: number; code?: string }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/live`, ['sheetlog.v1'], { headers });
  ws.on('error', () => {});
  return new Promise((resolve) => {
    ws.on('unexpected-response', (req, res) => {
      resolve({ status: res.statusCode ?? 0, code: res.headers['x-sheetlog-code'] as string | undefined });
      req.destroy();
    });
    ws.on('open', () => {
      ws.terminate();
      resolve({ status: 101 });
    });
  });
}

test('the gateway refuses a foreign Host on every request and a foreign Origin on the API and the live feed', async (t) => {
  const gw = await startTestApp();
  t.after(() => gw.stop());
  const rebound = await http(gw.httpPort, 'GET', '/api/v1/readings', { headers: { host: `evil.example:${gw.httpPort}` } });
  assert.equal(rebound.status, 403);
  assert.equal(rebound.json.reason.code, 'HOST_NOT_ALLOWED');
  assert.equal((await http(gw.httpPort, 'GET', '/', { headers: { host: 'evil.example' } })).status, 403, 'the dashboard page too');

  const foreign = await http(gw.httpPort, 'GET', '/api/v1/devices', { headers: { origin: 'http://evil.example' } });
  assert.equal(foreign.status, 403);
  assert.equal(foreign.json.reason.code, 'ORIGIN_NOT_ALLOWED');
  const own = await http(gw.httpPort, 'GET', '/api/v1/devices', { headers: { origin: `http://127.0.0.1:${gw.httpPort}` } });
  assert.equal(own.status, 200);
  assert.equal((await http(gw.httpPort, 'GET', '/api/v1/devices')).status, 200, 'no Origin: a script or curl');

  assert.deepEqual(await upgrade(gw.httpPort, { origin: 'http://evil.example' }), { status: 403, code: 'ORIGIN_NOT_ALLOWED' });
  assert.deepEqual(await upgrade(gw.httpPort, { origin: `http://127.0.0.1:${gw.httpPort}`, host: `evil.example:${gw.httpPort}` }), { status: 403, code: 'HOST_NOT_ALLOWED' });
  assert.deepEqual(await upgrade(gw.httpPort, { origin: `http://127.0.0.1:${gw.httpPort}` }), { status: 101 });
  assert.ok(gw.logs.some((l) => l.msg === 'live feed upgrade refused' && l.code === 'ORIGIN_NOT_ALLOWED'));
});

test('http.allowedOrigins lets a named page open the live feed', async (t) => {
  const gw = await startTestApp({ http: { port: 0, allowedOrigins: ['https://dash.example'] } });
  t.after(() => gw.stop());
  assert.deepEqual(await upgrade(gw.httpPort, { origin: 'https://dash.example' }), { status: 101 });
  assert.equal((await upgrade(gw.httpPort, { origin: 'https://other.example' })).status, 403);
});
