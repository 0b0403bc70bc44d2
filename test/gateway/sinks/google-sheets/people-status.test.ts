import { test } from 'node:test';
import assert from 'node:assert/strict';
import { longKeys, readings } from '../readings.js';
import { keysOfTab, sheetsHarness, writeUntilDelivered, SPREADSHEET } from './harness.js';

/** What a person's protections and filters, and Google's quotas, look like in the sink's status. */

const rowsOf = (n: number, from: number) => readings(n, from, { fields: (i) => ({ temp_c: 20 + i }) });

test('a protected range over the log: PROTECTED with what to do, nothing lost; writing resumes when it is lifted', async (t) => {
  const h = await sheetsHarness();
  t.after(() => h.close());
  const sink = h.sink();
  await sink.start();
  await writeUntilDelivered(sink, rowsOf(5, 1));
  const person = h.emu.person(SPREADSHEET);
  const [reply] = person.batchUpdate([{ addProtectedRange: { protectedRange: { range: { sheetId: person.sheetId('readings') }, description: 'locked by Ana' } } }]);
  const id = (reply as { addProtectedRange: { protectedRange: { protectedRangeId: number } } }).addProtectedRange.protectedRange.protectedRangeId;
  const refused = await sink.write({ rows: rowsOf(5, 6) });
  assert.equal(refused.kind, 'retry-later');
  assert.equal(refused.kind === 'retry-later' && refused.code, 'PROTECTED');
  const reason = refused.kind === 'retry-later' ? refused.reason : '';
  assert.match(reason, /403 You are trying to edit a protected cell or object/);
  assert.match(reason, /locked by Ana/);
  assert.match(reason, /remove the protection, or add .+ to its editors/);
  assert.ok(refused.kind === 'retry-later' && (refused.delayMs ?? 0) >= 1000, 'waits for a person, not a tight retry');
  person.batchUpdate([{ deleteProtectedRange: { protectedRangeId: id } }]);
  await writeUntilDelivered(sink, rowsOf(10, 6));
  assert.deepEqual(keysOfTab(h.tab('readings')), longKeys(rowsOf(15, 1)));
});

test('protected right after a write that landed unconfirmed: the landed rows are recognised, not written again', async (t) => {
  const h = await sheetsHarness();
  t.after(() => h.close());
  const sink = h.sink();
  await sink.start();
  await writeUntilDelivered(sink, rowsOf(5, 1));
  const person = h.emu.person(SPREADSHEET);
  h.emu.queueFault({ target: 'write', action: 'drop-after-apply' });
  h.emu.between((call) => {
    if (call.previous?.fault === 'drop-after-apply') person.batchUpdate([{ addProtectedRange: { protectedRange: { range: { sheetId: person.sheetId('readings') } } } }]);
  });
  assert.equal((await sink.write({ rows: rowsOf(5, 6) })).kind, 'retry-later');
  const again = await sink.write({ rows: rowsOf(5, 6) });
  assert.deepEqual(again, { kind: 'delivered', throughId: 10 }, 'the rows were there: no write needed');
  h.emu.between(undefined);
  const next = await sink.write({ rows: rowsOf(2, 11) });
  assert.equal(next.kind === 'retry-later' && next.code, 'PROTECTED');
  assert.deepEqual(keysOfTab(h.tab('readings')), longKeys(rowsOf(10, 1)));
});

test('a filter that ends above the rows sheetlog adds: FILTERED in the health detail and a warning, sync goes on', async (t) => {
  const h = await sheetsHarness();
  t.after(() => h.close());
  const sink = h.sink();
  await sink.start();
  await writeUntilDelivered(sink, rowsOf(5, 1));
  const person = h.emu.person(SPREADSHEET);
  person.batchUpdate([{ setBasicFilter: { filter: { range: { sheetId: person.sheetId('readings'), startRowIndex: 0, endRowIndex: 6, startColumnIndex: 0, endColumnIndex: 8 } } } }]);
  await writeUntilDelivered(sink, rowsOf(5, 6));
  const health = await sink.health();
  assert.equal(health.ok, true);
  assert.match(health.ok ? health.detail : '', /FILTERED: a filter on tab "readings" covers rows 1-6; rows sheetlog adds below row 6 are outside it/);
  assert.deepEqual(keysOfTab(h.tab('readings')), longKeys(rowsOf(10, 1)));
});

test('a 429 says which of Google\'s limits it came from: the per-project one is shared by every gateway of the project', async (t) => {
  const h = await sheetsHarness({ quotas: { writesPerProject: 2, writesPerUser: 100, readsPerUser: 1e6, readsPerProject: 1e6 } });
  t.after(() => h.close());
  const sink = h.sink();
  await sink.start();
  await writeUntilDelivered(sink, rowsOf(2, 1)); // creates the tab and writes: 2 writes
  const limited = await sink.write({ rows: rowsOf(2, 3) });
  assert.equal(limited.kind === 'retry-later' && limited.code, 'RATE_LIMITED');
  const reason = limited.kind === 'retry-later' ? limited.reason : '';
  assert.match(reason, /limit 'Write requests per minute' of service/);
  assert.match(reason, /per-project limit WriteRequestsPerMinutePerProject of 2\/min: shared by every gateway and app using the same Google Cloud project/);
});

test('a 429 from the per-user limit names the account', async (t) => {
  const h = await sheetsHarness({ quotas: { writesPerProject: 100, writesPerUser: 1, readsPerUser: 1e6, readsPerProject: 1e6 } });
  t.after(() => h.close());
  const sink = h.sink();
  await sink.start();
  const limited = await sink.write({ rows: rowsOf(2, 1) });
  const reason = limited.kind === 'retry-later' ? limited.reason : '';
  assert.match(reason, /per-user limit WriteRequestsPerMinutePerUser of 1\/min for .+@/);
});

test('sheetlog marks its tab with developer metadata once: created, created-then-dropped, adopted', async (t) => {
  const marks = (h: Awaited<ReturnType<typeof sheetsHarness>>, title: string) =>
    (h.sheet(title)?.developerMetadata ?? []).filter((m) => m['metadataKey'] === 'sheetlog.tab').map((m) => m['metadataValue']);
  const h = await sheetsHarness();
  t.after(() => h.close());
  const sink = h.sink();
  await sink.start();
  h.emu.queueFault({ target: 'write', action: 'drop-after-apply' });
  await writeUntilDelivered(sink, rowsOf(3, 1));
  await writeUntilDelivered(sink, rowsOf(3, 4));
  assert.deepEqual(marks(h, 'readings'), ['{"base":"readings","tabKey":"","part":1}']);
  // A tab a person made with sheetlog's header (no mark) is adopted and marked once.
  const person = h.emu.person(SPREADSHEET);
  person.batchUpdate([{ addSheet: { properties: { title: 'lab' } } }]);
  person.type('lab!A1:H1', [['time', 'device', 'sensor', 'value', 'seq', 'boot', 'time source', 'received']]);
  const lab = h.sink({ tab: 'lab' });
  h.db.exec('DELETE FROM sheet_tabs; DELETE FROM sheet_sinks; DELETE FROM sheet_reservations;');
  await lab.start();
  await writeUntilDelivered(lab, rowsOf(2, 1));
  await writeUntilDelivered(lab, rowsOf(2, 3));
  assert.deepEqual(marks(h, 'lab'), ['{"base":"lab","tabKey":"","part":1}']);
  assert.deepEqual(marks(h, 'readings'), ['{"base":"readings","tabKey":"","part":1}'], 'the other tab keeps its own mark');
  assert.deepEqual(keysOfTab(h.tab('lab')), longKeys(rowsOf(4, 1)));
});
