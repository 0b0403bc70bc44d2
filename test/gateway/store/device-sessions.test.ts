import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import type { StatsDelta } from '../../../gateway/store/ops.js';
import { Store } from '../../../gateway/store/store.js';
import { tempDir } from '../../helpers/app.js';
import { ManualTimers } from '../../helpers/manual-timers.js';

const SETTINGS = { file: 'sheetlog.db', synchronous: 'FULL', busyTimeoutMs: 1000, commitDelayMs: 5, commitMaxRows: 100, maxBufferRows: 1000, retentionHours: 1 } as const;

function open(t: { after: (fn: () => void) => void }) {
  const dir = tempDir();
  const timers = new ManualTimers();
  let store = Store.open(dir, SETTINGS, timers);
  store.devices.add('kitchen-1', 0);
  const stats = (delta: StatsDelta) => {
    store.committer.enqueue({ kind: 'stats', device: 'kitchen-1', delta });
    timers.advance(SETTINGS.commitDelayMs);
  };
  const reopen = () => {
    store.close();
    store = Store.open(dir, SETTINGS, timers);
    return store;
  };
  t.after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { get: () => store.devices.get('kitchen-1')!, stats, reopen };
}

test('the running session is recorded: opened by connects, closed by connectedMs, a takeover counts no time twice', (t) => {
  const { get, stats } = open(t);
  stats({ connects: 1, lastSeen: 1_000 });
  assert.deepEqual([get().sessionsOpen, get().connectedSince, get().connectedMs], [1, 1_000, 0]);
  // A takeover: the new session opens before the old one (1 000 .. 5 000) is closed.
  stats({ connects: 1, lastSeen: 4_000 });
  stats({ connectedMs: 4_000 });
  assert.deepEqual([get().sessionsOpen, get().connectedSince, get().connectedMs], [1, 5_000, 4_000], 'running from the old session\'s end');
  stats({ connectedMs: 0 });
  assert.deepEqual([get().sessionsOpen, get().connectedSince], [0, null], 'a zero-length close still closes');
  stats({ connectedMs: 10 });
  assert.equal(get().sessionsOpen, 0, 'never below zero (an MQTT board online before the gateway started)');
});

test('a gateway starts with no session open (a crash left them recorded)', (t) => {
  const { stats, reopen } = open(t);
  stats({ connects: 1, lastSeen: 1_000 });
  const store = reopen();
  const d = store.devices.get('kitchen-1')!;
  assert.deepEqual([d.sessionsOpen, d.connectedSince], [0, null]);
});

test('the clock error is kept from samples that carry it; samples without it keep the last one', (t) => {
  const { get, stats } = open(t);
  stats({ clock: { offsetMs: 1_796_395_459_894, rttMs: null, at: 1_000 } });
  assert.deepEqual([get().clockEpochMinusMillisMs, get().clockErrorMs], [1_796_395_459_894, null], 'uptime only: no error');
  stats({ clock: { offsetMs: 1_796_395_459_900, rttMs: 30, at: 2_000, errorMs: -12.4 } });
  assert.deepEqual([get().clockEpochMinusMillisMs, get().clockErrorMs, get().clockRttMs], [1_796_395_459_900, -12, 30]);
  stats({ clock: { offsetMs: 1_796_395_459_900, rttMs: null, at: 3_000 } });
  assert.equal(get().clockErrorMs, -12);
});
