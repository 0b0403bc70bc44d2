import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../../helpers/gateway-process.js';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

test('gateway/sync imports nothing from gateway/sinks but the contract (sinks come from a factory)', () => {
  const offenders: string[] = [];
  for (const file of sources(join(REPO_ROOT, 'gateway', 'sync'))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)) {
      const spec = m[1] as string;
      if (/\/sinks\//.test(spec) && !spec.endsWith('/sinks/contract.js')) offenders.push(`${relative(REPO_ROOT, file)} imports ${spec}`);
    }
  }
  assert.deepEqual(offenders, []);
});
