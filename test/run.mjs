// `npm test`: every test file under test/, two at a time, the slowest first, then the rest in name
// order. Run as `node --import tsx test/run.mjs` (the files inherit the TypeScript loader).
//
// `node --test` sorts the files it is given by name, so the slowest file (the sketches in the field,
// about 50 s) started last and ran alone for its last 40 s while the other slot had nothing left.
// Node's `run()` keeps the order it is given: started first, the long files overlap with each other
// and the many short ones fill the gaps at the end. The list is by measured wall time (a fresh
// checkout on the 2-core machine); a listed file that is missing is skipped, a new file runs in name
// order after these. Arguments pick files by a part of their path. Any failed or cancelled test makes the exit status 1.
import { readdirSync } from 'node:fs';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Files that take 10 s or more, slowest first (seconds measured beside each). */
const SLOWEST_FIRST = [
  'test/sketches/field.test.ts', // 49
  'test/gateway/api/dashboard.browser.test.ts', // 46
  'test/gateway/sync/sheets-crash.test.ts', // 31
  'test/firmware-sim/fleet-mqtt-gateway.test.ts', // 25
  'test/gateway/lifecycle/crash.test.ts', // 24
  'test/firmware-sim/fleet-gateway.test.ts', // 22
  'test/gateway/sync/sheets-e2e.test.ts', // 20
  'test/sketches/esp8266-mqtt-logger.test.ts', // 18
  'test/sketches/esp8266-logger.test.ts', // 18
  'test/sketches/energy-counter.test.ts', // 17
  'test/gateway/cli/devices-cli.test.ts', // 16
  'test/gateway/ingest/mqtt/mosquitto.test.ts', // 14
  'test/gateway/cli/read-only.test.ts', // 13
  'test/sketches/esp8266-tls.test.ts', // 13
  'test/gateway/cli/send.test.ts', // 12
  'test/sketches/feather-m0-logger.test.ts', // 12
  'test/gateway/cli/quarantine-cli.test.ts', // 10
  'test/gateway/api/bill-panel.browser.test.ts', // 10
  'test/firmware-sim/cli.test.ts', // 10
  'test/gateway/api/cross-origin.browser.test.ts', // 10
];

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : testFiles(path);
    return entry.name.endsWith('.test.ts') ? [relative(ROOT, path).split('\\').join('/')] : [];
  });
}

const all = testFiles(join(ROOT, 'test')).sort();
const present = new Set(all);
const first = SLOWEST_FIRST.filter((f) => present.has(f));
const rest = all.filter((f) => !first.includes(f));
// `npm test -- sketches docs/`: only the files whose path contains one of the arguments.
const only = process.argv.slice(2);
const files = [...first, ...rest].filter((f) => only.length === 0 || only.some((o) => f.includes(o))).map((f) => join(ROOT, f));

const stream = run({ files, concurrency: 2, timeout: 600_000 });
stream.on('test:fail', () => {
  process.exitCode = 1;
});
stream.compose(spec).pipe(process.stdout);
