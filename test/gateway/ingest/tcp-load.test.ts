import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { once } from 'node:events';
import { startTestApp } from '../../helpers/app.js';
import { LineClient } from '../../helpers/line-client.js';
import { ManualTimers } from '../../helpers/manual-timers.js';
import { waitFor } from '../../helpers/wait.js';

const readingLines = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `R ${from + i} u${1000 + i} temp_c=${20 + ((from + i) % 10) / 10} hum=40`);

test('200 concurrent connections: every reading acknowledged and stored exactly once, also when all resend', async (t) => {
  const gw = await startTestApp();
  t.after(() => gw.stop());
  const DEVICES = 200;
  const PER = 50;
  const run = async (round: number) =>
    Promise.all(
      Array.from({ length: DEVICES }, async (_, d) => {
        const c = await LineClient.open(gw.port);
        c.send(`HELLO board-${d} tok-${d} boot=${1000 + d} up=2000`);
        const hello = (await c.next())!;
        assert.match(hello, round === 0 ? /^HELLO OK \d+ 0$/ : new RegExp(`^HELLO OK \\d+ ${PER}$`));
        c.send(...readingLines(1, PER)); // the second round resends everything: all duplicates
        await c.until((l) => l === `ACK ${PER}`);
        c.send('BYE');
        await c.closed();
      }),
    );
  await run(0);
  await run(1);
  const counts = gw.app.store.db.prepare('SELECT count(*) AS n, count(DISTINCT device || boot || seq) AS k FROM readings').get() as { n: number; k: number };
  assert.equal(counts.n, DEVICES * PER);
  assert.equal(counts.k, DEVICES * PER);
  const dev = gw.app.store.devices.get('board-7')!;
  assert.equal(dev.readings, PER);
  assert.equal(dev.duplicates, PER);
  assert.equal(dev.connects, 2);
});

test('backpressure: a connection with too many readings awaiting commit is paused, then resumes; nothing is lost', async (t) => {
  const timers = new ManualTimers();
  const gw = await startTestApp({ tcp: { maxUnackedPerConnection: 8 }, store: { commitDelayMs: 50, commitMaxRows: 100000 } }, timers);
  t.after(() => gw.stop());
  const c = await LineClient.open(gw.port);
  t.after(() => c.close());
  c.send('HELLO bp tok boot=1');
  // A new device's registration rides a commit too: the clock must move for HELLO OK.
  await waitFor(() => gw.app.store.committer.pending === 1, 'the registration');
  timers.advance(50);
  assert.match((await c.next())!, /^HELLO OK/);
  timers.advance(50); // commit the HELLO's statistics
  c.send(...readingLines(1, 100));
  let acked = 0;
  while (acked < 100) {
    // Commits happen only when the test moves the clock; the gateway must stop reading meanwhile.
    const expected = Math.min(8, 100 - acked);
    await waitFor(() => gw.app.store.committer.pending >= expected, `${expected} readings to arrive (acked ${acked}, pending ${gw.app.store.committer.pending})`);
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.equal(gw.app.store.committer.pending, expected, 'no more than the per-connection limit is taken in');
    timers.advance(50);
    const line = (await c.next())!;
    assert.match(line, /^ACK \d+$/);
    acked = Number(line.split(' ')[1]);
  }
  assert.equal(gw.app.store.readings.count(), 100);
  assert.ok((gw.app.counters.limits.get('BACKPRESSURE') ?? 0) >= 1);
});

test('BUSY: over the buffer limit readings are refused (not stored, not acknowledged) until sinks catch up', async (t) => {
  const gw = await startTestApp({ store: { maxBufferRows: 5, busyRetryAfterMs: 1234 } });
  t.after(() => gw.stop());
  gw.app.store.useSinks(['held']); // a sink that has delivered nothing
  const c = await LineClient.open(gw.port);
  c.send('HELLO full tok boot=1');
  await c.next();
  c.send(...readingLines(1, 5));
  assert.equal(await c.until((l) => l === 'ACK 5').then((r) => r.line), 'ACK 5');
  c.send(...readingLines(6, 8));
  const rest = await c.closed();
  assert.deepEqual(rest, ['BUSY 1234'], 'BUSY, then the gateway closes; no ACK for 6..8');
  assert.equal(gw.app.store.readings.count(), 5);

  gw.app.store.advanceCursor('held', 5);
  const again = await LineClient.open(gw.port);
  again.send('HELLO full tok boot=1');
  assert.match((await again.next())!, /^HELLO OK \d+ 5$/);
  again.send(...readingLines(6, 8));
  assert.equal((await again.until((l) => l === 'ACK 8')).line, 'ACK 8');
  again.close();
  assert.equal(gw.app.counters.busyReplies, 1);
});

test('a client that never reads its replies is paused, then cut off, without hurting others', async (t) => {
  // No input budget in the way (it would slow the flood first); a short slow-reader grace.
  const gw = await startTestApp({ tcp: { maxWriteBufferBytes: 4096, maxLinesPerSecond: 1e9, lineBurst: 1e9, slowReaderTimeoutMs: 200 } });
  t.after(() => gw.stop());
  const good = await LineClient.open(gw.port);
  t.after(() => good.close());
  good.send('HELLO good tok boot=1');
  await good.next();

  const deaf = connect({ port: gw.port, host: '127.0.0.1' });
  await once(deaf, 'connect');
  deaf.pause(); // never reads: the gateway's replies pile up
  deaf.on('error', () => {});
  const closed = new Promise((resolve) => deaf.on('close', resolve));
  deaf.write('HELLO deaf tok boot=1\n'); // PING before HELLO would only be refused
  const burst = Buffer.from('PING\n'.repeat(200_000));
  for (let i = 0; i < 20 && !deaf.destroyed; i++) deaf.write(burst);
  good.send('R 1 - a=1');
  assert.equal(await good.next(), 'ACK 1', 'the good client is served meanwhile');
  // The bound is generous: the kernel's loopback buffers take megabytes of PONGs before the gateway's
  // own buffer grows, and on a loaded machine that alone took over a minute once.
  await waitFor(() => (gw.app.counters.limits.get('SLOW_READER') ?? 0) >= 1, `the gateway to pause the deaf client (${JSON.stringify([...gw.app.counters.limits])})`, 180_000);
  deaf.resume(); // read again so the client notices the reset
  await closed;
  good.send('R 2 - a=1');
  assert.equal(await good.next(), 'ACK 2');
});
