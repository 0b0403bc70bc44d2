import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The import rules of docs/ARCHITECTURE.md, enforced: each top-level folder of gateway/ may import
 * only the folders listed here (and itself). `root` is gateway/*.ts (app.ts, main.ts, log.ts,
 * events.ts, report.ts); app.ts is the composition root and may import anything. Apart from the
 * composition folders (`*`) the rules form no cycle: the second test keeps it so.
 */
const ALLOWED: Record<string, readonly string[] | '*'> = {
  errors: [],
  time: [],
  threads: [],
  protocol: ['errors'],
  fields: ['config', 'protocol'],
  config: ['time', 'errors'],
  store: ['errors', 'time', 'config', 'fields', 'threads'],
  ingest: ['protocol', 'store', 'time', 'config', 'errors', 'fields', 'root'],
  sinks: ['store', 'time', 'config', 'errors', 'fields', 'root', 'protocol', 'summaries', 'billing'],
  // One way: billing → summaries → the leaves; the sinks write both tables, so only sinks/ imports them.
  summaries: ['store', 'time', 'config', 'errors', 'fields', 'root'],
  billing: ['store', 'time', 'config', 'errors', 'fields', 'root', 'summaries'],
  sync: ['store', 'time', 'config', 'errors', 'root', 'threads', 'sinks:contract'],
  api: ['protocol', 'store', 'time', 'config', 'errors', 'fields', 'root', 'ingest', 'sinks', 'sync', 'summaries', 'billing'],
  startup: ['config', 'errors', 'store', 'sinks', 'root'],
  cli: '*',
  root: '*',
};

/**
 * The files of sinks/ that may import the raw database (store/database.ts): the jobs' deps in the
 * contract and the summary writers (they write the summaries' own tables). A sink reaches SQLite
 * only through the store's state port (store/sink-state/).
 */
const SINKS_WITH_DB = new Set(['sinks/contract.ts', 'sinks/csv/summary-file.ts', 'sinks/google-sheets/summary-tab.ts']);

/** The files of sinks/ that sync/ may import: the contract, nothing of any sink. */
const SINK_CONTRACT = /^sinks\/(contract|outcomes)\.ts$/;

const GATEWAY = resolve(dirname(fileURLToPath(import.meta.url)), '../../gateway');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

function folderOf(rel: string): string {
  return rel.includes('/') ? (rel.split('/')[0] as string) : 'root';
}

test('each gateway folder imports only what docs/ARCHITECTURE.md allows', () => {
  const broken: string[] = [];
  for (const file of tsFiles(GATEWAY)) {
    const from = relative(GATEWAY, file);
    const folder = folderOf(from);
    const allowed = ALLOWED[folder];
    assert.ok(allowed, `gateway/${folder} is not in the import rules: add it to this test and docs/ARCHITECTURE.md`);
    if (allowed === '*') continue;
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
      const target = relative(GATEWAY, resolve(dirname(file), (m[1] as string).replace(/\.js$/, '.ts')));
      const to = folderOf(target);
      if (to === folder) continue;
      const ok = allowed.includes(to) || (to === 'sinks' && allowed.includes('sinks:contract') && SINK_CONTRACT.test(target));
      if (!ok) broken.push(`gateway/${from} imports gateway/${target}`);
    }
  }
  assert.deepEqual(broken, []);
});

test('the import rules have no cycle between folders (composition folders aside)', () => {
  // A cycle in the rules would let two folders import each other again (summaries and sinks did).
  const edges = (folder: string): string[] => {
    const allowed = ALLOWED[folder];
    if (allowed === undefined || allowed === '*') return [];
    return allowed.map((to) => to.split(':')[0] as string).filter((to) => ALLOWED[to] !== '*');
  };
  const cycles: string[] = [];
  const walk = (path: string[]): void => {
    for (const to of edges(path[path.length - 1] as string)) {
      if (to === path[0]) cycles.push([...path, to].join(' → '));
      else if (!path.includes(to) && to > (path[0] as string)) walk([...path, to]);
    }
  };
  for (const folder of Object.keys(ALLOWED)) walk([folder]);
  assert.deepEqual(cycles, []);
});

test('sinks reach SQLite through the state port, never the raw database', () => {
  const broken: string[] = [];
  for (const file of tsFiles(join(GATEWAY, 'sinks'))) {
    const from = relative(GATEWAY, file);
    if (SINKS_WITH_DB.has(from)) continue;
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
      const target = relative(GATEWAY, resolve(dirname(file), (m[1] as string).replace(/\.js$/, '.ts')));
      if (target === 'store/database.ts' || target === 'store/schema.ts') broken.push(`gateway/${from} imports gateway/${target}`);
    }
  }
  assert.deepEqual(broken, []);
});
