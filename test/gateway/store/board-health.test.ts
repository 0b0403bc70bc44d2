/**
 * HELLO reset= and missed= (docs/PROTOCOL.md): parsed, stored in the device's statistics by
 * schema version 4, the latest report replacing the previous one, and shown by the API view.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';

import { deviceView } from '../../../gateway/api/views.js';
import { parseLine } from '../../../gateway/protocol/parse.js';
import { schemaVersion } from '../../../gateway/store/database.js';
import { Store } from '../../../gateway/store/store.js';
import { tempDir } from '../../helpers/app.js';
import { ManualTimers } from '../../helpers/manual-timers.js';

test('HELLO reset= and missed= are parsed; malformed values are BAD_HELLO', () => {
  const r = parseLine('HELLO feather-1 tok boot=7 up=12 fw=1.1.0 board=feather-m0 reset=watchdog missed=3');
  assert.ok(r.ok && r.message.verb === 'HELLO');
  if (!r.ok || r.message.verb !== 'HELLO') return;
  assert.equal(r.message.reset, 'watchdog');
  assert.equal(r.message.missed, 3);
  for (const bad of ['missed=-1', 'missed=4294967296', 'missed=x', `reset=${'r'.repeat(33)}`]) {
    const b = parseLine(`HELLO feather-1 tok boot=7 ${bad}`);
    assert.ok(!b.ok && b.refusal.code === 'BAD_HELLO', bad);
  }
  const old = parseLine('HELLO feather-1 tok boot=7');
  assert.ok(old.ok && old.message.verb === 'HELLO' && old.message.reset === undefined && old.message.missed === undefined);
});

test('the board health lands in the device statistics; the latest report wins', (t) => {
  const dir = tempDir();
  const timers = new ManualTimers();
  const store = Store.open(
    dir,
    { file: 'sheetlog.db', synchronous: 'FULL', busyTimeoutMs: 1000, commitDelayMs: 5, commitMaxRows: 100, maxBufferRows: 1000, retentionHours: 1 },
    timers,
  );
  t.after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  store.devices.add('feather-1', 1000);
  assert.equal(store.devices.get('feather-1')!.resetCause, null, 'nothing reported yet');
  store.committer.enqueue({ kind: 'stats', device: 'feather-1', delta: { connects: 1, resetCause: 'power', missedSamples: 0 } });
  store.committer.flush();
  store.committer.enqueue({ kind: 'stats', device: 'feather-1', delta: { connects: 1, resetCause: 'watchdog', missedSamples: 2 } });
  store.committer.enqueue({ kind: 'stats', device: 'feather-1', delta: { bytes: 10 } }); // no report: kept
  store.committer.flush();
  const d = store.devices.get('feather-1')!;
  assert.equal(d.resetCause, 'watchdog');
  assert.equal(d.missedSamples, 2);
  assert.deepEqual(deviceView(d, false, 2000, 60_000).health, { resetCause: 'watchdog', missedSamples: 2 });
  assert.ok(schemaVersion(store.db) >= 4);
});
