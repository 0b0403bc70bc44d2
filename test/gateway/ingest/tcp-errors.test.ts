import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../../helpers/app.js';
import { LineClient } from '../../helpers/line-client.js';
import { ManualTimers } from '../../helpers/manual-timers.js';
import { waitFor } from '../../helpers/wait.js';

async function hello(port: number, id = 'dev-1', token = 'tok', extra = 'boot=1 up=0'): Promise<LineClient> {
  const c = await LineClient.open(port);
  c.send(`HELLO ${id} ${token} ${extra}`);
  const r = await c.next();
  assert.match(r ?? '', /^HELLO OK /);
  return c;
}

test('connection-level errors that keep the connection open', async (t) => {
  const gw = await startTestApp();
  t.after(() => gw.stop());
  const c = await LineClient.open(gw.port);
  t.after(() => c.close());
  c.send('R 1 - x=1');
  assert.match((await c.next())!, /^ERR NOT_AUTHENTICATED /);
  c.send('HELLO');
  assert.match((await c.next())!, /^ERR BAD_HELLO /);
  c.send('WHAT');
  assert.match((await c.next())!, /^ERR UNKNOWN_VERB /);
  c.send('T soon');
  assert.match((await c.next())!, /^ERR BAD_TIME_REQUEST /);
  c.send(`XX ${'y'.repeat(600)}`);
  assert.match((await c.next())!, /^ERR LINE_TOO_LONG /);
  c.write(Buffer.from([0x50, 0xff, 0xfe, 0x0a]));
  assert.match((await c.next())!, /^ERR BAD_UTF8 /);
  c.send('HELLO dev-1 tok boot=1');
  assert.match((await c.next())!, /^HELLO OK /);
  c.send('HELLO dev-1 tok boot=1');
  assert.match((await c.next())!, /^ERR ALREADY_HELLO /);
  c.send('R x - a=1');
  assert.match((await c.next())!, /^ERR BAD_SEQ /);
  c.send(`R 9 - a="${'z'.repeat(600)}"`);
  assert.match((await c.next())!, /^NAK 9 LINE_TOO_LONG /);
  c.write(Buffer.concat([Buffer.from('R 10 - s="'), Buffer.from([0xc0, 0xaf]), Buffer.from('"\n')]));
  assert.match((await c.next())!, /^NAK 10 BAD_UTF8 /);
  c.send('R 11 - a=1');
  assert.equal(await c.next(), 'ACK 11', 'the connection still works after every error');
  c.send('PING');
  assert.equal(await c.next(), 'PONG');

  await gw.app.stop();
  const counters = gw.app.counters;
  for (const code of ['NOT_AUTHENTICATED', 'BAD_HELLO', 'UNKNOWN_VERB', 'BAD_TIME_REQUEST', 'LINE_TOO_LONG', 'BAD_UTF8', 'ALREADY_HELLO', 'BAD_SEQ']) {
    assert.equal(counters.errors.get(code), 1, `ERR ${code} counted`);
  }
  assert.equal(counters.naks.get('LINE_TOO_LONG'), 1);
  assert.equal(counters.naks.get('BAD_UTF8'), 1);
});

test('errors after HELLO are counted per device in SQLite', async (t) => {
  const gw = await startTestApp();
  t.after(() => gw.stop());
  const c = await hello(gw.port, 'counted');
  c.send('R 1 - a=', 'R 2 - a=1 a=2', 'BOGUS', 'R 3 - a=1');
  assert.match((await c.next())!, /^NAK 1 BAD_VALUE/);
  assert.match((await c.next())!, /^NAK 2 DUP_FIELD/);
  assert.match((await c.next())!, /^ERR UNKNOWN_VERB/);
  assert.equal(await c.next(), 'ACK 3');
  c.close();
  gw.app.store.committer.flush();
  const dev = gw.app.store.devices.get('counted')!;
  assert.deepEqual(dev.errors, { BAD_VALUE: 1, DUP_FIELD: 1, UNKNOWN_VERB: 1 });
  assert.equal(dev.readings, 1);
});

test('a run of errors closes the connection with TOO_MANY_ERRORS, after acknowledging what was good', async (t) => {
  const gw = await startTestApp({ tcp: { maxErrorRun: 5 } });
  t.after(() => gw.stop());
  const c = await hello(gw.port);
  c.send('R 1 - a=1', ...Array.from({ length: 10 }, () => 'garbage'));
  const rest = await c.closed();
  assert.equal(rest.filter((l) => l.startsWith('ERR UNKNOWN_VERB')).length, 5, 'the fifth error in a row ends it');
  assert.ok(rest.includes('ACK 1'), `ACK before close: ${rest.join(' | ')}`);
  assert.match(rest.at(-1)!, /^ERR TOO_MANY_ERRORS /);
  assert.equal(gw.app.counters.limits.get('TOO_MANY_ERRORS'), 1);
});

