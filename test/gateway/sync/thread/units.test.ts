import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import { createLogger } from '../../../../gateway/log.js';
import { Store } from '../../../../gateway/store/store.js';
import type { SinkStatus } from '../../../../gateway/sync/status.js';
import { CommitSignal } from '../../../../gateway/sync/thread/commit-signal.js';
import { relayLog, threadLogger } from '../../../../gateway/sync/thread/log-relay.js';
import { StatusFeed } from '../../../../gateway/sync/thread/status-feed.js';
import { configSchema } from '../../../../gateway/config/schema.js';
import { tempDir } from '../../../helpers/app.js';
import { ManualTimers } from '../../../helpers/manual-timers.js';

test('commit signal: the first commit goes out at once, later ones within the gap become one message', () => {
  const timers = new ManualTimers();
  let sent = 0;
  const signal = new CommitSignal(5, timers, () => sent++);
  signal.fire();
  assert.equal(sent, 1, 'an idle thread hears of the first commit at once');
  for (let i = 0; i < 100; i++) signal.fire();
  assert.equal(sent, 1, 'none while the gap lasts');
  timers.advance(5);
  assert.equal(sent, 2, 'one for all the commits of the gap');
  timers.advance(5);
  assert.equal(sent, 2, 'nothing when nothing was committed');
  timers.advance(100);
  signal.fire();
  assert.equal(sent, 3);
  signal.close();
  timers.advance(5);
  signal.fire();
  assert.equal(sent, 3, 'nothing after close');
});

function status(cursor: number, state: SinkStatus['state'] = 'idle'): SinkStatus[] {
  return [
    {
      name: 'csv', kind: 'csv', state, target: 'x', cursor, pendingRows: 0, oldestPendingAt: null, lastPushAt: null, lastError: null,
      failing: false, rowsWritten: cursor, requests: 0, errors: 0, throttled: 0, rejectedRows: 0, quarantinedRows: 0, quarantinedByDevice: {}, quota: null, backoffUntil: null,
    },
  ];
}

test('status feed: a snapshot when something changed, at most one per interval, and none when nothing did', () => {
  const timers = new ManualTimers();
  let current = status(0);
  const sent: SinkStatus[][] = [];
  const feed = new StatusFeed(() => current, (s) => sent.push(s), timers, 250);
  timers.advance(0);
  assert.equal(sent.length, 1, 'the first snapshot at once');
  timers.advance(1000);
  assert.equal(sent.length, 1, 'unchanged: nothing sent, however long');
  current = status(0, 'pushing');
  timers.advance(250);
  assert.equal(sent.length, 2, 'a change nobody announced is seen within one interval');
  current = status(5);
  feed.poke();
  current = status(9);
  feed.poke();
  timers.advance(249);
  assert.equal(sent.length, 2, 'pokes wait for the interval');
  timers.advance(1);
  assert.equal(sent.length, 3);
  assert.equal(sent[2]?.[0]?.cursor, 9, 'the latest state, once');
  feed.close();
  current = status(10);
  timers.advance(1000);
  assert.equal(sent.length, 3, 'nothing after close');
});

test('log relay: lines logged in the thread come out of the main logger at their level, with their fields, redacted', () => {
  const records: Record<string, unknown>[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) records.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  const main = createLogger('info', out).child({ gateway: 'a' });
  const thread = threadLogger('info', (line) => relayLog(main, line));
  thread.child({ part: 'sync', sink: 'csv' }).warn({ code: 'IO', token: 'secret-token' }, 'sync to csv failed');
  thread.debug('below the level: not even sent');
  relayLog(main, 'not json');
  assert.equal(records.length, 2);
  const [warn, bad] = records;
  assert.equal(warn?.level, 40);
  assert.equal(warn?.msg, 'sync to csv failed');
  assert.equal(warn?.part, 'sync');
  assert.equal(warn?.sink, 'csv');
  assert.equal(warn?.code, 'IO');
  assert.equal(warn?.gateway, 'a', "the main logger's own bindings");
  assert.equal(warn?.token, '[redacted]');
  assert.equal(bad?.msg, 'unreadable log line from the sync thread');
});

test("store: cursor advances reported by the sync thread move the buffer's size without a query", (t) => {
  const dir = tempDir();
  const config = configSchema.parse({ dataDir: dir });
  const store = Store.open(dir, config.store, new ManualTimers());
  t.after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  let n = 0;
  for (let seq = 1; seq <= 10; seq++) {
    store.committer.enqueue({
      kind: 'reading',
      row: { device: 'd', boot: 1, seq, ts: 1, tsSource: 'gateway', deviceTs: null, received: 1, fields: '{"x":1}', bytes: 8, clockUntrusted: false },
      done: () => n++,
    });
  }
  store.committer.flush();
  assert.equal(n, 10);
  store.useSinks(['csv', 'google-sheets']);
  assert.equal(store.bufferedRows(), 10);
  // As the thread does: the cursor is written through its own connection, then reported.
  const moved = (sink: string, id: number) => {
    store.cursors.advance(sink, id, 0);
    store.cursorAdvanced(sink, id);
  };
  moved('csv', 7);
  assert.equal(store.bufferedRows(), 10, 'the slowest sink holds the buffer');
  moved('google-sheets', 4);
  assert.equal(store.bufferedRows(), 6);
  store.cursorAdvanced('google-sheets', 3);
  assert.equal(store.bufferedRows(), 6, 'a late report never moves a cursor back');
  store.cursorAdvanced('other', 10);
  assert.equal(store.bufferedRows(), 6, 'sinks the store does not hold rows for are ignored');
  store.advanceCursor('google-sheets', 9);
  assert.equal(store.bufferedRows(), 3, 'advanceCursor (in-process sync) still works beside it');
});
