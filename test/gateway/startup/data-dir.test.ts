import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Stats } from 'node:fs';
import { checkDataDir, type DirFs } from '../../../gateway/startup/data-dir.js';
import { StartupError } from '../../../gateway/startup/errors.js';

const dir = { isDirectory: () => true } as Stats;
const file = { isDirectory: () => false } as Stats;

/** A file system of known paths; `denied` maps a path to the errno its write check fails with. */
function fakeFs(paths: Record<string, Stats>, denied: Record<string, string> = {}): DirFs & { checked: string[] } {
  const checked: string[] = [];
  return {
    checked,
    stat: (p) => paths[p] ?? null,
    checkWritable: (p) => {
      checked.push(p);
      const code = denied[p];
      if (code) throw Object.assign(new Error(code), { code });
    },
  };
}

function refusal(fn: () => void): StartupError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof StartupError);
    return e;
  }
  assert.fail('expected a StartupError');
}

test('a missing data directory is checked where it would be created', () => {
  const fs = fakeFs({ '/': dir, '/srv': dir });
  checkDataDir('/srv/sheetlog/data', 'sheetlog.db', fs);
  assert.deepEqual(fs.checked, ['/srv']);
});

test('a read-only file system refuses even root: DATA_DIR_NOT_WRITABLE, exit 3, with the path', () => {
  const e = refusal(() => checkDataDir('/mnt/ro/data', 'sheetlog.db', fakeFs({ '/': dir, '/mnt': dir, '/mnt/ro': dir }, { '/mnt/ro': 'EROFS' })));
  assert.equal(e.code, 'DATA_DIR_NOT_WRITABLE');
  assert.equal(e.exitCode, 3);
  assert.match(e.message, /^data directory \/mnt\/ro\/data cannot be created in \/mnt\/ro \(read-only file system: EROFS\); give the user running sheetlog write access to \/mnt\/ro/);
});

test('an existing directory, or its store file, that is not writable', () => {
  const e = refusal(() => checkDataDir('/d', 'sheetlog.db', fakeFs({ '/': dir, '/d': dir }, { '/d': 'EACCES' })));
  assert.match(e.message, /^data directory \/d is not writable \(permission denied: EACCES\)/);
  const db = refusal(() => checkDataDir('/d', 'sheetlog.db', fakeFs({ '/': dir, '/d': dir, '/d/sheetlog.db': file }, { '/d/sheetlog.db': 'EACCES' })));
  assert.match(db.message, /holds sheetlog\.db, which is not writable/);
});

test('a file where the directory or one of its parents should be: DATA_DIR_NOT_DIRECTORY', () => {
  const self = refusal(() => checkDataDir('/d', 'sheetlog.db', fakeFs({ '/': dir, '/d': file })));
  assert.equal(self.code, 'DATA_DIR_NOT_DIRECTORY');
  assert.match(self.message, /^data directory \/d is a file, not a directory/);
  const parent = refusal(() => checkDataDir('/f/a/b', 'sheetlog.db', fakeFs({ '/': dir, '/f': file })));
  assert.match(parent.message, /^data directory \/f\/a\/b cannot be created: \/f is a file, not a directory/);
});
