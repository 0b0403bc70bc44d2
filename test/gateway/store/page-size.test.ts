import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDatabase } from '../../../gateway/store/database.js';
import { FALLBACK_AUTOCHECKPOINT_BYTES } from '../../../gateway/store/checkpointer.js';
import { startTestApp, tempDir } from '../../helpers/app.js';

test('a new file gets store.pageSize and a file that exists keeps its own; the automatic checkpoint stays at the same WAL bytes', (t) => {
  const dir = tempDir();
  const small = openDatabase({ path: join(dir, 'small.db'), synchronous: 'FULL', busyTimeoutMs: 1000, pageSize: 1024 });
  t.after(() => small.close());
  assert.equal(small.pragma('page_size', { simple: true }), 1024);
  assert.equal(small.pragma('wal_autocheckpoint', { simple: true }), (1000 * 4096) / 1024);
  const fallback = openDatabase({ path: join(dir, 'small.db'), synchronous: 'FULL', busyTimeoutMs: 1000, autocheckpointBytes: FALLBACK_AUTOCHECKPOINT_BYTES });
  t.after(() => fallback.close());
  assert.equal(fallback.pragma('wal_autocheckpoint', { simple: true }), FALLBACK_AUTOCHECKPOINT_BYTES / 1024);

  const plain = openDatabase({ path: join(dir, 'plain.db'), synchronous: 'FULL', busyTimeoutMs: 1000 });
  assert.equal(plain.pragma('page_size', { simple: true }), 4096);
  plain.prepare("INSERT INTO meta (key, value) VALUES ('k', 'v')").run();
  plain.close();
  const reopened = openDatabase({ path: join(dir, 'plain.db'), synchronous: 'FULL', busyTimeoutMs: 1000, pageSize: 1024 });
  t.after(() => reopened.close());
  assert.equal(reopened.pragma('page_size', { simple: true }), 4096, 'an existing file is not rewritten');
  assert.equal(reopened.prepare("SELECT value FROM meta WHERE key = 'k'").pluck().get(), 'v');
  assert.equal(reopened.pragma('wal_autocheckpoint', { simple: true }), 1000);
});

test('the gateway creates its store with store.pageSize', async (t) => {
  const app = await startTestApp({ store: { pageSize: 1024 } });
  t.after(() => app.stop());
  assert.equal(app.app.store.db.pragma('page_size', { simple: true }), 1024);
});

test('a store moved to 1 KB pages as docs/OPERATIONS.md says (VACUUM INTO) keeps its readings and is back in WAL mode', (t) => {
  const dir = tempDir();
  const old = openDatabase({ path: join(dir, 'old.db'), synchronous: 'FULL', busyTimeoutMs: 1000 });
  old.prepare("INSERT INTO readings (device, boot, seq, ts, ts_source, received, fields, bytes) VALUES ('d1', 1, 7, 0, 'gateway', 0, '{}', 2)").run();
  old.pragma('page_size = 1024');
  old.exec(`VACUUM INTO '${join(dir, 'new.db')}'`);
  old.close();
  const moved = openDatabase({ path: join(dir, 'new.db'), synchronous: 'FULL', busyTimeoutMs: 1000 });
  t.after(() => moved.close());
  assert.equal(moved.pragma('page_size', { simple: true }), 1024);
  assert.equal(moved.pragma('journal_mode', { simple: true }), 'wal');
  assert.deepEqual(moved.prepare('SELECT device, seq FROM readings').all(), [{ device: 'd1', seq: 7 }]);
});
