import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { test } from 'node:test';
import { startTestApp } from '../../helpers/app.js';

/** Field rules on UDP: a datagram's lines answered in place, the refused ones with their NAK. */
test('UDP: OUT_OF_RANGE and COUNTER_BACKWARDS in the reply datagram, the other lines stored', async (t) => {
  const gw = await startTestApp({
    udp: { enabled: true, host: '127.0.0.1', port: 0 },
    fields: [
      { match: 'temp_c', min: -40, max: 85 },
      { match: 'energy_wh', kind: 'counter' },
    ],
  });
  t.after(() => gw.stop());
  const socket = createSocket('udp4');
  t.after(() => socket.close());
  const exchange = async (payload: string): Promise<string[]> => {
    const reply = once(socket, 'message');
    socket.send(payload, gw.listening.udp!.port, '127.0.0.1');
    const [m] = (await Promise.race([reply, new Promise((_, reject) => setTimeout(() => reject(new Error('no reply within 10 s')), 10_000).unref())])) as [Buffer];
    return m.toString().split('\n').filter((l) => l.length > 0);
  };
  assert.deepEqual(await exchange('m1 tok boot=4 R 1 - temp_c=20 energy_wh=50'), ['ACK 1']);
  const replies = await exchange(['m1 tok boot=4 R 2 - temp_c=120', 'm1 tok boot=4 R 3 - energy_wh=49', 'm1 tok boot=4 R 4 - energy_wh=51'].join('\n'));
  assert.equal(replies.length, 3);
  assert.match(replies[0]!, /^NAK 2 OUT_OF_RANGE /);
  assert.match(replies[1]!, /^NAK 3 COUNTER_BACKWARDS /);
  assert.equal(replies[2], 'ACK 4');
  assert.deepEqual(gw.app.store.readings.after(0, 10).map((r) => r.seq), [1, 4]);
  assert.deepEqual(gw.app.store.devices.get('m1')?.errors, { COUNTER_BACKWARDS: 1, OUT_OF_RANGE: 1 });
});
