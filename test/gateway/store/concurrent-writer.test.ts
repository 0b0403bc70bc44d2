import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { configSchema } from '../../../gateway/config/schema.js';
import type { RegisterOutcome } from '../../../gateway/store/ops.js';
import { Store } from '../../../gateway/store/store.js';
import { systemTimers } from '../../../gateway/time/timers.js';
import { tempDir } from '../../helpers/app.js';

/**
 * The sync thread writes through its own connection. A group commit begins by reading (is the
 * device known? the boot's highest seq?), so as a deferred transaction it failed at its first write
 * whenever another connection held the lock or had committed since its read (SQLITE_BUSY /
 * SQLITE_BUSY_SNAPSHOT, without waiting): boards saw ERR INTERNAL. It must wait for the lock.
 */
test('a group commit waits for another connection holding the write lock instead of failing', async (t) => {
  const dir = tempDir();
  const config = configSchema.parse({ dataDir: dir });
  const store = Store.open(dir, config.store, systemTimers);
  t.after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const holder = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const Database = require(workerData.sqlite);
     const db = new Database(workerData.file);
     db.pragma('busy_timeout = 5000');
     db.exec('BEGIN IMMEDIATE');
     db.prepare("INSERT INTO sink_cursors (sink, last_id, updated_at) VALUES ('csv', 0, 0)").run();
     parentPort.postMessage('locked');
     setTimeout(() => { db.exec('COMMIT'); db.close(); parentPort.postMessage('released'); }, 300);`,
    { eval: true, workerData: { sqlite: createRequire(import.meta.url).resolve('better-sqlite3'), file: join(dir, config.store.file) } },
  );
  t.after(() => holder.terminate());
  assert.equal((await once(holder, 'message'))[0], 'locked');
  const released = once(holder, 'message');
  let outcome: RegisterOutcome | null = null;
  const started = Date.now();
  store.committer.enqueue({ kind: 'register', device: 'd1', token: 'tok', origin: 'tofu', at: 1, done: (o) => (outcome = o) });
  store.committer.flush();
  assert.equal(outcome, 'registered', 'committed once the other connection let go, not failed');
  assert.ok(Date.now() - started >= 250, 'it waited for the lock');
  assert.equal((await released)[0], 'released');
  assert.equal(store.cursors.get('csv'), 0);
});
