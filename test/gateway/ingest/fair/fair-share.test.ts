import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LineEvent } from '../../../../gateway/protocol/lines.js';
import { InputGate } from '../../../../gateway/ingest/tcp/input-gate.js';
import { InputBudget } from '../../../../gateway/ingest/session/input-budget.js';
import type { LimitName } from '../../../../gateway/ingest/session/limits.js';
import { startTestApp } from '../../../helpers/app.js';
import { LineClient } from '../../../helpers/line-client.js';
import { ManualTimers } from '../../../helpers/manual-timers.js';
import { waitFor } from '../../../helpers/wait.js';

test('the line budget: a burst, then the rate; a pause long enough for a tenth of a second of lines; over-budget time ends with a full bucket', () => {
  const b = new InputBudget(100, 20, 0);
  const waits = Array.from({ length: 21 }, () => b.take(0));
  assert.deepEqual(waits.slice(0, 20), new Array(20).fill(0));
  assert.equal(waits[20], 110, '1 line in debt + 10 lines (0.1 s) to resume with');
  assert.equal(b.overFor(100), 100);
  assert.equal(b.take(1000), 0);
  assert.equal(b.overFor(1000), 0, 'the bucket refilled: no longer over budget');
});

test('the input gate handles at most maxLinesPerTurn lines per turn, pauses, and goes on in the next turn in order', () => {
  const handled: number[] = [];
  const turns: (() => void)[] = [];
  let paused = 0;
  let resumed = 0;
  let corks = 0;
  let uncorks = 0;
  const gate = new InputGate({
    holding: () => false,
    open: () => true,
    split: (bytes) => bytes.toString().split('\n').slice(0, -1).map((text) => ({ kind: 'line', text, bytes: text.length + 1 }) as LineEvent),
    handle: (ev) => handled.push(Number((ev as Extract<LineEvent, { kind: 'line' }>).text)),
    socket: {
      pause: () => paused++,
      resume: () => resumed++,
      cork: () => corks++,
      uncork: () => uncorks++,
    } as never,
    maxLinesPerTurn: 64,
    nextTurn: (fn) => turns.push(fn),
  });
  gate.feedBytes(Buffer.from(Array.from({ length: 150 }, (_, i) => `${i}\n`).join('')));
  assert.equal(handled.length, 64);
  assert.equal(paused, 1);
  turns.shift()!();
  assert.equal(handled.length, 128);
  turns.shift()!();
  assert.equal(handled.length, 150);
  assert.deepEqual(handled, Array.from({ length: 150 }, (_, i) => i));
  assert.equal(resumed, 1, 'the socket resumes once the backlog is done');
  assert.equal(corks, uncorks, 'every turn uncorks what it corked');
  assert.ok(corks >= 3, 'each turn\'s replies are corked');
});

test('held input stays unframed bytes: each line is framed once however often input is held and released', () => {
  let framed = 0;
  let splits = 0;
  const handled: string[] = [];
  let hold = false;
  const gate = new InputGate({
    holding: () => hold,
    open: () => true,
    split: (bytes) => {
      splits++;
      const lines = bytes.toString().split('\n').slice(0, -1);
      framed += lines.length;
      return lines.map((text) => ({ kind: 'line', text, bytes: text.length + 1 }) as LineEvent);
    },
    handle: (ev) => {
      handled.push((ev as Extract<LineEvent, { kind: 'line' }>).text);
      hold = true; // every line puts the connection over its budget
    },
    socket: { pause: () => {}, resume: () => {}, cork: () => {}, uncork: () => {} } as never,
    maxLinesPerTurn: 1000,
    nextTurn: () => assert.fail('no yield expected'),
  });
  const chunk = Buffer.from('PING\n'.repeat(13_000)); // a 64 KiB read
  gate.feedBytes(chunk);
  assert.equal(handled.length, 1);
  assert.ok(framed <= 1000, `only the first slice is framed (${framed} lines)`);
  assert.ok(gate.heldBytes >= chunk.length - 5 - 4096, 'the rest is held as bytes');
  for (let i = 0; i < 200; i++) {
    hold = false;
    gate.release();
  }
  assert.equal(handled.length, 201);
  assert.ok(framed <= 2 * 1000, `lines framed once, not re-queued on each release (${framed} framed, ${splits} splits)`);
});

test('nothing but HELLO before authentication: PING is refused, one T is answered, a second is refused; a flood of them sits paused until the hello timeout', async (t) => {
  const timers = new ManualTimers();
  const gw = await startTestApp({}, timers);
  t.after(() => gw.stop());
  const c = await LineClient.open(gw.port);
  t.after(() => c.socket.destroy());
  c.send('PING');
  assert.equal(await c.next(), 'ERR NOT_AUTHENTICATED send HELLO first');
  c.send('T 100');
  assert.match((await c.next()) ?? '', /^T 100 \d+$/);
  c.send('T 200');
  assert.equal(await c.next(), 'ERR NOT_AUTHENTICATED send HELLO first');
  c.send(...new Array(30).fill('PING'));
  // 8 lines before HELLO OK, then 1 a second: the rest waits (INPUT_BUDGET) and is never answered.
  await waitFor(() => (gw.app.counters.limits.get('INPUT_BUDGET') ?? 0) === 1, 'the greeting budget to run out');
  for (let i = 0; i < 5; i++) assert.equal(await c.next(), 'ERR NOT_AUTHENTICATED send HELLO first');
  timers.advance(gw.config.tcp.helloTimeoutMs);
  const { line, before } = await c.until((l) => l.startsWith('ERR HELLO_TIMEOUT') || l.startsWith('ERR TOO_MANY_ERRORS'));
  assert.ok(before.length <= 10, `${before.length} answers after the budget ran out`);
  assert.match(line, /^ERR (HELLO_TIMEOUT|TOO_MANY_ERRORS) /);
  assert.equal(await c.next(), null, 'closed');
});

