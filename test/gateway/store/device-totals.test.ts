import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ReadingOutcome, ReadingRow } from '../../../gateway/store/ops.js';
import { Store, type StoreSettings } from '../../../gateway/store/store.js';
import { tempDir } from '../../helpers/app.js';
import { TEST_STORE_SETTINGS } from '../../helpers/store-settings.js';
import { ManualTimers } from '../../helpers/manual-timers.js';
import { seededRandom } from '../../sheets-emulator/faults.js';

const SETTINGS: StoreSettings = TEST_STORE_SETTINGS;

interface Counts {
  readings: number;
  duplicates: number;
  bytes: number;
  lastSeen: number;
}

/**
 * Device counters go through `device_deltas` and a fold every 250 ms (store/device-totals.ts):
 * whatever the order of commits, failed commits, clock steps and crashes, what a reader sees must
 * be what was acknowledged. A model counts the outcomes the store reported; after every step the
 * registry must agree with it, device by device.
 */
for (const seed of [1, 2, 3]) {
  test(`device counters match the acknowledged outcomes through commits, rollbacks, folds and crashes (seed ${seed})`, (t) => {
    const random = seededRandom(seed);
    const pick = (n: number) => Math.floor(random() * n);
    const timers = new ManualTimers();
    const dirs: string[] = [];
    let dir = tempDir();
    dirs.push(dir);
    let store = Store.open(dir, SETTINGS, timers);
    t.after(() => {
      store.close();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });
    const model = new Map<string, Counts>();
    let crashes = 0;
    let failures = 0;
    let folds = 0;
    for (let step = 0; step < 150; step++) {
      const action = pick(10);
      if (action < 6) {
        // A commit of a few readings; seqs drawn from a small range, so duplicates happen.
        const fail = action === 0;
        if (fail) store.db.exec("CREATE TRIGGER boom BEFORE INSERT ON device_deltas BEGIN SELECT RAISE(ABORT, 'disk full'); END");
        const batch: { row: ReadingRow; outcome?: ReadingOutcome }[] = [];
        for (let k = 1 + pick(8); k > 0; k--) {
          const row: ReadingRow = {
            device: `d${pick(6)}`, boot: 1, seq: 1 + pick(40), ts: timers.now(), tsSource: 'gateway', deviceTs: null,
            received: timers.now(), fields: '{"x":1}', bytes: 10 + pick(5), clockUntrusted: false,
          };
          const entry: { row: ReadingRow; outcome?: ReadingOutcome } = { row };
          batch.push(entry);
          store.committer.enqueue({ kind: 'reading', row, done: (o) => (entry.outcome = o) });
        }
        const pendingBefore = store.db.prepare('SELECT count(*) FROM device_deltas').pluck().get() as number;
        store.committer.flush();
        if (fail) {
          store.db.exec('DROP TRIGGER boom');
          failures++;
        }
        for (const { row, outcome } of batch) {
          if (outcome === 'failed') continue;
          const m = model.get(row.device) ?? { readings: 0, duplicates: 0, bytes: 0, lastSeen: 0 };
          if (outcome === 'stored') m.readings++;
          else if (outcome === 'duplicate') m.duplicates++;
          else assert.fail(`unexpected outcome ${outcome}`);
          m.bytes += row.bytes;
          m.lastSeen = Math.max(m.lastSeen, row.received);
          model.set(row.device, m);
        }
        const pendingAfter = store.db.prepare('SELECT count(*) FROM device_deltas').pluck().get() as number;
        if (!fail && pendingAfter < pendingBefore + 1) folds++;
      } else if (action < 9) {
        timers.advance(pick(400));
      } else {
        // A crash: the files as they are (the WAL holds every commit), opened by a new store.
        const crashed = tempDir();
        dirs.push(crashed);
        for (const f of ['sheetlog.db', 'sheetlog.db-wal']) copyFileSync(join(dir, f), join(crashed, f));
        store.close();
        dir = crashed;
        store = Store.open(dir, SETTINGS, timers);
        crashes++;
      }
      const seen = new Map(store.devices.list().map((d) => [d.id, { readings: d.readings, duplicates: d.duplicates, bytes: d.bytes, lastSeen: d.lastSeen ?? 0 }]));
      assert.deepEqual(seen, model, `step ${step}`);
    }
    assert.ok(crashes > 0 && failures > 0 && folds > 1, `the run covered crashes (${crashes}), failed commits (${failures}) and folds (${folds})`);
  });
}
