import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { waitFor } from '../../../helpers/wait.js';
import { longKeys, readings } from '../readings.js';
import { keysOfTab, sheetsHarness, userApi, writeUntilDelivered, SPREADSHEET } from './harness.js';

/**
 * The fault matrix, one sink against the emulator through the real clients. Every test ends
 * with the tab holding each reading's rows exactly once, in order.
 */

test('applied, then the connection dropped (values write): the retry finds its rows and adds nothing', async (t) => {
  const h = await sheetsHarness();
  t.after(() => h.close());
  const sink = h.sink();
  await sink.start();
  await writeUntilDelivered(sink, readings(5));
  h.emu.queueFault({ target: 'write', action: 'drop-after-apply' });
  const lost = await sink.write({ rows: readings(5, 6) });
  assert.equal(lost.kind, 'retry-later');
  assert.equal(lost.kind === 'retry-later' && lost.code, 'UNAVAILABLE');
  assert.deepEqual(keysOfTab(h.tab('readings')), longKeys(readings(10)), 'the write did land');
  await writeUntilDelivered(sink, readings(8, 6)); // offered again, with more rows than before
  assert.deepEqual(keysOfTab(h.tab('readings')), longKeys(readings(13)));
});

test('applied, then dropped (tab creation): the tab is adopted, not created twice', async (t) => {
  const h = await sheetsHarness();
  t.after(() => h.close());
  const sink = h.sink();
  await sink.start();
  h.emu.queueFault({ target: 'write', action: 'drop-after-apply' });
  const outcomes = await writeUntilDelivered(sink, readings(4));
  assert.equal(outcomes[0]?.kind, 'retry-later');
  const titles = h.emu.state(SPREADSHEET).spreadsheets[0]!.sheets.map((s) => s.title);
  assert.deepEqual(titles, ['Sheet1', 'readings']);
  assert.deepEqual(keysOfTab(h.tab('readings')), longKeys(readings(4)));
  assert.equal(h.sheet('readings')?.gridProperties.frozenRowCount, 1);
  assert.deepEqual(h.sheet('readings')?.cells['A1']?.format?.textFormat, { bold: true });
});

test('429 and 5xx storms: every failure is retry-later with its code, nothing lost or doubled', async (t) => {
  const h = await sheetsHarness();
  t.after(() => h.close());
  const sink = h.sink();
  await sink.start();
  h.emu.setFaults('429=0.2,500=0.05,503=0.1,drop-after-apply=0.1,drop-before-apply=0.05,seed=11');
  const all = readings(60);
  const outcomes = [];
  for (let i = 0; i < 60; i += 7) outcomes.push(...(await writeUntilDelivered(sink, all.slice(i, i + 7), 200)));
  h.emu.setFaults('');
  const codes = new Set(outcomes.flatMap((o) => (o.kind === 'retry-later' ? [o.code] : [])));
  assert.ok(codes.has('RATE_LIMITED') && codes.has('UNAVAILABLE'), [...codes].join(','));
  const limited = outcomes.find((o) => o.kind === 'retry-later' && o.code === 'RATE_LIMITED');
  assert.match(limited?.kind === 'retry-later' ? limited.reason : '', /429 Quota exceeded/);
  assert.deepEqual(keysOfTab(h.tab('readings')), longKeys(all));
});

test('a request that times out (it may still land) is retried into the same cells', async (t) => {
  const h = await sheetsHarness();
  t.after(() => h.close());
  const sink = h.sink({ requestTimeoutMs: 300 });
  await sink.start();
  await writeUntilDelivered(sink, readings(3));
  h.emu.queueFault({ target: 'write', action: 'latency', latencyMs: 1000 });
  const timedOut = await sink.write({ rows: readings(3, 4) });
  assert.equal(timedOut.kind === 'retry-later' && timedOut.code, 'TIMEOUT');
  await writeUntilDelivered(sink, readings(6, 4));
  // The slow request lands at last (same rows, same cells): wait for the emulator to serve it.
  const served = () => h.emu.requests().filter((r) => r.operation === 'values.batchUpdate').length;
  await waitFor(() => served() >= 3, 'the slow request to be served');
  assert.deepEqual(keysOfTab(h.tab('readings')), longKeys(readings(9)));
});

test('access token revoked early: refreshed and retried within the same write', async (t) => {
  const h = await sheetsHarness();
  t.after(() => h.close());
  const sink = h.sink();
  await sink.start();
  await writeUntilDelivered(sink, readings(2));
  h.emu.expireTokens();
  assert.deepEqual(await sink.write({ rows: readings(2, 3) }), { kind: 'delivered', throughId: 4 });
  const statuses = h.emu.requests().map((r) => `${r.operation}:${r.status}`);
  assert.ok(statuses.includes('values.batchGet:401'), statuses.join(' '));
  assert.equal(statuses.filter((s) => s === 'token:200').length, 2);
  assert.deepEqual(keysOfTab(h.tab('readings')), longKeys(readings(4)));
});

test('wrong credentials: AUTH with one clear reason and no secret; fixed file → sync resumes', async (t) => {
  const h = await sheetsHarness();
  t.after(() => h.close());
  const good = JSON.stringify(h.emu.serviceAccountCredentials());
  const wrongKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  writeFileSync(h.credentials, JSON.stringify({ ...h.emu.serviceAccountCredentials(), private_key: wrongKey }));
  const sink = h.sink();
  await sink.start();
  const refused = await sink.write({ rows: readings(2) });
  assert.equal(refused.kind, 'retry-later');
  if (refused.kind !== 'retry-later') return;
  assert.equal(refused.code, 'AUTH');
  assert.match(refused.reason, /invalid_grant/);
  assert.ok(refused.reason.includes(h.credentials), 'names the file to fix');
  assert.ok(!refused.reason.includes('PRIVATE KEY'), 'no key material');
  assert.ok((refused.delayMs ?? 0) >= 1000, 'waits authRetryMs before trying again');
  const health = await sink.health();
  assert.equal(health.ok, false);
  writeFileSync(h.credentials, 'not json');
  const broken = await sink.write({ rows: readings(2) });
  assert.match(broken.kind === 'retry-later' ? broken.reason : '', /not valid JSON/);
  writeFileSync(h.credentials, good);
  assert.deepEqual(await sink.write({ rows: readings(2) }), { kind: 'delivered', throughId: 2 });
});

