// End to end, as an acceptance check runs it: the Sheets emulator's CLI and `sheetlog start` as
// child processes, the gateway configured only through a config file of sheets keys, readings
// fed over TCP, and the sheet read back with GET /_emulator/spreadsheets/<id>. Nothing sleeps:
// each step waits for something observable (an ACK, rows in the sheet) under an overall deadline.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { tempDir } from '../../helpers/app.js';
import { startGatewayProcess } from '../../helpers/gateway-process.js';
import { LineClient } from '../../helpers/line-client.js';
import { type EmulatorProcess, startEmulatorProcess } from '../../helpers/sheets-emulator-process.js';
import { cleanupStack } from '../../helpers/cleanup.js';

const HEADER = ['time', 'device', 'sensor', 'value', 'seq', 'boot', 'time source', 'received', 'unit'];
const DEVICES = [
  { id: 'greenhouse-1', boot: 7001 },
  { id: 'greenhouse-2', boot: 7002 },
];
const ROUNDS = 4;
const PER_ROUND = 12;
/** Device clocks: whole seconds, an hour ago (inside the gateway's window for trusted device time). */
const BASE_MS = Math.floor((Date.now() - 3_600_000) / 1000) * 1000;
const DATE_TIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/;

interface Reading {
  device: string;
  boot: number;
  seq: number;
  ts: number;
}

