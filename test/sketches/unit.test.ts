/**
 * C++ unit tests of the SheetlogClient library (test/sketches/cpp/*.cpp): ring buffer, backoff,
 * time sync, millis rollover, line framing/parsing/building and the protocol session. Compiled
 * once with g++, run once; every C++ TEST becomes a subtest here.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

import { buildUnitTests } from './helpers/build.js';

const run = promisify(execFile);

interface CaseResult {
  ok: boolean;
  details: string[];
}

function parse(output: string): Map<string, CaseResult> {
  const results = new Map<string, CaseResult>();
  let current: CaseResult | undefined;
  for (const line of output.split('\n')) {
    const m = /^(ok|not ok) (\w+)$/.exec(line);
    if (m) {
      current = { ok: m[1] === 'ok', details: [] };
      results.set(m[2] as string, current);
    } else if (line.startsWith('  # ') && current) {
      current.details.push(line.slice(4));
    }
  }
  return results;
}

const dir = mkdtempSync(join(tmpdir(), 'sheetlog-unit-'));
let results = new Map<string, CaseResult>();
let warnings: string[] = [];

before(async () => {
  const built = await buildUnitTests(dir);
  warnings = built.warnings;
  // The runner exits 1 when a case fails; the per-case results are still on stdout.
  const out = await run(built.binary, [], { timeout: 60_000 }).catch((e: { stdout?: string }) => ({
    stdout: e.stdout ?? '',
  }));
  results = parse(out.stdout);
});

after(() => rmSync(dir, { recursive: true, force: true }));

describe('SheetlogClient C++ unit tests', () => {
  it('compiles the library as C++11 without warnings', () => {
    assert.deepEqual(warnings, []);
  });

  it('runs every case', () => {
    assert.ok(results.size >= 40, `only ${results.size} C++ cases reported`);
  });

  const groups = ['ring', 'backoff', 'timesync', 'millis', 'periodic', 'energy', 'linereader', 'replies', 'lines', 'decimal', 'fieldwriter', 'session', 'retained'];
  for (const group of groups) {
    it(`${group}: all cases pass`, () => {
      const mine = [...results].filter(([name]) => name.startsWith(`${group}_`));
      assert.ok(mine.length > 0, `no C++ cases named ${group}_*`);
      const failed = mine.filter(([, r]) => !r.ok).map(([name, r]) => `${name}: ${r.details.join('; ')}`);
      assert.deepEqual(failed, []);
    });
  }
});
