import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestApp, tempDir } from '../../helpers/app.js';
import { LineClient } from '../../helpers/line-client.js';

/** Field rules over a real TCP connection: the NAK lines, their counts, and a counter across a gateway restart. */

const fields = [
  { match: 'temp_c', unit: '°C', min: -40, max: 85 },
  { match: 'energy_wh', unit: 'Wh', kind: 'counter' },
];

async function hello(port: number, boot: number): Promise<LineClient> {
  const c = await LineClient.open(port);
  c.send(`HELLO meter-1 tok boot=${boot}`);
  assert.match((await c.next())!, /^HELLO OK /);
  return c;
}

test('TCP: OUT_OF_RANGE, NOT_NUMERIC and COUNTER_BACKWARDS are NAKs naming the seq, counted per device; a counter survives a restart', async (t) => {
  const dataDir = tempDir(); // removed when the test process exits, after both gateways have stopped
  const first = await startTestApp({ fields, auth: { mode: 'off' } }, undefined, dataDir);
  const c = await hello(first.port, 11);
  c.send('R 1 - temp_c=21.5 energy_wh=100');
  assert.equal(await c.next(), 'ACK 1');
  c.send('R 2 - temp_c=99');
  assert.match((await c.next())!, /^NAK 2 OUT_OF_RANGE field temp_c: 99 is above the maximum 85 °C$/);
  c.send('R 3 - temp_c="hot"');
  assert.match((await c.next())!, /^NAK 3 NOT_NUMERIC /);
  c.send('R 4 - energy_wh=90');
  assert.match((await c.next())!, /^NAK 4 COUNTER_BACKWARDS counter energy_wh=90 is lower than 100 at seq 1 /);
  c.send('R 5 - energy_wh=120');
  assert.equal(await c.next(), 'ACK 5');
  c.close();
  const summary = first.app.store.devices.get('meter-1');
  assert.deepEqual(summary?.errors, { COUNTER_BACKWARDS: 1, NOT_NUMERIC: 1, OUT_OF_RANGE: 1 });
  assert.equal(first.app.counters.naks.get('OUT_OF_RANGE'), 1);
  await first.app.stop();

  // The same data directory, a new gateway process state: the counter's last value comes from SQLite.
  const second = await startTestApp({ fields, auth: { mode: 'off' } }, undefined, dataDir);
  t.after(() => second.app.stop());
  const d = await hello(second.port, 11);
  t.after(() => d.close());
  d.send('R 6 - energy_wh=119');
  assert.match((await d.next())!, /^NAK 6 COUNTER_BACKWARDS .* 120 at seq 5 /);
  d.send('R 5 - energy_wh=120');
  assert.match((await d.next())!, /^ACK \d+$/, 'a resend of the ACKed seq is a duplicate (ACKed; cumulative over the NAKed 6)');
  d.send('R 7 - energy_wh=121');
  assert.equal(await d.next(), 'ACK 7');
  const again = await hello(second.port, 12);
  t.after(() => again.close());
  again.send('R 1 - energy_wh=0');
  assert.equal(await again.next(), 'ACK 1', 'a new boot starts from 0');
});
