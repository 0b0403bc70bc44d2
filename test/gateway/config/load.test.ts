import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, envToConfig, loadConfig } from '../../../gateway/config/load.js';
import { configSchema } from '../../../gateway/config/schema.js';
import { configReference } from '../../../gateway/cli/config-docs.js';
import { tempDir } from '../../helpers/app.js';

test('an empty configuration is complete: the documented defaults', () => {
  const c = loadConfig({});
  assert.equal(c.tcp.port, 8090);
  assert.equal(c.tcp.maxLineBytes, 512);
  assert.equal(c.tcp.maxConnections, 10000);
  assert.equal(c.tcp.helloTimeoutMs, 10000);
  assert.equal(c.tcp.idleTimeoutMs, 120000);
  assert.equal(c.dataDir, './data');
  assert.equal(c.store.synchronous, 'FULL');
  assert.equal(c.auth.mode, 'tofu');
});

test('precedence: defaults < file < environment < flags', () => {
  const dir = tempDir();
  const file = join(dir, 'c.json');
  writeFileSync(file, JSON.stringify({ tcp: { port: 1000, maxLineBytes: 1024 }, dataDir: '/from/file', auth: { mode: 'required' } }));
  const c = loadConfig({
    file,
    env: { SHEETLOG_PORT: '2000', SHEETLOG_STORE__COMMIT_DELAY_MS: '7', SHEETLOG_DATA_DIR: '/from/env', HOME: '/x' },
    flags: { tcp: { port: 3000 } },
  });
  assert.equal(c.tcp.port, 3000, 'flag wins');
  assert.equal(c.tcp.maxLineBytes, 1024, 'file value kept where nothing overrides it');
  assert.equal(c.dataDir, '/from/env', 'environment beats file');
  assert.equal(c.store.commitDelayMs, 7);
  assert.equal(c.auth.mode, 'required');
});

test('environment names map to nested keys; values parse as JSON when they can', () => {
  assert.deepEqual(envToConfig({ SHEETLOG_TCP__MAX_LINE_BYTES: '256', SHEETLOG_AUTH__MODE: 'off', SHEETLOG_LOG_LEVEL: 'warn', OTHER: '1' }), {
    tcp: { maxLineBytes: 256 },
    auth: { mode: 'off' },
    log: { level: 'warn' },
  });
});

test('SHEETLOG_* variables that name no key are ignored with a warning (the environment is shared)', () => {
  const warnings: string[] = [];
  const c = loadConfig({ env: { SHEETLOG_HOST_SPEED: '10', SHEETLOG_TCP__PROT: '1', SHEETLOG_PORT: '9100' }, onWarning: (m) => warnings.push(m) });
  assert.equal(c.tcp.port, 9100);
  assert.equal(warnings.length, 2);
  assert.match(warnings.join('\n'), /SHEETLOG_HOST_SPEED/);
  assert.match(warnings.join('\n'), /SHEETLOG_TCP__PROT/);
});

test('every problem is listed at once, with its key', () => {
  const dir = tempDir();
  const file = join(dir, 'c.json');
  writeFileSync(file, JSON.stringify({ tcp: { port: 70000, maxLineBytes: 'big' }, auth: { mode: 'maybe' }, colour: 'blue' }));
  try {
    loadConfig({ file, env: { SHEETLOG_STORE__SYNCHRONOUS: 'SOMETIMES' } });
    assert.fail('expected ConfigError');
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    const text = e.problems.join('\n');
    for (const key of ['tcp.port', 'tcp.maxLineBytes', 'auth.mode', 'store.synchronous', 'colour']) assert.match(text, new RegExp(key.replace('.', '\\.')));
    assert.ok(e.problems.length >= 5);
  }
});

test('store.pageSize takes a power of two from 512 to 65536', () => {
  assert.equal(loadConfig({}).store.pageSize, 4096);
  assert.equal(loadConfig({ env: { SHEETLOG_STORE__PAGE_SIZE: '1024' } }).store.pageSize, 1024);
  for (const bad of ['1000', '256', '131072']) {
    assert.throws(
      () => loadConfig({ env: { SHEETLOG_STORE__PAGE_SIZE: bad } }),
      (e: unknown) => e instanceof ConfigError && e.problems.some((p) => /store\.pageSize/.test(p)),
      bad,
    );
  }
});

test('a missing or malformed config file is a clear problem, not a crash', () => {
  assert.throws(() => loadConfig({ file: '/nonexistent/sheetlog.json' }), (e: unknown) => e instanceof ConfigError && /nonexistent/.test(e.message));
  const dir = tempDir();
  const file = join(dir, 'bad.json');
  writeFileSync(file, '{ not json');
  assert.throws(() => loadConfig({ file }), (e: unknown) => e instanceof ConfigError && /not valid JSON/.test(e.message));
});

test('the configuration reference lists every key with its default', () => {
  const doc = configReference();
  const defaults = configSchema.parse({});
  assert.match(doc, /\| `tcp\.port` \| `8090` \|/);
  assert.match(doc, /\| `store\.synchronous` \| `"FULL"` \|/);
  const count = (doc.match(/^\| `/gm) ?? []).length;
  const leaves = (o: object): number => Object.values(o).reduce((n: number, v) => n + (v && typeof v === 'object' && !Array.isArray(v) ? leaves(v) : 1), 0);
  assert.ok(count >= leaves(defaults), `${count} documented keys for ${leaves(defaults)} defaults`);
});
