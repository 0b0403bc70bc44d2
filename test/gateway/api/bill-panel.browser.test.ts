import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { startTestApp } from '../../helpers/app.js';
import { browserSkip, launchChromium, watchConsole } from '../../helpers/browser.js';

const skip = browserSkip();

describe('dashboard bill panel in Chromium', { skip }, () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(() => browser?.close());

  test('the charted device shows its month to date: consumption, cost, tier reached (the API\'s figures)', async (t) => {
    const now = Date.now();
    const tiers = [{ upTo: 100, price: 0.2 }, { upTo: null, price: 0.5 }];
    const gw = await startTestApp({
      billing: { field: 'energy_wh', unit: 'kWh', tiers, fixedCharge: 5, currency: 'EUR', timeZone: 'UTC' },
      fields: [{ match: 'energy_wh', kind: 'counter', scale: 0.001, unit: 'kWh' }],
    });
    t.after(() => gw.stop());
    gw.app.store.devices.add('meter-1', now);
    const insert = gw.app.store.db.prepare(`INSERT INTO readings (device, boot, seq, ts, ts_source, received, fields, bytes) VALUES ('meter-1', 1, ?, ?, 'device', ?, ?, 9)`);
    // Both readings in the current month (the first is the starting point): 120 kWh consumed.
    const monthStart = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), 1);
    insert.run(1, monthStart + 1000, monthStart + 1000, JSON.stringify({ energy_wh: 1_000_000 }));
    insert.run(2, now - 1000, now - 1000, JSON.stringify({ energy_wh: 1_120_000 }));
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    t.after(() => context.close());
    const page = await context.newPage();
    const problems = watchConsole(page);
    await page.goto(`http://127.0.0.1:${gw.httpPort}/?device=meter-1`);
    await page.waitForSelector('#conn[data-state="live"]');
    await page.waitForSelector('#bill-panel', { state: 'visible' });
    await page.waitForFunction(() => ((globalThis as unknown as { document: { getElementById(id: string): { textContent: string | null } | null } }).document.getElementById('bill-cost')?.textContent ?? '') !== '');
    const text = async (id: string) => (await page.textContent(`#${id}`)) ?? '';
    assert.equal(await text('bill-consumption'), '120 kWh');
    assert.equal(await text('bill-cost'), `${(20 + 10 + 5).toFixed(2)} EUR`);
    assert.match(await text('bill-tier'), /^2 of 2/);
    const api = (await (await fetch(`http://127.0.0.1:${gw.httpPort}/api/v1/devices/meter-1/bill`)).json()) as { result: { total: number; consumption: number } };
    assert.deepEqual([api.result.consumption, api.result.total], [120, 35]);
    assert.deepEqual(problems, []);
  });

  test('without billing the panel stays hidden and nothing is fetched', async (t) => {
    const gw = await startTestApp();
    t.after(() => gw.stop());
    gw.app.store.devices.add('plain', Date.now());
    const context = await browser.newContext();
    t.after(() => context.close());
    const page = await context.newPage();
    const problems = watchConsole(page);
    await page.goto(`http://127.0.0.1:${gw.httpPort}/?device=plain`);
    await page.waitForSelector('#conn[data-state="live"]');
    assert.equal(await page.isHidden('#bill-panel'), true);
    assert.deepEqual(problems, []);
  });
});
