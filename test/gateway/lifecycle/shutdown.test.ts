import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { tempDir } from '../../helpers/app.js';
import { startGatewayProcess } from '../../helpers/gateway-process.js';
import { LineClient } from '../../helpers/line-client.js';
import { cleanupStack } from '../../helpers/cleanup.js';

test('SIGTERM: received readings are committed and acknowledged, boards get BYE, exit 0 with a statistics table', async (t) => {
  const later = cleanupStack(t); // stops processes before their directory is removed
  const data = tempDir();
  later(() => rmSync(data, { recursive: true, force: true }));
  // A long commit delay keeps the readings waiting in the commit queue when the signal arrives.
  const gw = await startGatewayProcess(['--port', '0', '--data', data, '--log-level', 'info'], { SHEETLOG_STORE__COMMIT_DELAY_MS: '1000' });
  later(() => gw.stop('SIGKILL'));

  const boards = await Promise.all(
    ['s1', 's2', 's3'].map(async (id) => {
      const c = await LineClient.open(gw.port);
      c.send(`HELLO ${id} tok boot=3 up=10`);
      await c.next(); // HELLO OK (registration committed after the delay)
      c.send(...Array.from({ length: 50 }, (_, i) => `R ${i + 1} - x=${i}`), 'PING');
      // PONG proves the gateway has read every reading before it: they sit in the commit queue now.
      assert.deepEqual((await c.until((l) => l === 'PONG')).before, []);
      return c;
    }),
  );
  const exit = gw.stop('SIGTERM');
  for (const c of boards) assert.deepEqual(await c.closed(), ['ACK 50', 'BYE']);
  assert.equal(await exit, 0);
  assert.match(gw.stderr(), /per-device statistics/);
  assert.match(gw.stderr(), /s2\s+recent\s+tofu\s+50\s/, 'status (as on the dashboard), origin, readings');
  const db = new Database(join(data, 'sheetlog.db'), { readonly: true });
  assert.equal((db.prepare('SELECT count(*) AS n FROM readings').get() as { n: number }).n, 150);
  db.close();
});
