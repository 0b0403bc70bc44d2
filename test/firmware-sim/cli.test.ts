import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT, startGateway, type RunningGateway } from '../../firmware-sim/gateway-process.js';
import { nodeArgsFor } from '../helpers/entry.js';


/** Runs `npm run fleet -- <args>` (the same command, without npm) to completion. */
async function fleet(args: string[]): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [...nodeArgsFor('firmware-sim/cli.ts'), ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
  return { code, signal, stdout, stderr };
}

async function closedPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

describe('npm run fleet (command line)', () => {
  it('refuses an unknown flag with exit code 2 and the usage', async () => {
    const result = await fleet(['--devices', '2', '--frobnicate']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Unknown option '--frobnicate'/);
    assert.match(result.stderr, /usage: npm run fleet/);
  });

  it('exits 1 when readings are never acknowledged (no gateway)', async () => {
    const port = await closedPort();
    const result = await fleet(['--devices', '2', '--rate', '20', '--duration', '0.5', '--drain-timeout', '0.5', '--gateway', `127.0.0.1:${port}`]);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /readings unacknowledged, still buffered on 2 boards, 2 of them waiting out a reconnect backoff.*not lost/);
    assert.match(result.stdout, /result: FAILED/);
  });

  describe('against the gateway', { timeout: 120_000 }, () => {
    let dataDir = '';
    let gateway: RunningGateway | null = null;
    const address = () => `127.0.0.1:${(gateway as RunningGateway).tcpPort}`;

    before(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'sheetlog-fleet-cli-'));
      gateway = await startGateway({
        dataDir,
        port: 0,
        args: ['--http-port', '0'],
        nodeArgs: nodeArgsFor('gateway/cli/bin.ts'),
        env: { SHEETLOG_MQTT__EMBEDDED: 'true', SHEETLOG_MQTT__EMBEDDED_HOST: '127.0.0.1', SHEETLOG_MQTT__EMBEDDED_PORT: '0' },
      });
    });

    after(async () => {
      await gateway?.stop('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('runs, prints the summary and exits 0 when every acknowledged reading is stored', async () => {
      const result = await fleet([
        '--devices', '20', '--rate', '20', '--duration', '1', '--gateway', address(), '--seed', '5',
        '--drop-links', '0.2', '--garbage', '0.05', '--check-db', join(dataDir, 'sheetlog.db'),
      ]);
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.match(result.stdout, /fleet summary \(.*20 devices/);
      assert.match(result.stdout, /lost\s+0\s+expected 0/);
      assert.match(result.stdout, /store check\s+\d+\s+missing 0, duplicates 0/);
      assert.match(result.stdout, /audit\s+20\s+boards re-checked/);
      assert.match(result.stdout, /result: OK/);
      assert.doesNotMatch(result.stdout, /\r/, 'plain progress lines when stdout is not a TTY');
    });

    it('--transport mqtt runs the same fleet through the gateway\'s embedded broker', async () => {
      const broker = `127.0.0.1:${(gateway as RunningGateway).mqttPort}`;
      const result = await fleet([
        '--transport', 'mqtt', '--gateway', broker, '--mqtt-qos', '1', '--devices', '20', '--rate', '20', '--duration', '1',
        '--seed', '6', '--drop-links', '0.2', '--check-db', join(dataDir, 'sheetlog.db'),
      ]);
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.match(result.stdout, new RegExp(`20 boards -> ${broker} \\(MQTT broker, QoS 1\\)`));
      assert.match(result.stdout, /store check\s+\d+\s+missing 0, duplicates 0/);
      assert.match(result.stdout, /audit\s+20\s+boards re-checked/);
      assert.match(result.stdout, /result: OK/);
    });

    it('exits 1 when a board is refused for good (wrong token in the token file)', async () => {
      const tokens = join(dataDir, 'tokens.json');
      // sim-esp8266-0001 registered itself with its derived token in the previous run (TOFU).
      writeFileSync(tokens, JSON.stringify({ 'sim-esp8266-0001': 'not-the-registered-token', 'fresh-board-1': 'tok-1' }));
      const result = await fleet(['--token-file', tokens, '--rate', '20', '--duration', '0.5', '--gateway', address()]);
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.match(result.stdout, /1 boards stopped for good \(AUTH_FAILED/);
      assert.match(result.stdout, /ERR received\s+1\s+AUTH_FAILED 1/);
    });

    it('--kill-after N ends the fleet with SIGKILL, and the gateway carries on', async () => {
      const result = await fleet(['--devices', '10', '--rate', '50', '--duration', '30', '--gateway', address(), '--kill-after', '100']);
      assert.equal(result.signal, 'SIGKILL');
      assert.match(result.stderr, /--kill-after 100: killing the fleet process now/);
      assert.doesNotMatch(result.stdout, /fleet summary/);
      const again = await fleet(['--devices', '10', '--rate', '20', '--duration', '0.5', '--gateway', address(), '--check-db', join(dataDir, 'sheetlog.db')]);
      assert.equal(again.code, 0, again.stdout + again.stderr);
    });
  });
});
