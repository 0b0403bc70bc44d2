import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { tempDir } from '../../helpers/app.js';
import { startGatewayProcess, type GatewayProcess } from '../../helpers/gateway-process.js';
import { LineClient } from '../../helpers/line-client.js';
import { waitFor } from '../../helpers/wait.js';
import { SPREADSHEET, TEST_KEY } from '../sinks/google-sheets/harness.js';
import { startSheetsEmulator } from '../../sheets-emulator/index.js';
import { cleanupStack } from '../../helpers/cleanup.js';

const ROUNDS = 6;
const PER_ROUND = 40;

/** Sends readings seq from..to on one connection and resolves with the highest ACK. */
async function sendReadings(port: number, from: number, to: number): Promise<number> {
  const c = await LineClient.open(port);
  try {
    c.send('HELLO crash-board tok boot=99 up=0');
    await c.next();
    const lines = [];
    for (let s = from; s <= to; s++) lines.push(`R ${s} - v=${s} w=${s * 2}`);
    c.send(...lines);
    const { line } = await c.until((l) => l === `ACK ${to}`);
    return Number(line.slice(4));
  } finally {
    c.close();
  }
}

test('SIGKILL while the emulator holds a write, again and again: after a clean restart every acknowledged reading is in the tab exactly once, in order', async (t) => {
  const later = cleanupStack(t); // stops processes before their directory is removed
  // The emulator tells the test when it is holding a request (injected latency): that is when the gateway dies.
  let holding: (() => void) | null = null;
  const emu = await startSheetsEmulator({
    spreadsheetIds: [SPREADSHEET],
    serviceAccount: { privateKeyPem: TEST_KEY },
    quotas: { readsPerUser: 1e6, readsPerProject: 1e6, writesPerUser: 1e6, writesPerProject: 1e6 },
    sleep: async (ms) => {
      holding?.();
      await delay(ms);
    },
  });
  later(() => emu.stop());
  const dir = tempDir('sheetlog-crash-');
  later(() => rmSync(dir, { recursive: true, force: true }));
  const credentials = join(dir, 'credentials.json');
  writeFileSync(credentials, JSON.stringify(emu.serviceAccountCredentials()), { mode: 0o600 });
  const config = join(dir, 'config.json');
  writeFileSync(
    config,
    JSON.stringify({
      sheets: { spreadsheetId: SPREADSHEET, credentials, rootUrl: emu.rootUrl, tokenUrl: emu.tokenUrl, layout: 'long', timeZone: 'UTC', growRows: 7 },
      sync: { lingerMs: 0, maxBatchRows: 15, backoffBaseMs: 10, backoffMaxMs: 50 },
    }),
  );
  const args = ['--config', config, '--port', '0', '--data', join(dir, 'data'), '--log-level', 'info'];
  let acked = 0;
  const kills: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const gw: GatewayProcess = await startGatewayProcess(args);
    later(() => gw.stop('SIGKILL'));
    const held = new Promise<void>((resolve) => (holding = resolve));
    // Alternate where the gateway dies: while a write is held before Google applies it, or after.
    emu.queueFault({ target: 'write', action: 'latency', latencyMs: 400 });
    if (round % 2 === 1) emu.queueFault({ target: 'write', action: 'drop-after-apply' });
    acked = await sendReadings(gw.port, acked + 1, acked + PER_ROUND);
    await held;
    holding = null;
    await gw.stop('SIGKILL');
    kills.push(`round ${round}: killed with ${acked} acknowledged`);
  }
  emu.setFaults('');
  const last = await startGatewayProcess(args);
  later(() => last.stop('SIGKILL'));
  const tab = () => emu.state(SPREADSHEET).spreadsheets[0]?.sheets.find((s) => s.title === 'readings')?.values ?? [];
  await waitFor(() => tab().length - 1 >= acked * 2, `${acked * 2} rows in the tab`, 60000);
  assert.equal(await last.stop('SIGTERM'), 0);

  const rows = tab();
  assert.deepEqual(rows[0], ['time', 'device', 'sensor', 'value', 'seq', 'boot', 'time source', 'received', 'unit']);
  const expected = Array.from({ length: acked }, (_, i) => [`${i + 1}/v`, `${i + 1}/w`]).flat();
  assert.deepEqual(rows.slice(1).map((r) => `${r[4]}/${r[2]}`), expected, kills.join('; '));
  const faults = emu.requests().filter((r) => r.fault);
  assert.ok(faults.some((r) => r.fault === 'drop-after-apply'), 'a write landed whose answer never came');
  assert.ok(faults.filter((r) => String(r.fault).startsWith('latency')).length >= ROUNDS, JSON.stringify(faults));
  if (process.env.SHEETLOG_DEBUG) console.log(faults, kills);
});
