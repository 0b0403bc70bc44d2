import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDatabase } from '../../../gateway/store/database.js';
import { DeviceRegistry } from '../../../gateway/store/devices.js';
import { startTestApp } from '../../helpers/app.js';
import { LineClient } from '../../helpers/line-client.js';
import { ManualTimers } from '../../helpers/manual-timers.js';

async function helloReply(port: number, line: string): Promise<{ c: LineClient; reply: string }> {
  const c = await LineClient.open(port);
  c.send(line);
  return { c, reply: (await c.next()) ?? '(closed)' };
}

test('tofu: the first token wins; another token is refused and the connection closed', async (t) => {
  const gw = await startTestApp({ auth: { mode: 'tofu' } });
  t.after(() => gw.stop());
  const first = await helloReply(gw.port, 'HELLO t1 right boot=1');
  assert.match(first.reply, /^HELLO OK/);
  first.c.close();
  const wrong = await helloReply(gw.port, 'HELLO t1 wrong boot=1');
  assert.match(wrong.reply, /^ERR AUTH_FAILED /);
  assert.equal(await wrong.c.next(), null, 'closed');
  const right = await helloReply(gw.port, 'HELLO t1 right boot=1');
  assert.match(right.reply, /^HELLO OK/);
  right.c.close();
  gw.app.store.committer.flush();
  assert.deepEqual(gw.app.store.devices.get('t1')!.errors, { AUTH_FAILED: 1 });
});

test('required: unknown devices are refused; a provisioned token works, another does not', async (t) => {
  const gw = await startTestApp({ auth: { mode: 'required' } });
  t.after(() => gw.stop());
  const unknown = await helloReply(gw.port, 'HELLO stranger any boot=1');
  assert.match(unknown.reply, /^ERR UNKNOWN_DEVICE /);
  assert.equal(await unknown.c.next(), null);
  assert.equal(gw.app.store.devices.find('stranger'), undefined, 'no trace of a refused unknown id');
  const token = gw.app.store.devices.add('lab-1', Date.now());
  const ok = await helloReply(gw.port, `HELLO lab-1 ${token} boot=1`);
  assert.match(ok.reply, /^HELLO OK/);
  ok.c.close();
  const bad = await helloReply(gw.port, 'HELLO lab-1 guessed boot=1');
  assert.match(bad.reply, /^ERR AUTH_FAILED /);
});

test('off: any token is accepted and unknown devices are still registered (without a token)', async (t) => {
  const gw = await startTestApp({ auth: { mode: 'off' } });
  t.after(() => gw.stop());
  for (const token of ['a', 'b']) {
    const r = await helloReply(gw.port, `HELLO bench-1 ${token} boot=1`);
    assert.match(r.reply, /^HELLO OK/);
    r.c.close();
  }
  const d = gw.app.store.devices.find('bench-1')!;
  assert.equal(d.hash, null);
});

test('a device revoked from another process is refused, and its live connection is closed', async (t) => {
  const timers = new ManualTimers();
  const gw = await startTestApp({ auth: { mode: 'required', revocationCheckMs: 1000 }, store: { commitDelayMs: 0 } }, timers);
  t.after(() => gw.stop());
  const token = gw.app.store.devices.add('doomed', timers.now());
  const live = await helloReply(gw.port, `HELLO doomed ${token} boot=1`);
  assert.match(live.reply, /^HELLO OK/);
  // The CLI's path: its own connection to the same SQLite file.
  const cli = openDatabase({ path: join(gw.dataDir, 'sheetlog.db'), synchronous: 'FULL', busyTimeoutMs: 1000 });
  new DeviceRegistry(cli).revoke('doomed', timers.now());
  cli.close();
  timers.advance(1000);
  const rest = await live.c.closed();
  assert.match(rest.at(-1)!, /^ERR REVOKED /);
  const again = await helloReply(gw.port, `HELLO doomed ${token} boot=1`);
  assert.match(again.reply, /^ERR REVOKED /);
});

test('boards without boot= get a fresh boot per connection: nothing is lost, seqs restart freely', async (t) => {
  const gw = await startTestApp();
  t.after(() => gw.stop());
  for (let round = 0; round < 2; round++) {
    const { c, reply } = await helloReply(gw.port, 'HELLO bootless tok');
    assert.match(reply, /^HELLO OK \d+ 0$/);
    c.send('R 1 - a=1');
    assert.equal(await c.next(), 'ACK 1');
    c.close();
  }
  const boots = gw.app.store.db.prepare("SELECT count(DISTINCT boot) AS n, count(*) AS r FROM readings WHERE device = 'bootless'").get() as { n: number; r: number };
  assert.deepEqual(boots, { n: 2, r: 2 });
});
