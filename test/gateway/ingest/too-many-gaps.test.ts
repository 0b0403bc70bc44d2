import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { MAX_RANGES_PER_BOOT } from '../../../gateway/store/seq-ledger.js';
import { startTestApp, type TestApp } from '../../helpers/app.js';
import { LineClient } from '../../helpers/line-client.js';
import { TestBoard } from '../../helpers/mqtt.js';

/*
 * A boot holding MAX_RANGES_PER_BOOT runs of seqs (docs/OPERATIONS.md, "Resends"): a reading that
 * would open another is NAKed TOO_MANY_GAPS at its commit, on every transport, and counted; one
 * that joins a run is stored and ACKed. The boot's runs are written into its `boots` row before
 * the board shows up (as a gateway that stored them earlier would have), so the test does not
 * need 131,073 readings.
 */

/** The seqs 1, 3, 5, ... up to the top: the floor [1, 1] and MAX_RANGES_PER_BOOT runs above it. */
const TOP = 1 + 2 * MAX_RANGES_PER_BOOT;

function seedGaps(gw: TestApp, device: string, boot: number): void {
  const runs: string[] = [];
  for (let s = 1; s <= TOP; s += 2) runs.push(`[${s},${s}]`);
  gw.app.store.db
    .prepare('INSERT INTO boots (device, boot, max_seq, first_seen, stored) VALUES (?, ?, ?, 0, ?)')
    .run(device, boot, TOP, `[${runs.join(',')}]`);
}

function errorsOf(gw: TestApp, device: string): Record<string, number> {
  gw.app.store.committer.flush();
  return gw.app.store.devices.get(device)?.errors ?? {};
}

test('TCP: a seq that would open one more run is NAKed TOO_MANY_GAPS, a seq joining a run is ACKed', async (t) => {
  const gw = await startTestApp({});
  t.after(() => gw.stop());
  seedGaps(gw, 'gap-tcp', 5);
  const c = await LineClient.open(gw.port);
  t.after(() => c.close());
  c.send('HELLO gap-tcp tok-gap boot=5');
  assert.match((await c.next())!, new RegExp(`^HELLO OK \\d+ ${TOP}$`));
  c.send(`R ${TOP + 2} - x=1`, `R ${TOP + 1} - x=1`, 'R 2 - x=1');
  assert.match((await c.until((l) => l.startsWith('NAK'))).line, new RegExp(`^NAK ${TOP + 2} TOO_MANY_GAPS `));
  // The cumulative ACK passes the NAKed reading, as it passes any refusal (docs/PROTOCOL.md section 4).
  await c.until((l) => l === `ACK ${TOP + 2}`);
  assert.deepEqual(errorsOf(gw, 'gap-tcp'), { TOO_MANY_GAPS: 1 });
  assert.equal(gw.app.store.readings.count(), 2, `${TOP + 1} and 2 stored`);
});

test('UDP: the same NAK in the reply datagram, the other lines ACKed', async (t) => {
  const gw = await startTestApp({ udp: { enabled: true, host: '127.0.0.1', port: 0 } });
  t.after(() => gw.stop());
  seedGaps(gw, 'gap-udp', 5);
  const socket = createSocket('udp4');
  t.after(() => socket.close());
  socket.send(`gap-udp tok boot=5 R ${TOP + 2} - x=1\ngap-udp tok boot=5 R ${TOP + 1} - x=1\n`, gw.app.udp!.address!.port, '127.0.0.1');
  const [reply] = (await once(socket, 'message')) as [Buffer];
  const lines = reply.toString().split('\n').filter((l) => l.length > 0);
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, new RegExp(`^NAK ${TOP + 2} TOO_MANY_GAPS `));
  assert.equal(lines[1], `ACK ${TOP + 1}`);
  assert.deepEqual(errorsOf(gw, 'gap-udp'), { TOO_MANY_GAPS: 1 });
});

test('MQTT: the NAK on the board\'s reply topic; the broker connection is kept', async (t) => {
  const gw = await startTestApp({ mqtt: { embedded: true, embeddedHost: '127.0.0.1', embeddedPort: 0 } });
  t.after(() => gw.stop());
  await gw.app.mqtt!.subscribed();
  seedGaps(gw, 'gap-mqtt', 5);
  const board = await TestBoard.connect(`mqtt://127.0.0.1:${gw.app.mqtt!.address!.broker!.port}`, 'gap-mqtt', { username: 'gap-mqtt', password: 'tok-gap' });
  t.after(() => board.end());
  await board.publish('hello', 'boot=5');
  // MQTT's ACK does not skip gaps (docs/PROTOCOL.md 9.5): 1 is all that is settled without one.
  assert.match(await board.reply((r) => r.startsWith('HELLO OK')), /^HELLO OK \d+ 1 boot=5$/);
  await board.publish('r', `boot=5 R ${TOP + 2} - x=1`);
  assert.match(await board.reply((r) => r.startsWith('NAK')), new RegExp(`^NAK ${TOP + 2} TOO_MANY_GAPS boot=5 `));
  // Seq 2 joins the floor and closes the first gap: stored, and the ACK reaches 3.
  await board.publish('r', 'boot=5 R 2 - x=1');
  await board.reply((r) => r === 'ACK 3 boot=5');
  assert.deepEqual(errorsOf(gw, 'gap-mqtt'), { TOO_MANY_GAPS: 1 });
});
