import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCsv } from '../../../gateway/sinks/csv/rfc4180.js';
import { startSheetsEmulator } from '../../sheets-emulator/index.js';
import { startTestApp, tempDir } from '../../helpers/app.js';
import { LineClient } from '../../helpers/line-client.js';
import { TestBoard } from '../../helpers/mqtt.js';
import { waitFor } from '../../helpers/wait.js';
import { SPREADSHEET, TEST_KEY } from '../sinks/google-sheets/harness.js';

/**
 * Calibration and units end to end: a board on TCP and one on MQTT (the embedded broker), both
 * sinks (CSV in the long layout, Google Sheets through the emulator in the per-device layout, then
 * the long one), and the API: every view shows the calibrated value; SQLite keeps what was sent.
 */

const fields = [
  { match: 'temp_c', unit: '°C', scale: 0.1, offset: -0.5, decimals: 1, min: -40, max: 85 },
  { match: 'energy_wh', unit: 'Wh', kind: 'counter' },
];

for (const sheetsLayout of ['per-device', 'long'] as const) {
  test(`TCP and MQTT → CSV (long) and Sheets (${sheetsLayout}): calibrated values, units, raw in SQLite and the API`, async (t) => {
    const emu = await startSheetsEmulator({ spreadsheetIds: [SPREADSHEET], serviceAccount: { privateKeyPem: TEST_KEY } });
    t.after(() => emu.stop());
    const secrets = tempDir('sheetlog-creds-');
    t.after(() => rmSync(secrets, { recursive: true, force: true }));
    const credentials = join(secrets, 'credentials.json');
    writeFileSync(credentials, JSON.stringify(emu.serviceAccountCredentials()), { mode: 0o600 });
    const gw = await startTestApp({
      fields,
      auth: { mode: 'off' },
      mqtt: { embedded: true, embeddedHost: '127.0.0.1', embeddedPort: 0 },
      sinks: { enabled: ['csv', 'google-sheets'] },
      sync: { lingerMs: 0 },
      csv: { timeZone: 'UTC' },
      sheets: { spreadsheetId: SPREADSHEET, credentials, rootUrl: emu.rootUrl, tokenUrl: emu.tokenUrl, timeZone: 'UTC', layout: sheetsLayout },
    });
    t.after(() => gw.stop());
    await gw.app.mqtt!.subscribed();

    const c = await LineClient.open(gw.port);
    t.after(() => c.close());
    c.send('HELLO tcp-1 tok boot=3');
    await c.next();
    c.send('R 1 - temp_c=215 energy_wh=1000 note="x"', 'R 2 - temp_c=900');
    // The NAK goes out at once, the ACK after the commit: matched by what they name, not by order.
    const replies = [await c.next(), await c.next()].sort();
    assert.match(replies[0]!, /^ACK [12]$/, 'cumulative: it may name the NAKed 2');
    assert.match(replies[1]!, /^NAK 2 OUT_OF_RANGE field temp_c: 89\.5 is above the maximum 85 °C$/);

    const board = await TestBoard.connect(`mqtt://127.0.0.1:${gw.app.mqtt!.address!.broker!.port}`, 'mqtt-1', { username: 'mqtt-1', password: 'tok' });
    t.after(() => board.end());
    await board.publish('hello', 'boot=9');
    await board.reply((r) => r.startsWith('HELLO OK'));
    await board.publish('r', 'boot=9 R 1 - temp_c=-100 energy_wh=5');
    await board.reply((r) => r === 'ACK 1 boot=9');
    await board.publish('r', 'boot=9 R 2 - energy_wh=4');
    assert.match(await board.reply((r) => r.startsWith('NAK 2')), /^NAK 2 COUNTER_BACKWARDS /);

    await waitFor(() => gw.app.syncStatus().every((s) => s.cursor === 2), 'both sinks to confirm both readings');

    // SQLite keeps the values as sent.
    assert.deepEqual(gw.app.store.readings.after(0, 10).map((r) => JSON.parse(r.fields) as unknown), [{ temp_c: 215, energy_wh: 1000, note: 'x' }, { temp_c: -100, energy_wh: 5 }]);

    // CSV, long layout: the calibrated value and its unit.
    const { records } = parseCsv(readFileSync(join(gw.dataDir, 'csv', 'readings.csv'), 'utf8'));
    assert.deepEqual(records[0], ['time', 'device', 'sensor', 'value', 'seq', 'boot', 'time source', 'received', 'unit']);
    assert.deepEqual(records.slice(1).map((r) => [r[1], r[2], r[3], r[8]]), [
      ['tcp-1', 'temp_c', '21', '°C'],
      ['tcp-1', 'energy_wh', '1000', 'Wh'],
      ['tcp-1', 'note', 'x', ''],
      ['mqtt-1', 'temp_c', '-10.5', '°C'],
      ['mqtt-1', 'energy_wh', '5', 'Wh'],
    ]);

    // Google Sheets (the emulator holds what the real client wrote).
    const state = emu.state(SPREADSHEET).spreadsheets[0]!;
    if (sheetsLayout === 'long') {
      const values = state.sheets.find((s) => s.title === 'readings')!.values as unknown[][];
      assert.deepEqual(values[0], ['time', 'device', 'sensor', 'value', 'seq', 'boot', 'time source', 'received', 'unit']);
      assert.deepEqual(values.slice(1).map((r) => [r[1], r[2], r[3], r[8] ?? '']), [
        ['tcp-1', 'temp_c', 21, '°C'],
        ['tcp-1', 'energy_wh', 1000, 'Wh'],
        ['tcp-1', 'note', 'x', ''],
        ['mqtt-1', 'temp_c', -10.5, '°C'],
        ['mqtt-1', 'energy_wh', 5, 'Wh'],
      ]);
    } else {
      const tcpTab = state.sheets.find((s) => s.title === 'tcp-1')!.values as unknown[][];
      const mqttTab = state.sheets.find((s) => s.title === 'mqtt-1')!.values as unknown[][];
      const col = (v: unknown[][], name: string) => v[1]![v[0]!.indexOf(name)];
      assert.deepEqual([col(tcpTab, 'temp_c'), col(tcpTab, 'energy_wh'), col(tcpTab, 'note')], [21, 1000, 'x']);
      assert.equal(col(mqttTab, 'temp_c'), -10.5);
    }

    // The API: fields as shown, raw as sent, units.
    const res = (await (await fetch(`http://127.0.0.1:${gw.httpPort}/api/v1/readings?device=tcp-1`)).json()) as { result: { readings: { fields: unknown; raw: unknown; units: unknown }[] } };
    const [view] = res.result.readings;
    assert.deepEqual(view?.fields, { temp_c: 21, energy_wh: 1000, note: 'x' });
    assert.deepEqual(view?.raw, { temp_c: 215, energy_wh: 1000, note: 'x' });
    assert.deepEqual(view?.units, { temp_c: '°C', energy_wh: 'Wh' });
    assert.equal(gw.app.counters.naks.get('OUT_OF_RANGE'), 1);
    assert.equal(gw.app.counters.naks.get('COUNTER_BACKWARDS'), 1);
  });
}
