import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { REPO_ROOT } from '../helpers/gateway-process.js';

test('package.json allows the install scripts the gateway cannot run without (npm allowScripts)', () => {
  const pkg = JSON.parse(readFileSync(`${REPO_ROOT}package.json`, 'utf8')) as { allowScripts?: Record<string, boolean> };
  // better-sqlite3 builds its native binding; esbuild fetches the compiler binary tsx runs on.
  assert.deepEqual(pkg.allowScripts, { 'better-sqlite3': true, esbuild: true });
});