/** Polls the emulator's view (not a fixed sleep: a short pause between looks) until `done` holds. */
async function waitForTab(emu: EmulatorProcess, spreadsheetId: string, done: (rows: string[][]) => boolean, what: string, deadline: number): Promise<string[][]> {
  let rows: string[][] = [];
  for (;;) {
    rows = (await emu.tabs(spreadsheetId))?.['readings'] ?? [];
    if (done(rows)) return rows;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the tab has ${rows.length} rows`);
    await delay(20);
  }
}

/** Sends one device's readings on a fresh connection and resolves once all are acknowledged. */
async function send(port: number, device: { id: string; boot: number }, readings: Reading[]): Promise<void> {
  const c = await LineClient.open(port);
  try {
    c.send(`HELLO ${device.id} tok-${device.id} boot=${device.boot} up=0`);
    assert.match((await c.next()) ?? '', /^HELLO OK /);
    c.send(...readings.map((r) => `R ${r.seq} ${r.ts} t=${20 + r.seq / 4} rh=${40 + r.seq}`));
    const last = readings[readings.length - 1] as Reading;
    await c.until((l) => l === `ACK ${last.seq}`, 30000);
  } finally {
    c.close();
  }
}

function expectedRows(readings: Reading[]): string[][] {
  return readings.flatMap((r) => {
    const time = new Date(r.ts).toISOString().replace('T', ' ').slice(0, 23);
    return [
      [time, r.device, 't', String(20 + r.seq / 4), String(r.seq), String(r.boot), 'device'],
      [time, r.device, 'rh', String(40 + r.seq), String(r.seq), String(r.boot), 'device'],
    ];
  });
}

/**
 * Emulator CLI (with `extraArgs`) + gateway; sends ROUNDS rounds, each device in turn (so the
 * order of ids, and so of rows, is known), waiting for each round to show up in the sheet.
 * Returns the final tab and the emulator's request log.
 */
async function runScenario(t: { after(fn: () => unknown): void }, spreadsheetId: string, extraArgs: string[], timeoutMs: number) {
  const later = cleanupStack(t); // stops processes before their directory is removed
  const deadline = Date.now() + timeoutMs;
  const dir = tempDir('sheetlog-e2e-');
  later(() => rmSync(dir, { recursive: true, force: true }));
  const credentials = join(dir, 'credentials.json');
  const emu = await startEmulatorProcess(['--port', '0', '--write-credentials', credentials, ...extraArgs]);
  later(() => emu.stop('SIGKILL'));
  assert.equal(await emu.tabs(spreadsheetId), null, 'the spreadsheet does not exist before the gateway uses it');

  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ sheets: { spreadsheetId, credentials, rootUrl: `${emu.url}/`, tokenUrl: `${emu.url}/token`, layout: 'long' } }));
  // startGatewayProcess adds --http-port 0: the HTTP API would otherwise want port 8080.
  const gw = await startGatewayProcess(['--config', config, '--port', '0', '--data', join(dir, 'data')]);
  later(() => gw.stop('SIGKILL'));

  const sent: Reading[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const device of DEVICES) {
      const readings = Array.from({ length: PER_ROUND }, (_, i) => {
        const seq = round * PER_ROUND + i + 1;
        return { device: device.id, boot: device.boot, seq, ts: BASE_MS + seq * 1000 };
      });
      await send(gw.port, device, readings);
      sent.push(...readings);
    }
    const want = 1 + sent.length * 2;
    await waitForTab(emu, spreadsheetId, (rows) => rows.length >= want, `round ${round + 1}: ${want} rows`, deadline);
  }
  const rows = await waitForTab(emu, spreadsheetId, (r) => r.length >= 1 + sent.length * 2, 'every row', deadline);
  const requests = ((await (await fetch(`${emu.url}/_emulator/requests`)).json()) as { requests: { operation: string; status: number; fault?: string }[] }).requests;
  const tabs = await emu.tabs(spreadsheetId);
  assert.equal(await gw.stop('SIGTERM'), 0, gw.stderr());
  assert.equal(await emu.stop('SIGTERM'), 0, emu.stderr());
  return { rows, sent, requests, tabs };
}

function assertExactlyOnceInOrder(rows: string[][], sent: Reading[]): void {
  assert.deepEqual(rows[0], HEADER);
  const data = rows.slice(1);
  assert.equal(data.length, sent.length * 2, 'one row per field of every reading, none twice');
  assert.deepEqual(
    data.map((r) => r.slice(0, 7)),
    expectedRows(sent),
    'every reading once, in the order it was acknowledged, cells as a person sees them',
  );
  for (const r of data) assert.match(r[7] ?? '', DATE_TIME, `received: ${JSON.stringify(r)}`);
}

test('acceptance path: emulator CLI + `sheetlog start --config` with a sheets-only config; the spreadsheet is created on first use and holds every reading once, in order', { timeout: 120_000 }, async (t) => {
  const { rows, sent, tabs } = await runScenario(t, 'acceptance-book', [], 90_000);
  assertExactlyOnceInOrder(rows, sent);
  assert.deepEqual(Object.keys(tabs ?? {}), ['Sheet1', 'readings'], 'the created spreadsheet\'s own Sheet1, then the gateway\'s tab');
  assert.deepEqual(tabs?.['Sheet1'], []);
});

test('the same under --faults (429, 503, applied-then-dropped): every reading exactly once, in order', { timeout: 240_000 }, async (t) => {
  // Random faults on about 15% of the API requests, and one of each kind for certain early on.
  const faults = '429=0.05,503=0.05,drop-after-apply=0.05,seed=11,next-read=503,next-write=drop-after-apply*2,next-write=429';
  const { rows, sent, requests } = await runScenario(t, 'faulty-book', ['--faults', faults], 200_000);
  assertExactlyOnceInOrder(rows, sent);
  const faulted = requests.filter((r) => r.fault);
  for (const kind of ['429', '503', 'drop-after-apply']) {
    assert.ok(faulted.some((r) => r.fault === kind), `a ${kind} was injected: ${JSON.stringify(faulted)}`);
  }
  if (process.env.SHEETLOG_DEBUG) console.log(faulted, `${requests.length} requests`);
  const dropped = faulted.filter((r) => r.fault === 'drop-after-apply').map((r) => r.operation);
  assert.ok(dropped.length >= 2, `writes applied and then dropped: ${dropped.join(', ')}`);
  assert.ok(
    requests.every((r) => r.status !== 429 || r.fault === '429'),
    'the gateway stayed within the real quota: every 429 was an injected one',
  );
});