test('a good line resets the error run', async (t) => {
  const gw = await startTestApp({ tcp: { maxErrorRun: 3 } });
  t.after(() => gw.stop());
  const c = await hello(gw.port);
  t.after(() => c.close());
  for (let i = 0; i < 5; i++) {
    c.send('junk', 'junk', 'PING');
    await c.until((l) => l === 'PONG');
  }
  c.send('R 1 - a=1');
  assert.equal(await c.next(), 'ACK 1');
});

test('HELLO_TIMEOUT and IDLE_TIMEOUT (slow-loris) close only the slow connections', async (t) => {
  const timers = new ManualTimers();
  const gw = await startTestApp({ store: { commitDelayMs: 0 } }, timers);
  t.after(() => gw.stop());
  const silent = await LineClient.open(gw.port);
  const loris = await LineClient.open(gw.port);
  const good = await hello(gw.port, 'good');
  t.after(() => [silent, loris, good].forEach((c) => c.close()));
  loris.send('HELLO loris tok boot=1');
  assert.match((await loris.next())!, /^HELLO OK/);
  loris.write('R 1 - a='); // and never finishes the line
  good.send('PING');
  assert.equal(await good.next(), 'PONG');

  timers.advance(10_000);
  assert.match((await silent.next())!, /^ERR HELLO_TIMEOUT /);
  assert.equal(await silent.next(), null, 'closed');

  timers.advance(60_000);
  good.send('R 1 - a=1');
  assert.equal(await good.next(), 'ACK 1');
  timers.advance(61_000); // loris: 121 s without a complete line; good: 61 s
  assert.match((await loris.next())!, /^ERR IDLE_TIMEOUT /);
  assert.equal(await loris.next(), null);
  good.send('R 2 - a=2');
  assert.equal(await good.next(), 'ACK 2', 'the good connection is unaffected');
  assert.equal(gw.app.counters.limits.get('HELLO_TIMEOUT'), 1);
  assert.equal(gw.app.counters.limits.get('IDLE_TIMEOUT'), 1);
});

test('TOO_MANY_CONNECTIONS refuses connections over the limit, and a slot frees when one closes', async (t) => {
  const gw = await startTestApp({ tcp: { maxConnections: 2 } });
  t.after(() => gw.stop());
  const a = await hello(gw.port, 'a');
  const b = await hello(gw.port, 'b');
  const c = await LineClient.open(gw.port);
  assert.match((await c.next())!, /^ERR TOO_MANY_CONNECTIONS /);
  assert.equal(await c.next(), null);
  a.send('BYE');
  assert.deepEqual(await a.closed(), ['BYE']);
  await waitFor(() => gw.app.tcpConnections < 2, 'the server to see the close');
  const d = await hello(gw.port, 'd');
  d.close();
  b.close();
  assert.equal(gw.app.counters.limits.get('TOO_MANY_CONNECTIONS'), 1);
});

test('TAKEN_OVER: a second connection for the same device replaces the first', async (t) => {
  const gw = await startTestApp();
  t.after(() => gw.stop());
  const old = await hello(gw.port, 'phoenix', 'tok', 'boot=9');
  old.send('R 1 - a=1');
  assert.equal(await old.next(), 'ACK 1');
  const fresh = await hello(gw.port, 'phoenix', 'tok', 'boot=9');
  t.after(() => fresh.close());
  const rest = await old.closed();
  assert.match(rest.at(-1)!, /^ERR TAKEN_OVER /);
  fresh.send('R 2 - a=2');
  assert.equal(await fresh.next(), 'ACK 2');
});

test('INTERNAL: when the store cannot commit, nothing is acknowledged and the connection closes', async (t) => {
  const gw = await startTestApp();
  t.after(() => gw.stop());
  const c = await hello(gw.port);
  gw.app.store.db.exec("CREATE TRIGGER boom BEFORE INSERT ON readings BEGIN SELECT RAISE(ABORT, 'disk full'); END");
  c.send('R 1 - a=1');
  const rest = await c.closed();
  assert.equal(rest.length, 1);
  assert.match(rest[0]!, /^ERR INTERNAL /);
  assert.ok(!rest.some((l) => l.startsWith('ACK')));
  gw.app.store.db.exec('DROP TRIGGER boom');
  const again = await hello(gw.port);
  again.send('R 1 - a=1');
  assert.equal(await again.next(), 'ACK 1', 'the board resends after reconnecting');
  again.close();
});
