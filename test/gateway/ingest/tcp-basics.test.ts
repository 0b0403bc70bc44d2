import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { startTestApp } from '../../helpers/app.js';
import { LineClient } from '../../helpers/line-client.js';

function rows(dataDir: string): { device: string; boot: number; seq: number; ts: number; ts_source: string; fields: string }[] {
  const db = new Database(join(dataDir, 'sheetlog.db'), { readonly: true });
  try {
    return db.prepare('SELECT device, boot, seq, ts, ts_source, fields FROM readings ORDER BY id').all() as never;
  } finally {
    db.close();
  }
}

test('the PROTOCOL.md transcript: HELLO OK, ACK after commit, NAK for a bad value, BYE', async (t) => {
  const gw = await startTestApp();
  t.after(() => gw.stop());
  const c = await LineClient.open(gw.port);
  t.after(() => c.close());

  c.send('T 5021');
  const time = (await c.next())!.split(' ');
  assert.equal(time[0], 'T');
  assert.equal(time[1], '5021');
  assert.ok(Math.abs(Number(time[2]) - Date.now()) < 5000);

  c.send('HELLO kitchen-1 s3cr3t-t0ken boot=2849101 up=5040 fw=1.0.0 board=esp8266');
  const hello = (await c.next())!.split(' ');
  assert.deepEqual([hello[0], hello[1], hello[3]], ['HELLO', 'OK', '0']);
  const helloAt = Number(hello[2]);

  c.send('R 1 u1200 temp_c=21.5 humidity=40', 'R 2 - temp_c=21.6 door=false note="window open"', 'R 3 1795232400000 temp_c=21.7');
  assert.equal(await c.next(), 'ACK 3');
  c.send('R 4 - temp_c=');
  assert.match((await c.next())!, /^NAK 4 BAD_VALUE /);
  c.send('R 5 - temp_c=21.8');
  assert.equal(await c.next(), 'ACK 5');
  c.send('BYE');
  assert.deepEqual(await c.closed(), ['BYE']);

  const stored = rows(gw.dataDir);
  assert.deepEqual(stored.map((r) => r.seq), [1, 2, 3, 5]);
  assert.equal(stored[0]!.ts_source, 'uptime');
  // Taken at uptime 1200, 3840 ms before the HELLO written at uptime 5040.
  assert.ok(Math.abs(stored[0]!.ts - (helloAt - 3840)) <= 5, `uptime conversion: ${stored[0]!.ts} vs ${helloAt - 3840}`);
  assert.equal(stored[1]!.ts_source, 'gateway');
  assert.deepEqual(JSON.parse(stored[1]!.fields), { temp_c: 21.6, door: false, note: 'window open' });
  assert.equal(stored[2]!.ts, 1795232400000);
  assert.equal(stored[2]!.ts_source, 'device');

  const again = await LineClient.open(gw.port);
  t.after(() => again.close());
  again.send('HELLO kitchen-1 s3cr3t-t0ken boot=2849101 up=65040');
  assert.match((await again.next())!, /^HELLO OK \d+ 5$/);
  again.send('R 5 - temp_c=21.8', 'R 6 - temp_c=21.9');
  assert.equal(await again.next(), 'ACK 6');
  assert.deepEqual(rows(gw.dataDir).map((r) => r.seq), [1, 2, 3, 5, 6]);
});
