import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { Store, type StoreSettings } from '../../../gateway/store/store.js';
import { decodeOps, decodeOutcomes, encodeOps, encodeOutcomes } from '../../../gateway/store/writer-thread/codec.js';
import type { ReadingOutcome, ReadingRow, RegisterOutcome, WriteOp } from '../../../gateway/store/ops.js';
import type { CommitReport } from '../../../gateway/store/group-commit.js';
import { systemTimers } from '../../../gateway/time/timers.js';
import { tempDir } from '../../helpers/app.js';

const SETTINGS: StoreSettings = {
  file: 'sheetlog.db',
  synchronous: 'FULL',
  busyTimeoutMs: 1000,
  commitDelayMs: 1,
  commitMaxRows: 50,
  maxBufferRows: 1000,
  retentionHours: 1,
  writerThread: true,
};

function row(device: string, boot: number, seq: number, received = 1): ReadingRow {
  return { device, boot, seq, ts: received, tsSource: 'uptime', deviceTs: seq % 2 ? null : 7, received, fields: `{"x":${seq}}`, bytes: 12, clockUntrusted: seq === 3 };
}

function open(t: { after: (fn: () => void) => void }, reports: CommitReport[] = []) {
  const dir = tempDir();
  const store = Store.open(dir, SETTINGS, systemTimers, { committed: (r) => reports.push(r) });
  t.after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { store, dir };
}

test('codec: operations and outcomes cross the thread boundary unchanged', () => {
  const ops: WriteOp[] = [
    { kind: 'reading', row: row('a', 1, 2), done: () => {} },
    { kind: 'register', device: 'b', token: 't', origin: 'tofu', at: 9, done: () => {} },
    { kind: 'stats', device: 'b', delta: { connects: 1, errors: { BAD_VALUE: 2 } } },
    { kind: 'reading', row: row('a', 1, 3), done: () => {} },
  ];
  const back = decodeOps(structuredClone(encodeOps(ops)));
  assert.deepEqual(
    back.map((o) => ({ ...o, done: undefined })),
    ops.map((o) => ({ ...o, done: undefined })),
  );
  const outcomes = ['stored', 'duplicate', null, 'failed', 'registered', 'accepted', 'conflict', 'revoked'] as const;
  assert.deepEqual(decodeOutcomes(encodeOutcomes(outcomes)), outcomes);
  assert.throws(() => decodeOps([9, 'x']), /unknown operation tag 9/);
});

test('writer thread: no outcome before the commit; outcomes arrive in order, duplicates found, highestId follows', async (t) => {
  const reports: CommitReport[] = [];
  const { store } = open(t, reports);
  const outcomes: [number, ReadingOutcome][] = [];
  for (let seq = 1; seq <= 120; seq++) {
    store.committer.enqueue({ kind: 'reading', row: row('a', 1, seq), done: (o) => outcomes.push([seq, o]) });
  }
  assert.equal(outcomes.length, 0, 'nothing is reported while the batch is being committed');
  // A resend of seq 5 in a later batch is a duplicate.
  while (outcomes.length < 120) await new Promise((r) => setImmediate(r));
  store.committer.enqueue({ kind: 'reading', row: row('a', 1, 5), done: (o) => outcomes.push([5, o]) });
  store.committer.flush();
  assert.deepEqual(outcomes.map(([s]) => s), [...Array.from({ length: 120 }, (_, i) => i + 1), 5], 'in the order enqueued');
  assert.ok(outcomes.slice(0, 120).every(([, o]) => o === 'stored'));
  assert.equal(outcomes[120]?.[1], 'duplicate');
  assert.equal(store.readings.count(), 120, 'visible to the main connection once reported');
  assert.equal(store.readings.highestSeq('a', 1), 120);
  assert.equal(store.highestId, 120);
  assert.ok(reports.every((r) => r.ops <= SETTINGS.commitMaxRows), 'no batch larger than commitMaxRows');
  assert.equal(reports.reduce((n, r) => n + r.stored, 0), 120);
  const dev = store.devices.list().find((d) => d.id === 'a');
  assert.equal(dev?.readings, 120);
  assert.equal(dev?.duplicates, 1);
});

test('writer thread: flush returns after every outcome ran; a register decides against an earlier batch', (t) => {
  const { store } = open(t);
  const results: RegisterOutcome[] = [];
  store.committer.enqueue({ kind: 'register', device: 'b', token: 'one', origin: 'tofu', at: 1, done: (o) => results.push(o) });
  store.committer.flush();
  assert.deepEqual(results, ['registered']);
  store.committer.enqueue({ kind: 'register', device: 'b', token: 'two', origin: 'tofu', at: 2, done: (o) => results.push(o) });
  store.committer.enqueue({ kind: 'register', device: 'b', token: 'one', origin: 'tofu', at: 3, done: (o) => results.push(o) });
  store.committer.flush();
  assert.deepEqual(results, ['registered', 'conflict', 'accepted']);
  assert.ok(store.devices.find('b'), 'the main connection sees the registration');
});

test('writer thread: a failed transaction reports failed for its batch and the next batch still commits', (t) => {
  const { store } = open(t);
  const outcomes: ReadingOutcome[] = [];
  // A NOT NULL violation inside the transaction: fields null.
  store.committer.enqueue({ kind: 'reading', row: { ...row('a', 1, 1), fields: null as unknown as string }, done: (o) => outcomes.push(o) });
  store.committer.flush();
  store.committer.enqueue({ kind: 'reading', row: row('a', 1, 2), done: (o) => outcomes.push(o) });
  store.committer.flush();
  assert.deepEqual(outcomes, ['failed', 'stored']);
  assert.equal(store.readings.count(), 1);
});

test('writer thread: close commits what is queued and the file reopens with it', (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const store = Store.open(dir, SETTINGS, systemTimers);
  const outcomes: ReadingOutcome[] = [];
  for (let seq = 1; seq <= 10; seq++) store.committer.enqueue({ kind: 'reading', row: row('c', 2, seq), done: (o) => outcomes.push(o) });
  store.close();
  assert.equal(outcomes.length, 10);
  const again = Store.open(dir, { ...SETTINGS, writerThread: false }, systemTimers);
  try {
    assert.equal(again.readings.highestSeq('c', 2), 10);
  } finally {
    again.close();
  }
});

test('writer thread: a thread that dies is replaced; later readings commit', async (t) => {
  const { store } = open(t);
  const outcomes: ReadingOutcome[] = [];
  store.committer.enqueue({ kind: 'reading', row: row('k', 1, 1), done: (o) => outcomes.push(o) });
  store.committer.flush();
  // Reach the thread through the store's internals: nothing public may end it.
  const writer = (store as unknown as { writer: { worker: { terminate(): Promise<number> } } }).writer;
  const first = writer.worker;
  await first.terminate();
  while (writer.worker === first) await new Promise((r) => setImmediate(r));
  store.committer.enqueue({ kind: 'reading', row: row('k', 1, 2), done: (o) => outcomes.push(o) });
  store.committer.flush();
  assert.deepEqual(outcomes, ['stored', 'stored']);
  assert.equal(store.readings.highestSeq('k', 1), 2);
});
