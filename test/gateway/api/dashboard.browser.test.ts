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
  async function open(gw: TestApp, t: { after(fn: () => unknown): void }, viewport = { width: 1280, height: 900 }, path = '/'): Promise<{ page: Page; problems: string[] }> {
    const context = await browser.newContext({ viewport, colorScheme: 'light' });
    t.after(() => context.close());
    const page = await context.newPage();
    const problems = watchConsole(page);
    await page.goto(`http://127.0.0.1:${gw.httpPort}${path}`);
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

  test('a reading sent over TCP shows up in the device table and the tail (how fast: bench:dashboard)', async (t) => {
    const gw = await startTestApp({ csv: { timeZone: 'UTC' } });
    t.after(() => gw.stop());
    const { page, problems } = await open(gw, t);
    const c = await LineClient.open(gw.port);
    t.after(() => c.close());
    c.send('HELLO bench-7 tok boot=42 fw=1.4.2 board=esp8266', 'R 1 1795232400000 temp_c=21.5');
    assert.match((await c.next())!, /^HELLO OK/);
    assert.equal(await c.next(), 'ACK 1');
    // The feed pushes every http.feedIntervalMs; the waits only bound a hang (speed is bench:dashboard's job).
    const row = await page.waitForSelector('#devices tbody tr[data-id="bench-7"]', { timeout: 15000 });
    await waitForText(page, '#tail tbody', /bench-7.*21\.5/, 15000);
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
    await waitForText(page, '.sink[data-sink="google-sheets"]', /Readings written1/);

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
    // The page saw the two readings go out after the recovery: its list of recent writes shows them.
    await waitForText(page, '.sink[data-sink="google-sheets"] .sink-recent li', /2 readings/);
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
      warnings: ['the Google refresh token in client.json expires at 2026-12-08 09:30 UTC, in 3 days: sync stops then'],
      // Added to the sink status by the quarantine (docs/API.md); shown when present.
      ...({ quarantinedRows: 4 } as object),
    };
    const card = await page.waitForSelector('.sink[data-sink="sheets"][data-state="stalled"]', { timeout: 2000 });
    const text = (await card.textContent())!;
    assert.match(text, /stalled/);
    assert.match(text, /3 rows/, 'pending rows from the store cursor');
    assert.match(text, /PERMISSION: the service account may not edit the spreadsheet/);
    assert.match(text, /10 min ago/);
    assert.match(text, /58 \/ 60 per min/);
    assert.match(text, /429 ×2/);
    assert.match(text, /Quarantined4 rows/);
    assert.equal(await card.$eval('.sink-warning', (w) => w.textContent), 'the Google refresh token in client.json expires at 2026-12-08 09:30 UTC, in 3 days: sync stops then');
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

  /** Boards that each sent `n` readings of temp_c and rh (and a clock report), connections kept open. */
  async function boards(gw: TestApp, t: { after(fn: () => unknown): void }, ids: readonly string[], n = 10): Promise<void> {
    for (const [i, id] of ids.entries()) {
      const c = await LineClient.open(gw.port);
      t.after(() => c.close());
      const t0 = Date.now() - n * 1000;
      c.send(`HELLO ${id} tok boot=${20 + i} fw=2.0.${i} board=esp32`, `T 1000 off=${Date.now() - 1000 + 40} rtt=20`);
      c.send(...Array.from({ length: n }, (_, k) => `R ${k + 1} ${t0 + k * 1000} temp_c=${20 + k / 10} rh=${50 - k / 10}`));
      await c.until((l) => l === `ACK ${n}`);
    }
  }

  test('on a 400-px phone the device table shows id, status, last seen and readings without sideways scrolling', async (t) => {
    const gw = await startTestApp();
    t.after(() => gw.stop());
    await boards(gw, t, ['greenhouse-north-bench-12', 'kitchen', 'garage-door-sensor']);
    const { page, problems } = await open(gw, t, { width: 400, height: 800 });
    await page.waitForSelector('#devices tbody tr[data-id="kitchen"]');
    const overflow = await page.evaluate(() => {
      const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number }; querySelector(s: string): { scrollWidth: number; clientWidth: number } } }).document;
      const wrap = d.querySelector('#devices-panel .table-wrap');
      return { page: d.documentElement.scrollWidth - d.documentElement.clientWidth, table: wrap.scrollWidth - wrap.clientWidth };
    });
    assert.deepEqual(overflow, { page: 0, table: 0 }, 'nothing scrolls sideways');
    const headers = await page.$$eval('#devices thead th', (ths) =>
      ths.map((th) => {
        const r = th.getBoundingClientRect();
        return { text: th.textContent, visible: r.width > 0, right: r.right };
      }),
    );
    const shown = headers.filter((h) => h.visible);
    assert.deepEqual(shown.map((h) => h.text), ['Device', 'Status', 'Last seen', 'Readings']);
    assert.ok(shown.every((h) => h.right <= 400), `within the screen: ${JSON.stringify(shown)}`);
    const cells = await page.$$eval('#devices tbody tr[data-id="greenhouse-north-bench-12"] td', (tds) =>
      tds.filter((td) => td.getBoundingClientRect().width > 0).map((td) => ({ text: td.textContent, right: td.getBoundingClientRect().right })),
    );
    assert.equal(cells.length, 4);
    assert.deepEqual([cells[0]!.text, cells[1]!.text, cells[3]!.text], ['greenhouse-north-bench-12', 'connected', '10']);
    assert.match(cells[2]!.text!, /just now|s ago/);
    assert.ok(cells.every((c) => c.right <= 400), `cells within the screen: ${JSON.stringify(cells)}`);
    // What the table leaves out is under the chart of the chosen device.
    await page.click('#devices tbody tr[data-id="kitchen"]');
    await waitForText(page, '#device-detail', /board esp32/);
    // The clock error depends on the transit time of the T line: its sign and size are not asserted.
    assert.match((await page.textContent('#device-detail'))!, /^board esp32 · fw 2\.0\.1 · 10 readings · 0 NAK · clock [+-]?\d+(\.\d)? m?s · RTT 20 ms$/);
    await page.screenshot({ path: artifactPath('dashboard-400.png'), fullPage: true });
    assert.deepEqual(problems, []);
  });

  test('the charted device and sensor live in the URL: a deep link opens them, back and forward step through choices', async (t) => {
    const gw = await startTestApp();
    t.after(() => gw.stop());
    await boards(gw, t, ['plot-1', 'plot-2']);
    const { page, problems } = await open(gw, t, undefined, '/?device=plot-1&sensor=rh');
    await page.waitForSelector('#sensor-chart canvas');
    await page.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { value: string } } }).document.querySelector('#chart-sensor').value === 'rh');
    assert.equal(await page.inputValue('#chart-device'), 'plot-1');
    await page.waitForSelector('#devices tbody tr[data-id="plot-1"].selected');
    const search = () => page.evaluate(() => (globalThis as unknown as { location: { search: string } }).location.search);

    await page.selectOption('#chart-sensor', 'temp_c');
    assert.equal(await search(), '?device=plot-1&sensor=temp_c');
    await page.click('#devices tbody tr[data-id="plot-2"]');
    // The sensor shown stays when the other device has it too.
    await page.waitForFunction(() => (globalThis as unknown as { location: { search: string } }).location.search === '?device=plot-2&sensor=temp_c');
    assert.equal(await page.inputValue('#chart-device'), 'plot-2');

    await page.goBack();
    await page.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { value: string } } }).document.querySelector('#chart-device').value === 'plot-1');
    assert.equal(await search(), '?device=plot-1&sensor=temp_c');
    await page.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { value: string } } }).document.querySelector('#chart-sensor').value === 'temp_c');
    await page.waitForSelector('#devices tbody tr[data-id="plot-1"].selected');
    await page.goBack();
    await page.waitForFunction(() => (globalThis as unknown as { location: { search: string } }).location.search === '?device=plot-1&sensor=rh');
    await page.goForward();
    await page.goForward();
    await page.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { value: string } } }).document.querySelector('#chart-device').value === 'plot-2');
    assert.deepEqual(problems, []);
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
      // Boards that keep a clock report it (off=: epoch - millis at millis 1000), a few ms off; garage only stamps uptime.
      const time = id === 'garage' ? 'T 1000' : `T 1000 off=${Date.now() - 1000 + i * 9 - 12} rtt=${14 + i}`;
      c.send(`HELLO ${id} tok boot=${10 + i} fw=1.${i}.0 board=${i % 2 ? 'feather-m0' : 'esp8266'}`, time);
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
      await page.waitForFunction(() => (globalThis as unknown as { sheetlog: { rates: { data: { t: number[] } } } }).sheetlog.rates.data.t.length >= 4);
      const path = artifactPath(name);
      await page.screenshot({ path, fullPage: true });
      assert.ok(existsSync(path) && statSync(path).size > 10_000, `${name} written`);
      assert.deepEqual(problems, []);
    }
  });
});