test('the input budget slows a PING flood (paused, not closed), then closes it when it persists; a healthy board is ACKed throughout', async (t) => {
  const timers = new ManualTimers();
  const gw = await startTestApp({ store: { commitDelayMs: 0 }, tcp: { maxLinesPerSecond: 10, lineBurst: 20, overBudgetCloseMs: 5000 } }, timers);
  t.after(() => gw.stop());
  const flood = await LineClient.open(gw.port);
  t.after(() => flood.socket.destroy());
  flood.send('HELLO flood-1 s boot=1 up=0');
  assert.match((await flood.next()) ?? '', /^HELLO OK /);
  flood.send(...new Array(200).fill('PING'));
  // 19 lines of the burst are left after HELLO: those are answered, then input pauses.
  await waitFor(() => (gw.app.counters.limits.get('INPUT_BUDGET') ?? 0) === 1, 'the budget to run out');
  for (let i = 0; i < 19; i++) assert.equal(await flood.next(), 'PONG');

  const board = await LineClient.open(gw.port);
  t.after(() => board.socket.destroy());
  board.send('HELLO healthy-1 s boot=1 up=0', 'R 1 - v=1');
  assert.match((await board.next()) ?? '', /^HELLO OK /);
  assert.equal(await board.next(), 'ACK 1');
  assert.equal(flood.socket.destroyed, false);

  // A tenth of a second of budget later, the flood goes on at the rate; still only slowed.
  timers.advance(200);
  assert.equal(await flood.next(), 'PONG');
  assert.equal(gw.app.tcpConnections, 2);
  // It stays over budget: after overBudgetCloseMs it is closed with ERR INPUT_RATE. Each step of
  // the clock waits until the gateway has spent what the step allowed and paused the flood again
  // (or closed it): the flood's further PINGs reach it from the socket in real time, and a clock
  // that ran ahead of them would refill the bucket and end the flood's time over budget.
  const limit = (name: LimitName) => gw.app.counters.limits.get(name) ?? 0;
  for (let i = 0; i < 100 && limit('INPUT_RATE') === 0; i++) {
    const pauses = limit('INPUT_BUDGET');
    timers.advance(200);
    await waitFor(() => limit('INPUT_RATE') > 0 || limit('INPUT_BUDGET') > pauses, 'the flood paused again or closed');
  }
  let line: string | null;
  do line = await flood.next();
  while (line === 'PONG');
  assert.match(line ?? 'closed', /^ERR INPUT_RATE over 10 lines per second for 5000 ms$/);
  assert.equal(gw.app.counters.limits.get('INPUT_RATE'), 1);
  board.send('R 2 - v=2');
  assert.equal(await board.next(), 'ACK 2');
});

test('a client that floods PING without reading its replies is paused, not disconnected, and a healthy board keeps its ACKs', async (t) => {
  const timers = new ManualTimers();
  const gw = await startTestApp({ store: { commitDelayMs: 0 }, tcp: { maxLinesPerSecond: 1e9, lineBurst: 1e9 } }, timers);
  t.after(() => gw.stop());
  const flood = await LineClient.open(gw.port);
  t.after(() => flood.socket.destroy());
  flood.send('HELLO greedy-1 s boot=1 up=0');
  assert.match((await flood.next()) ?? '', /^HELLO OK /);
  flood.socket.pause();
  // Bounded: write PINGs until the gateway stops reading them (its replies are not drained).
  const chunk = 'PING\n'.repeat(4096);
  for (let i = 0; i < 2000 && (gw.app.counters.limits.get('SLOW_READER') ?? 0) === 0; i++) {
    if (!flood.socket.write(chunk)) await new Promise<void>((resolve) => {
      const onDrain = () => resolve();
      flood.socket.once('drain', onDrain);
      // The gateway pausing us is what stops the drain: check the counter on every turn too.
      void waitFor(() => (gw.app.counters.limits.get('SLOW_READER') ?? 0) > 0, 'SLOW_READER', 120000).then(() => {
        flood.socket.removeListener('drain', onDrain);
        resolve();
      }, () => {});
    });
  }
  assert.equal(gw.app.counters.limits.get('SLOW_READER'), 1);
  const board = await LineClient.open(gw.port);
  t.after(() => board.socket.destroy());
  board.send('HELLO healthy-2 s boot=1 up=0', 'R 1 - v=1');
  assert.match((await board.next()) ?? '', /^HELLO OK /);
  assert.equal(await board.next(), 'ACK 1');
  assert.equal(gw.app.tcpConnections, 2, 'the flooder is paused, not disconnected');
  // It never reads: after slowReaderTimeoutMs it is cut loose.
  timers.advance(30_000);
  await waitFor(() => gw.app.tcpConnections === 1, 'the slow reader to be disconnected');
});