test('a tab renamed by a person keeps receiving rows under its new name', async (t) => {
  const h = await sheetsHarness();
  t.after(() => h.close());
  const sink = h.sink();
  await sink.start();
  await writeUntilDelivered(sink, readings(3));
  const sheetId = h.sheet('readings')!.sheetId;
  await userApi(h.emu).spreadsheets.batchUpdate({
    spreadsheetId: SPREADSHEET,
    requestBody: { requests: [{ updateSheetProperties: { properties: { sheetId, title: 'Lab log' }, fields: 'title' } }] },
  });
  assert.deepEqual(await sink.write({ rows: readings(3, 4) }), { kind: 'delivered', throughId: 6 });
  assert.equal(h.sheet('readings'), undefined, 'no new tab under the old name');
  assert.deepEqual(keysOfTab(h.tab('Lab log')), longKeys(readings(6)));
  assert.ok(h.logs.some((r) => r.msg === 'a tab written by sheetlog was renamed; following it'));
});

test('a tab deleted by a person is created again for new rows', async (t) => {
  const h = await sheetsHarness();
  t.after(() => h.close());
  const sink = h.sink();
  await sink.start();
  await writeUntilDelivered(sink, readings(3));
  const sheetId = h.sheet('readings')!.sheetId;
  await userApi(h.emu).spreadsheets.batchUpdate({ spreadsheetId: SPREADSHEET, requestBody: { requests: [{ deleteSheet: { sheetId } }] } });
  assert.deepEqual(await sink.write({ rows: readings(3, 4) }), { kind: 'delivered', throughId: 6 });
  const tab = h.tab('readings');
  assert.equal(tab[0]?.[0], 'time');
  assert.deepEqual(keysOfTab(tab), longKeys(readings(3, 4)));
  assert.notEqual(h.sheet('readings')?.sheetId, sheetId);
});

test('rows a person typed under the log are kept; the log continues below them', async (t) => {
  const h = await sheetsHarness();
  t.after(() => h.close());
  const sink = h.sink();
  await sink.start();
  await writeUntilDelivered(sink, readings(3));
  const next = h.tab('readings').length + 1;
  await userApi(h.emu).spreadsheets.values.update({
    spreadsheetId: SPREADSHEET,
    range: `readings!A${next}:B${next + 1}`,
    valueInputOption: 'USER_ENTERED',
    requestBody: { values: [['note', 'sensor moved'], ['', 'back again']] },
  });
  await writeUntilDelivered(sink, readings(4, 4));
  const tab = h.tab('readings');
  assert.deepEqual(tab[next - 1]?.slice(0, 2), ['note', 'sensor moved']);
  assert.deepEqual(tab[next]?.slice(0, 2), ['', 'back again']);
  const ours = tab.filter((r, i) => i === 0 || (i !== next - 1 && i !== next));
  assert.deepEqual(keysOfTab(ours), longKeys(readings(7)));
  assert.ok(h.logs.some((r) => String(r.msg).startsWith('rows were typed under the log')));
});

test('an existing tab of the same name with sheetlog\'s header is adopted and continued', async (t) => {
  const h = await sheetsHarness();
  t.after(() => h.close());
  const first = h.sink();
  await first.start();
  await writeUntilDelivered(first, readings(3));
  // The SQLite file is lost (a new machine): the bookkeeping starts empty, the tab is found.
  h.db.exec('DELETE FROM sheet_tabs; DELETE FROM sheet_sinks; DELETE FROM sheet_reservations;');
  const second = h.sink();
  await second.start();
  await writeUntilDelivered(second, readings(2, 4));
  assert.deepEqual(keysOfTab(h.tab('readings')), longKeys(readings(5)));
});

test('a tab of that name holding something else is never written over', async (t) => {
  const h = await sheetsHarness();
  t.after(() => h.close());
  await userApi(h.emu).spreadsheets.batchUpdate({ spreadsheetId: SPREADSHEET, requestBody: { requests: [{ addSheet: { properties: { title: 'readings' } } }] } });
  await userApi(h.emu).spreadsheets.values.update({
    spreadsheetId: SPREADSHEET,
    range: 'readings!A1:B1',
    valueInputOption: 'RAW',
    requestBody: { values: [['budget', 'amount']] },
  });
  const sink = h.sink();
  await sink.start();
  const o = await sink.write({ rows: readings(2) });
  assert.equal(o.kind === 'retry-later' && o.code, 'CONFLICT');
  assert.match(o.kind === 'retry-later' ? o.reason : '', /another header/);
  assert.deepEqual(h.tab('readings'), [['budget', 'amount']]);
});

test('spreadsheet not shared / missing: NOT_FOUND with what to do, no rows lost', async (t) => {
  const h = await sheetsHarness();
  t.after(() => h.close());
  const sink = h.sink({ spreadsheetId: 'no-such-book' });
  await sink.start();
  const o = await sink.write({ rows: readings(1) });
  assert.equal(o.kind === 'retry-later' && o.code, 'NOT_FOUND');
  assert.match(o.kind === 'retry-later' ? o.reason : '', /does not exist or is not shared with service account/);
});
