import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { REPO_ROOT } from '../../firmware-sim/gateway-process.js';
import { nodeArgsFor } from '../helpers/entry.js';


describe('npm run demo', { timeout: 120_000 }, () => {
  for (const transport of ['tcp', 'mqtt'] as const) it(`starts the gateway and a fleet (${transport}), prints the dashboard URL, and stops cleanly on SIGINT`, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sheetlog-demo-'));
    const viaMqtt = transport === 'mqtt' ? ['--transport', 'mqtt', '--mqtt-port', '0'] : [];
    const demo = spawn(
      process.execPath,
      [...nodeArgsFor('firmware-sim/demo.ts'), '--port', '0', '--http-port', '0', '--data', dataDir, '--devices', '3', '--rate', '20', ...viaMqtt],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let gatewayPid: number | null = null;
    const killDemo = () => {
      demo.kill('SIGKILL');
      // The demo runs the gateway in its own process group: make sure it is gone too.
      if (gatewayPid !== null) {
        try {
          process.kill(gatewayPid, 'SIGKILL');
        } catch {
          // already exited
        }
      }
    };
    process.once('exit', killDemo);
    try {
      const lines: string[] = [];
      let stderr = '';
      demo.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = once(demo, 'exit') as Promise<[number | null, string | null]>;
      await new Promise<void>((resolve, reject) => {
        createInterface({ input: demo.stdout }).on('line', (line) => {
          lines.push(line);
          const pid = /gateway \(pid (\d+)\)/.exec(line)?.[1];
          if (pid) gatewayPid = Number(pid);
          if (line.includes('rows are arriving')) resolve();
        });
        void exited.then(() => reject(new Error(`demo exited early:\n${lines.join('\n')}\n${stderr}`)));
      });
      demo.kill('SIGINT');
      const [code] = await exited;
      const output = lines.join('\n');
      assert.equal(code, 0, `${output}\n${stderr}`);
      assert.match(output, /demo: dashboard: http:\/\/127\.0\.0\.1:\d+\//);
      assert.match(output, /result: OK/);
      assert.match(output, /demo: stopped cleanly/);
      if (transport === 'mqtt') assert.match(output, /demo: its embedded MQTT broker listens on port \d+; the boards publish there/);
      assert.ok(gatewayPid !== null, 'the demo names the gateway process');
      assert.throws(() => process.kill(gatewayPid as number, 0), { code: 'ESRCH' }, 'the gateway has exited');
      const acked = Number(/acknowledged\s+(\d+)/.exec(output)?.[1]);
      assert.ok(acked > 0);
      const db = new Database(join(dataDir, 'sheetlog.db'), { readonly: true, fileMustExist: true });
      const { n } = db.prepare("SELECT count(*) AS n FROM readings WHERE device LIKE 'demo-%'").get() as { n: number };
      db.close();
      assert.ok(n >= acked, `${n} rows for ${acked} acknowledged`);
    } finally {
      killDemo();
      process.removeListener('exit', killDemo);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
