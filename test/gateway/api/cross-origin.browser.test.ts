import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { startTestApp } from '../../helpers/app.js';
import { browserSkip, CHROMIUM_ARGS, CHROMIUM_PATH } from '../../helpers/browser.js';
import { LineClient } from '../../helpers/line-client.js';
import { WebSocket } from 'ws';

const skip = browserSkip();

/** A page on another origin that tries to read the gateway: its live feed and its readings. */
function attackerPage(gatewayPort: number): string {
  return `<!doctype html><title>elsewhere</title><script>
  window.results = { ws: 'pending', messages: 0, fetch: 'pending' };
  const ws = new WebSocket('ws://127.0.0.1:${gatewayPort}/api/v1/live', ['sheetlog.v1']);
  ws.onopen = () => { window.results.ws = 'open'; };
  ws.onmessage = () => { window.results.messages++; };
  ws.onclose = () => { if (window.results.ws === 'pending') window.results.ws = 'refused'; };
  fetch('http://127.0.0.1:${gatewayPort}/api/v1/readings').then((r) => r.text()).then((t) => { window.results.fetch = 'read: ' + t; }, () => { window.results.fetch = 'blocked'; });
  </script>`;
}

async function serve(html: string): Promise<Server> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

interface Results {
  ws: string;
  messages: number;
  fetch: string;
}

describe('the gateway seen from another web origin, in Chromium', { skip }, () => {
  let browser: Browser;
  before(async () => {
    // evil.example resolves to loopback, as a DNS rebinding attack would make it.
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP evil.example 127.0.0.1'] });
  });
  after(() => browser?.close());

  test('a page from another origin cannot open the live feed nor read the API; no reading reaches it', async (t) => {
    const gw = await startTestApp();
    t.after(() => gw.stop());
    const site = await serve(attackerPage(gw.httpPort));
    t.after(() => site.close());
    const context = await browser.newContext();
    t.after(() => context.close());
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${(site.address() as AddressInfo).port}/`);
    await page.waitForFunction(() => {
      const r = (globalThis as unknown as { results: Results }).results;
      return r.ws !== 'pending' && r.fetch !== 'pending';
    });

    // The dashboard's own origin gets the feed; once it has shown the reading, the page has had every chance to.
    const own = new WebSocket(`ws://127.0.0.1:${gw.httpPort}/api/v1/live`, ['sheetlog.v1'], { headers: { origin: `http://127.0.0.1:${gw.httpPort}` } });
    t.after(() => own.terminate());
    const seen = new Promise<void>((resolve) => own.on('message', (d) => String(d).includes('temp_c') && resolve()));
    await once(own, 'open');

    // A board sends a reading while the page is there.
    const board = await LineClient.open(gw.port);
    t.after(() => board.socket.destroy());
    board.send('HELLO b1 secret-token boot=1', 'R 1 - temp_c=21.5');
    assert.match((await board.next())!, /^HELLO OK/);
    assert.equal(await board.next(), 'ACK 1');
    await seen;

    const results = (await page.evaluate(() => (globalThis as unknown as { results: Results }).results)) as Results;
    assert.equal(results.ws, 'refused');
    assert.equal(results.messages, 0);
    assert.equal(results.fetch, 'blocked');
    assert.ok(gw.logs.some((l) => l.msg === 'live feed upgrade refused' && l.code === 'ORIGIN_NOT_ALLOWED'));
  });

  test('DNS rebinding: a foreign name that resolves to the gateway gets 403 HOST_NOT_ALLOWED, not the dashboard or data', async (t) => {
    const gw = await startTestApp();
    t.after(() => gw.stop());
    const context = await browser.newContext();
    t.after(() => context.close());
    const page = await context.newPage();
    for (const path of ['/', '/api/v1/readings']) {
      const response = await page.goto(`http://evil.example:${gw.httpPort}${path}`);
      assert.equal(response?.status(), 403, path);
      assert.match(await response!.text(), /HOST_NOT_ALLOWED/, path);
    }
  });
});
