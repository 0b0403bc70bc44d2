import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../helpers/app.js';
import { REPO_ROOT, runCli } from '../../helpers/gateway-process.js';

test('read-only commands never create a store: a missing one is STORE_MISSING, exit 3', async (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const typo = join(dir, 'dtaa');
  for (const args of [['devices', 'list'], ['devices', 'list', '--json'], ['devices', 'revoke', 'x']]) {
    const r = await runCli([...args, '--data', typo]);
    assert.equal(r.code, 3, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, new RegExp(`^sheetlog: no store in data directory ${typo} \\(${join(typo, 'sheetlog.db')} does not exist\\): check --data`));
  }
  const check = await runCli(['auth', 'check', '--data', typo]);
  assert.equal(check.code, 1);
  assert.ok(!existsSync(typo), 'nothing was created');
});

test('a refused devices add creates nothing; a good one creates the store', async (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const data = join(dir, 'data');
  const bad = await runCli(['devices', 'add', 'bad id!', '--data', data]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^sheetlog: DEVICE_ID_INVALID: /);
  assert.ok(!existsSync(data));
  const good = await runCli(['devices', 'add', 'good-1', '--data', data]);
  assert.equal(good.code, 0, good.stderr);
  assert.ok(existsSync(join(data, 'sheetlog.db')));
});

test('usage errors exit 2 in every command; --version prints the version', async () => {
  for (const args of [['devices', 'add'], ['devices', 'revoke'], ['devices', 'list', '--nope'], ['auth', 'check', '--nope'], ['config', '--nope'], ['nope']]) {
    const r = await runCli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
  }
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  for (const flag of ['--version', '-V']) {
    const v = await runCli([flag]);
    assert.equal(v.code, 0);
    assert.equal(v.stdout, `${pkg.version}\n`);
  }
});
