import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { SinkStatus } from '../../../gateway/api/sync-status.js';
import { rmSync, writeFileSync } from 'node:fs';
import { startSheetsEmulator } from '../../sheets-emulator/index.js';
import { SPREADSHEET, TEST_KEY } from '../sinks/google-sheets/harness.js';
import { startTestApp, tempDir, type TestApp } from '../../helpers/app.js';
import { artifactPath, browserSkip, launchChromium, watchConsole } from '../../helpers/browser.js';
import { LineClient } from '../../helpers/line-client.js';

const skip = browserSkip();

/**
 * Waits until the text of `selector` matches `re`. A function, not a string: the dashboard's CSP
 * forbids eval, which string predicates need. (This project compiles without the DOM types.)
 */
async function waitForText(page: Page, selector: string, re: RegExp, timeout = 5000): Promise<void> {
  await page.waitForFunction(
    ([sel, source, flags]) => {
      const el = (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document.querySelector(sel);
      return el !== null && new RegExp(source, flags).test(el.textContent ?? '');
    },
    [selector, re.source, re.flags] as const,
    { timeout },
  );
}

describe('dashboard in Chromium', { skip }, () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(() => browser?.close());

  /** A page on a gateway; console errors and failed requests are collected for the test to check. */
  async function open(gw: TestApp, t: { after(fn: () => unknown): void }, viewport = { width: 1280, height: 900 }): Promise<{ page: Page; problems: string[] }> {
    const context = await browser.newContext({ viewport, colorScheme: 'light' });
    t.after(() => context.close());
    const page = await context.newPage();
    const problems = watchConsole(page);
    await page.goto(`http://127.0.0.1:${gw.httpPort}/`);
    await page.waitForSelector('#conn[data-state="live"]');
    return { page, problems };
  }

  test('loads without console errors and explains the empty fleet', async (t) => {
    const gw = await startTestApp({}, undefined, undefined, { syncStatus: { sinks: () => [] } });
    t.after(() => gw.stop());
    const { page, problems } = await open(gw, t);
    await page.waitForSelector('#devices-empty:not([hidden])');
    const empty = await page.textContent('#devices-empty');
    assert.match(empty!, /No devices yet — run npm run fleet -- --devices 20 --rate 1 --gateway 127\.0\.0\.1:\d+ or flash a sketch/);
    assert.match((await page.textContent('#sinks'))!, /No sink is running/);
    assert.equal(await page.isVisible('#tail-empty'), true);
    assert.equal(await page.textContent('#f-connected'), '0');
    assert.match((await page.textContent('#version'))!, /^v\d+\.\d+\.\d+/);
    assert.deepEqual(problems, []);
  });

  test('a reading sent over TCP shows up in the device table and the tail within a second', async (t) => {
    const gw = await startTestApp({ csv: { timeZone: 'UTC' } });
    t.after(() => gw.stop());
    const { page, problems } = await open(gw, t);
    const c = await LineClient.open(gw.port);
    t.after(() => c.close());
    c.send('HELLO bench-7 tok boot=42 fw=1.4.2 board=esp8266', 'R 1 1795232400000 temp_c=21.5');
    assert.match((await c.next())!, /^HELLO OK/);
    assert.equal(await c.next(), 'ACK 1');
    const acked = Date.now();
    const row = await page.waitForSelector('#devices tbody tr[data-id="bench-7"]', { timeout: 1000 });
    await waitForText(page, '#tail tbody', /bench-7.*21\.5/, 1000);
    const elapsed = Date.now() - acked;
    assert.ok(elapsed < 1000, `visible after ${elapsed} ms`);
    const cells = await row.$$eval('td', (tds) => tds.map((td) => td.textContent));
    assert.deepEqual(cells.slice(0, 4), ['bench-7', 'connected', 'esp8266', '1.4.2']);
    assert.equal(cells[5], '1');
    const tail = await page.$$eval('#tail tbody tr:first-child td', (tds) => tds.map((td) => td.textContent));
    // As the CSV sink (the default with no Google credentials) writes it.
    assert.deepEqual(tail.slice(0, 7), ['2026-11-21 03:40:00.000', 'bench-7', 'temp_c', '21.5', '1', '42', 'device']);
    assert.equal(await page.textContent('#f-connected'), '1');
    assert.deepEqual(problems, []);
  });

  test('a real Google Sheets sink that the API throttles shows as backing off with its 429s, then recovers', async (t) => {
    const quotas = { readsPerUser: 1e6, readsPerProject: 1e6, writesPerUser: 1e6, writesPerProject: 1e6 };
    const emu = await startSheetsEmulator({ spreadsheetIds: [SPREADSHEET], serviceAccount: { privateKeyPem: TEST_KEY }, quotas });
    t.after(() => emu.stop());
    const secrets = tempDir('sheetlog-creds-');
    t.after(() => rmSync(secrets, { recursive: true, force: true }));
    const credentials = join(secrets, 'credentials.json');
    writeFileSync(credentials, JSON.stringify(emu.serviceAccountCredentials()), { mode: 0o600 });
    const gw = await startTestApp({
      sinks: { enabled: ['google-sheets'] },
      // Backoff long enough for the page (two updates a second) to see it.
      sync: { lingerMs: 0, backoffBaseMs: 3000, backoffMaxMs: 3000 },
      sheets: { spreadsheetId: SPREADSHEET, credentials, rootUrl: emu.rootUrl, tokenUrl: emu.tokenUrl, timeZone: 'UTC' },
    });
    t.after(() => gw.stop());
    const { page, problems } = await open(gw, t);
    const c = await LineClient.open(gw.port);
    t.after(() => c.close());
    c.send('HELLO porch tok boot=1', 'R 1 - temp_c=20.5');
    await c.until((l) => l === 'ACK 1');
    await page.waitForSelector('.sink[data-sink="google-sheets"][data-state="idle"]');
    await waitForText(page, '.sink[data-sink="google-sheets"]', /Rows written1/);

    emu.setFaults('429=1');
    c.send('R 2 - temp_c=20.6', 'R 3 - temp_c=20.7');
    await c.until((l) => l === 'ACK 3');
    const card = await page.waitForSelector('.sink[data-sink="google-sheets"][data-state="backoff"]', { timeout: 5000 });
    await waitForText(page, '.sink[data-sink="google-sheets"]', /429 ×\d/);
    const text = (await card.textContent())!;
    assert.match(text, /2 rows/, 'the two readings wait in the buffer');
    assert.match(text, /RATE_LIMITED/);
    assert.equal(await page.getAttribute('.sink[data-sink="google-sheets"] .sink-error', 'class'), 'sink-error');

    emu.setFaults('');
    await page.waitForSelector('.sink[data-sink="google-sheets"][data-state="idle"]', { timeout: 10000 });
    await waitForText(page, '.sink[data-sink="google-sheets"]', /caught up/);
    assert.equal(await page.getAttribute('.sink[data-sink="google-sheets"] .sink-error', 'class'), 'sink-error old', 'the error is shown as recovered');
    assert.deepEqual(problems, []);
  });

  test('the sync panel renders every field of a stalled sink: state, error, pending rows, last push, quota, 429s', async (t) => {
    const sink: SinkStatus = {
      name: 'sheets',
      kind: 'google-sheets',
      state: 'idle',
      target: 'spreadsheet 1AbC',
      cursor: 0,
      lastPushAt: Date.now(),
      lastError: null,
      rowsWritten: 0,
      requests: 1,
      errors: 0,
      throttled: 0,
      quota: { used: 1, limit: 60, windowMs: 60000 },
      backoffUntil: null,
    };
    let current = sink;
    const gw = await startTestApp({}, undefined, undefined, { syncStatus: { sinks: () => [current] } });
    t.after(() => gw.stop());
    const { page, problems } = await open(gw, t);
    await page.waitForSelector('.sink[data-sink="sheets"][data-state="idle"]');

    const c = await LineClient.open(gw.port);
    t.after(() => c.close());
    c.send('HELLO s1 tok boot=1', 'R 1 - v=1', 'R 2 - v=2', 'R 3 - v=3');
    await c.until((l) => l === 'ACK 3');
    current = {
      ...sink,
      state: 'stalled',
      lastPushAt: Date.now() - 600_000,
      lastError: { at: Date.now(), code: 'PERMISSION', message: 'the service account may not edit the spreadsheet' },
      errors: 5,
      throttled: 2,
      quota: { used: 58, limit: 60, windowMs: 60000 },
    };
    const card = await page.waitForSelector('.sink[data-sink="sheets"][data-state="stalled"]', { timeout: 2000 });
    const text = (await card.textContent())!;
    assert.match(text, /stalled/);
    assert.match(text, /3 rows/, 'pending rows from the store cursor');
    assert.match(text, /PERMISSION: the service account may not edit the spreadsheet/);
    assert.match(text, /10 min ago/);
    assert.match(text, /58 \/ 60 per min/);
    assert.match(text, /429 ×2/);
    const errorBox = await card.$('.sink-error');
    assert.equal(await errorBox!.getAttribute('class'), 'sink-error', 'shown as a current error, not a recovered one');
    assert.deepEqual(problems, []);
  });

  test('clicking a device charts its sensor values live', async (t) => {
    const gw = await startTestApp();
    t.after(() => gw.stop());
    const c = await LineClient.open(gw.port);
    t.after(() => c.close());
    c.send('HELLO plot-1 tok boot=3', ...Array.from({ length: 20 }, (_, i) => `R ${i + 1} ${1795232400000 + i * 1000} temp_c=${20 + i / 10} door=${i % 2 === 0}`));
    await c.until((l) => l === 'ACK 20');
    const { page, problems } = await open(gw, t);
    await page.click('#devices tbody tr[data-id="plot-1"]');
    await page.waitForSelector('#sensor-chart canvas');
    await page.waitForSelector('#sensor-empty', { state: 'hidden' });
    assert.equal(await page.inputValue('#chart-device'), 'plot-1');
    assert.deepEqual(await page.$$eval('#chart-sensor option', (os) => os.map((o) => o.textContent)), ['door', 'temp_c']);
    assert.equal(await page.getAttribute('#devices tbody tr[data-id="plot-1"]', 'class'), 'selected');
    assert.deepEqual(problems, []);
  });

  test('on a network address the page asks for the admin token, then goes live', async (t) => {
    const gw = await startTestApp({ http: { host: '0.0.0.0', port: 0 } });
    t.after(() => gw.stop());
    const token = readFileSync(join(gw.dataDir, 'admin-token'), 'utf8').trim();
    const context = await browser.newContext();
    t.after(() => context.close());
    const page = await context.newPage();
    const problems = watchConsole(page);
    await page.goto(`http://127.0.0.1:${gw.httpPort}/`);
    await page.waitForSelector('#token-form:not([hidden])');
    await page.fill('#token-input', 'not-the-token-1234');
    await page.click('#token-form button');
    await page.waitForSelector('#token-error:not([hidden])');
    await page.fill('#token-input', token);
    await page.click('#token-form button');
    await page.waitForSelector('#conn[data-state="live"]');
    assert.equal(await page.isHidden('#token-form'), true);
    // The two refused status probes are expected; nothing else may fail.
    assert.deepEqual(
      problems.filter((p) => !/status of 40[13]/.test(p)),
      [],
    );
  });

  test('screenshots of a busy dashboard, desktop and phone, saved under test-artifacts/', async (t) => {
    const sinks: SinkStatus[] = [
      {
        name: 'sheets', kind: 'google-sheets', state: 'backoff', target: 'spreadsheet 1AbC', cursor: 2, lastPushAt: Date.now() - 30_000,
        lastError: { at: Date.now() - 2000, code: 'RATE_LIMITED', message: '429 RESOURCE_EXHAUSTED: write requests per minute' },
        rowsWritten: 120, requests: 60, errors: 3, throttled: 3, quota: { used: 60, limit: 60, windowMs: 60000 }, backoffUntil: Date.now() + 20_000,
      },
      {
        name: 'csv', kind: 'csv', state: 'idle', target: 'data/csv', cursor: 1e9, lastPushAt: Date.now() - 1000, lastError: null,
        rowsWritten: 240, requests: 12, errors: 0, throttled: 0, quota: null, backoffUntil: null,
      },
    ];
    const gw = await startTestApp({}, undefined, undefined, { syncStatus: { sinks: () => sinks } });
    t.after(() => gw.stop());
    const boards: LineClient[] = [];
    t.after(() => boards.forEach((b) => b.close()));
    for (const [i, id] of ['greenhouse-1', 'greenhouse-2', 'kitchen', 'garage'].entries()) {
      const c = await LineClient.open(gw.port);
      boards.push(c);
      c.send(`HELLO ${id} tok boot=${10 + i} fw=1.${i}.0 board=${i % 2 ? 'feather-m0' : 'esp8266'}`, `T 1000 off=${Date.now() - 1000 + i * 9 - 12} rtt=${14 + i}`);
      const n = 30;
      const t0 = Date.now() - n * 2000;
      c.send(...Array.from({ length: n }, (_, k) => `R ${k + 1} ${t0 + k * 2000} temp_c=${(19 + i + Math.sin(k / 4)).toFixed(2)} rh=${(45 + Math.cos(k / 5) * 4).toFixed(1)}`));
      await c.until((l) => l === `ACK ${n}`);
      if (i === 1) c.send('R 31 - temp_c=');
    }
    for (const [name, viewport] of [['dashboard.png', { width: 1280, height: 900 }], ['dashboard-phone.png', { width: 390, height: 844 }]] as const) {
      const { page, problems } = await open(gw, t, viewport);
      await page.waitForSelector('#devices tbody tr[data-id="garage"]');
      await page.click('#devices tbody tr[data-id="greenhouse-1"]');
      await page.waitForSelector('#sensor-chart canvas');
      await page.waitForSelector('.sink[data-state="backoff"]');
      await page.waitForSelector('#rate-chart canvas');
      await page.waitForSelector('#rate-empty', { state: 'hidden' });
      // A few seconds of rate history, so the chart has a line to show.
      await page.waitForFunction(() => (globalThis as unknown as { sheetlog: { state: { rates: { t: number[] } } } }).sheetlog.state.rates.t.length >= 4);
      const path = artifactPath(name);
      await page.screenshot({ path, fullPage: true });
      assert.ok(existsSync(path) && statSync(path).size > 10_000, `${name} written`);
      assert.deepEqual(problems, []);
    }
  });
});
