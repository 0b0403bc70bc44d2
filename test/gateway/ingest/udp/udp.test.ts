import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { startTestApp, type TestApp } from '../../../helpers/app.js';

/** A board on UDP: sends a datagram and waits for the reply datagram (with a deadline). */
class UdpBoard {
  private readonly socket: Socket = createSocket('udp4');
  private readonly replies: string[] = [];
  private waiter: (() => void) | null = null;

  constructor(private readonly port: number) {
    this.socket.on('message', (m) => {
      this.replies.push(m.toString());
      this.waiter?.();
    });
  }

  async exchange(payload: string | Buffer, timeoutMs = 5000): Promise<string[]> {
    this.socket.send(payload, this.port, '127.0.0.1');
    if (this.replies.length === 0) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no reply within ${timeoutMs} ms`)), timeoutMs);
        this.waiter = () => {
          clearTimeout(timer);
          this.waiter = null;
          resolve();
        };
      });
    }
    return (this.replies.shift() as string).split('\n').filter((l) => l.length > 0);
  }

  close(): void {
    this.socket.close();
  }
}

async function startUdp(udp: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Promise<{ gw: TestApp; board: UdpBoard }> {
  const gw = await startTestApp({ udp: { enabled: true, host: '127.0.0.1', port: 0, ...udp }, ...extra });
  const port = gw.app.udp!.address!.port;
  return { gw, board: new UdpBoard(port) };
}

test('UDP: each reading is ACKed after its commit, duplicates are ACKed again and stored once', async (t) => {
  const { gw, board } = await startUdp();
  t.after(() => gw.stop());
  t.after(() => board.close());
  const replies = await board.exchange('u1 tok boot=12 R 1 - temp_c=21.5\r\nu1 tok boot=12 R 2 1795232400000 temp_c=21.6 door=false\n');
  assert.deepEqual(replies, ['ACK 1', 'ACK 2']);
  assert.deepEqual(await board.exchange('u1 tok boot=12 R 2 - temp_c=21.6\nu1 tok boot=12 R 3 - temp_c=21.7'), ['ACK 2', 'ACK 3']);
  gw.app.store.committer.flush();
  const dev = gw.app.store.devices.get('u1')!;
  assert.equal(dev.readings, 3);
  assert.equal(dev.duplicates, 1);
  assert.equal(gw.app.store.readings.count(), 3);
  assert.equal(gw.app.store.readings.highestSeq('u1', 12), 3);
});

test('UDP: bad lines are NAKed or refused in place, other lines of the datagram still land', async (t) => {
  const { gw, board } = await startUdp();
  t.after(() => gw.stop());
  t.after(() => board.close());
  await board.exchange('u2 right boot=1 R 1 - x=1'); // registers u2 (trust on first use)
  const replies = await board.exchange(
    [
      'u2 right boot=1 R 2 - x=',
      'u2 right boot=1 R 3 - x=3',
      'u2 wrong boot=1 R 4 - x=4',
      'not-a-line',
      'u2 right boot=1 PING',
      'u2 right boot=1 R 0 - x=1',
      'u2 right boot=1 R 5 - x=5',
    ].join('\n'),
  );
  assert.equal(replies.length, 7);
  assert.match(replies[0]!, /^NAK 2 BAD_VALUE /);
  assert.equal(replies[1], 'ACK 3');
  assert.match(replies[2]!, /^ERR AUTH_FAILED /);
  assert.match(replies[3]!, /^ERR BAD_HELLO /);
  assert.match(replies[4]!, /^ERR UNKNOWN_VERB /);
  assert.match(replies[5]!, /^ERR BAD_SEQ /);
  assert.equal(replies[6], 'ACK 5');
  assert.deepEqual(await board.exchange(Buffer.from([0x75, 0x32, 0x20, 0xff])), ['ERR BAD_UTF8 datagram is not valid UTF-8']);
  gw.app.store.committer.flush();
  assert.deepEqual(gw.app.store.devices.get('u2')!.errors, { AUTH_FAILED: 1, BAD_SEQ: 1, BAD_VALUE: 1, UNKNOWN_VERB: 1 });
  assert.equal(gw.app.counters.naks.get('BAD_VALUE'), 1);
  assert.equal(gw.app.store.readings.count(), 3);
});

test('UDP: an oversized datagram and a source over its rate are refused as a whole', async (t) => {
  const { gw, board } = await startUdp({ maxDatagramBytes: 200, ratePerSource: 1, burstPerSource: 3 });
  t.after(() => gw.stop());
  t.after(() => board.close());
  const big = Array.from({ length: 12 }, (_, i) => `u3 tok boot=1 R ${i + 1} - x=${i}`).join('\n');
  assert.ok(Buffer.byteLength(big) > 200);
  assert.deepEqual(await board.exchange(big), ['ERR LINE_TOO_LONG datagram larger than 200 bytes']);
  assert.deepEqual(await board.exchange('u3 tok boot=1 R 1 - x=1\nu3 tok boot=1 R 2 - x=2'), ['ACK 1', 'ACK 2']);
  const busy = await board.exchange('u3 tok boot=1 R 3 - x=3\nu3 tok boot=1 R 4 - x=4');
  assert.equal(busy.length, 1);
  const wait = Number(/^BUSY (\d+)$/.exec(busy[0]!)?.[1]);
  assert.ok(wait > 0 && wait <= 2000, `retry-after ${JSON.stringify(busy)}`);
  assert.equal(gw.app.store.readings.count(), 2, 'nothing of a refused datagram is stored');
  assert.equal(gw.app.counters.limits.get('UDP_RATE'), 1);
  assert.equal(gw.app.counters.limits.get('DATAGRAM_TOO_LARGE'), 1);
});

test('UDP: without boot= a board gets one boot per source socket, so its resends are still deduplicated', async (t) => {
  const { gw, board } = await startUdp({}, { auth: { mode: 'off' } });
  t.after(() => gw.stop());
  t.after(() => board.close());
  assert.deepEqual(await board.exchange('u4 x R 1 - x=1'), ['ACK 1']);
  assert.deepEqual(await board.exchange('u4 x R 1 - x=1'), ['ACK 1']);
  const other = new UdpBoard(gw.app.udp!.address!.port);
  t.after(() => other.close());
  assert.deepEqual(await other.exchange('u4 x R 1 - x=1'), ['ACK 1']);
  gw.app.store.committer.flush();
  const dev = gw.app.store.devices.get('u4')!;
  assert.deepEqual([dev.readings, dev.duplicates], [2, 1], 'same socket: duplicate; another socket: another boot');
});

test('UDP and MQTT are off by default', async (t) => {
  const gw = await startTestApp();
  t.after(() => gw.stop());
  assert.equal(gw.app.udp, null);
  assert.equal(gw.app.mqtt, null);
});
