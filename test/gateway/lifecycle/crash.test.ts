import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { tempDir } from '../../helpers/app.js';
import { startGatewayProcess } from '../../helpers/gateway-process.js';
import { LineClient } from '../../helpers/line-client.js';
import { cleanupStack } from '../../helpers/cleanup.js';

const DEVICES = 10;
const PER_DEVICE = 3000;
const WINDOW = 200;

/**
 * One board streaming readings with a window of unacknowledged ones, remembering the highest ACK
 * it received. Stops quietly when the connection dies.
 */
async function stream(port: number, device: string, from: number, onAck: (seq: number) => void): Promise<void> {
  const c = await LineClient.open(port);
  c.send(`HELLO ${device} tok boot=77 up=1000`);
  const hello = await c.next();
  if (hello === null) return;
  let next = from;
  let acked = from - 1;
  const pump = () => {
    const lines: string[] = [];
    while (next <= PER_DEVICE && next - acked <= WINDOW) lines.push(`R ${next++} - v=${next}`);
    if (lines.length > 0) c.send(...lines);
  };
  pump();
  for (;;) {
    let line: string | null;
    try {
      line = await c.next(20000);
    } catch {
      return;
    }
    if (line === null) return;
    if (!line.startsWith('ACK ')) continue;
    acked = Number(line.slice(4));
    onAck(acked);
    if (acked >= PER_DEVICE) {
      c.close();
      return;
    }
    pump();
  }
}

test('SIGKILL mid-stream loses no acknowledged reading, duplicates none, and HELLO OK reports the right seq', async (t) => {
  const later = cleanupStack(t); // stops processes before their directory is removed
  const data = tempDir();
  later(() => rmSync(data, { recursive: true, force: true }));
  const first = await startGatewayProcess(['--port', '0', '--data', data, '--log-level', 'info']);
  later(() => first.stop('SIGKILL'));

  const acked = new Map<string, number>();
  let total = 0;
  let killed = false;
  const killAt = (DEVICES * PER_DEVICE) / 3;
  const streams = Array.from({ length: DEVICES }, (_, d) =>
    stream(first.port, `crash-${d}`, 1, (seq) => {
      total += seq - (acked.get(`crash-${d}`) ?? 0);
      acked.set(`crash-${d}`, seq);
      if (!killed && total >= killAt) {
        killed = true;
        first.child.kill('SIGKILL'); // mid-stream: readings are in flight and in the commit queue
      }
    }),
  );
  await Promise.all(streams);
  assert.ok(killed, 'the gateway was killed while streaming');
  await first.stop('SIGKILL');

  // Read the file as a crash left it (the restart runs recovery anyway).
  const second = await startGatewayProcess(['--port', '0', '--data', data, '--log-level', 'info']);
  later(() => second.stop('SIGKILL'));
  for (let d = 0; d < DEVICES; d++) {
    const device = `crash-${d}`;
    const c = await LineClient.open(second.port);
    c.send(`HELLO ${device} tok boot=77 up=5000`);
    const reply = (await c.next())!;
    const reported = Number(reply.split(' ')[3]);
    assert.ok(reported >= (acked.get(device) ?? 0), `${device}: HELLO OK ${reported} covers every ACK the board saw (${acked.get(device)})`);
    c.close();
  }
  const db = new Database(join(data, 'sheetlog.db'), { readonly: true });
  try {
    for (let d = 0; d < DEVICES; d++) {
      const device = `crash-${d}`;
      const r = db.prepare('SELECT count(*) AS n, count(DISTINCT seq) AS k, min(seq) AS lo, max(seq) AS hi FROM readings WHERE device = ?').get(device) as {
        n: number;
        k: number;
        lo: number;
        hi: number;
      };
      assert.equal(r.n, r.k, `${device}: no duplicates`);
      assert.equal(r.lo, 1);
      assert.equal(r.n, r.hi, `${device}: no holes: readings 1..${r.hi}`);
      assert.ok(r.hi >= (acked.get(device) ?? 0), `${device}: every acknowledged reading is on disk`);
    }
  } finally {
    db.close();
  }

  // The boards resend what was not acknowledged; afterwards every reading is there exactly once.
  await Promise.all(
    Array.from({ length: DEVICES }, async (_, d) => {
      const device = `crash-${d}`;
      await stream(second.port, device, (acked.get(device) ?? 0) + 1, () => {});
    }),
  );
  const db2 = new Database(join(data, 'sheetlog.db'), { readonly: true });
  const all = db2.prepare('SELECT count(*) AS n, count(DISTINCT device || seq) AS k FROM readings').get() as { n: number; k: number };
  db2.close();
  assert.deepEqual(all, { n: DEVICES * PER_DEVICE, k: DEVICES * PER_DEVICE });
});
