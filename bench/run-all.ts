import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * npm run bench: every benchmark in turn, each printing its figures next to the baseline it
 * measured in the same run. Results go to stdout as markdown tables, progress to stderr.
 */
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BENCHES = ['ingest', 'mqtt', 'dashboard', 'sync', 'flood', 'commit-pages', 'queries', 'retention'];
const extra = process.argv.slice(2);
let failed = 0;
for (const name of BENCHES) {
  const file = `bench/${name}.ts`;
  if (!existsSync(`${ROOT}${file}`)) continue;
  process.stdout.write(`\n## ${name}\n\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', file, ...extra], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    process.stderr.write(`bench ${name} failed (exit ${r.status})\n`);
  }
}
process.exit(failed === 0 ? 0 : 1);
