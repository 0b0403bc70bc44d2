import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMany, sendLineByLine } from '../firmware-sim/loadgen.js';
import { startSheetlog, UNBUDGETED_ENV } from './lib/servers.js';
import { cpuSecondsOf } from './lib/stats.js';

/*
 * npm run bench:fields [-- --quick]
 *
 * TCP ingest with 20 field rules (docs/FIELDS.md) and hourly summaries (docs/SUMMARIES.md) as a
 * ratio to the same run without either, in
 * alternating rounds (without, with, without, with, ...) so a change in the machine's load hits
 * both sides alike. Each run: a fresh gateway (durable group commits, as shipped), 100
 * connections, a write per reading, every reading ACKed. The load generator's readings carry
 * temp_c, humidity and battery: 17 rules for other fields and devices come first (every reading's
 * fields are matched past them), then a range and calibration for temp_c and humidity and a
 * counter rule for battery (constant, so never backwards: it exercises the counter check).
 * Besides readings per second, each run reports the gateway's CPU time (all threads) per reading
 * over the same window, which the machine's other load disturbs far less.
 */

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 5;
const CONNECTIONS = 100;
// A run lasts long enough for the summary job (every 5 s in the sync thread) to scan what came in
// at least once (--quick) or about three times: runs of one second never saw it, and their rounds
// spread from 0.7 to 1.0 on an idle machine.
const PER_CONNECTION = quick ? 5_000 : 10_000;
const ARGS = ['--log-level', 'warn', '--http-port', 'off'];

function rules(): unknown[] {
  const other = Array.from({ length: 17 }, (_, i) => ({ match: `other_${i}_*`, devices: i % 2 === 0 ? 'meter-*' : undefined, unit: 'x', min: 0, max: 1000 }));
  return [
    ...other,
    { match: 'temp_c', unit: '°C', scale: 1, offset: 0.5, decimals: 2, min: -40, max: 85 },
    { match: 'humidity', unit: '%', min: 0, max: 100 },
    { match: 'battery', unit: 'V', kind: 'counter' },
  ];
}

interface RunResult {
  /** Readings per second, from the first write to the last ACK. */
  rate: number;
  /** The gateway's CPU time (all threads) per reading in that window, in microseconds. */
  cpuUs: number;
}

async function run(configFile: string | null): Promise<RunResult> {
  // One connection sends 1,000 readings as fast as it can: the per-connection input budget lifted.
  const server = await startSheetlog(configFile === null ? ARGS : [...ARGS, '--config', configFile], UNBUDGETED_ENV);
  try {
    const conns = await openMany({ host: '127.0.0.1', port: server.port }, CONNECTIONS);
    await Promise.all(conns.map((c, i) => c.hello(`bench-${i}`, 1)));
    const done = Promise.all(conns.map((c) => c.acked(PER_CONNECTION)));
    const cpuBefore = cpuSecondsOf(server.pid);
    const start = performance.now();
    await Promise.all(conns.map((c) => sendLineByLine(c, PER_CONNECTION)));
    await done;
    const elapsed = performance.now() - start;
    const cpu = cpuSecondsOf(server.pid) - cpuBefore;
    conns.forEach((c) => c.close());
    const readings = CONNECTIONS * PER_CONNECTION;
    return { rate: (readings / elapsed) * 1000, cpuUs: (cpu / readings) * 1e6 };
  } finally {
    await server.stop();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

const dir = mkdtempSync(join(tmpdir(), 'bench-fields-'));
try {
  const configFile = join(dir, 'fields.json');
  writeFileSync(configFile, JSON.stringify({ fields: rules(), summaries: { periods: ['1h'] } }));
  const load = [loadavg()[0] as number];
  const off: RunResult[] = [];
  const on: RunResult[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const without = await run(null);
    const withRules = await run(configFile);
    off.push(without);
    on.push(withRules);
    load.push(loadavg()[0] as number);
    console.error(
      `round ${r + 1}: without ${fmt(without.rate)}/s (${without.cpuUs.toFixed(1)} µs CPU/reading), ` +
        `with 20 rules + 1h summaries ${fmt(withRules.rate)}/s (${withRules.cpuUs.toFixed(1)} µs), ratio ${(withRules.rate / without.rate).toFixed(2)}`,
    );
  }
  const ratios = on.map((x, i) => x.rate / (off[i] as RunResult).rate);
  const cpuRatios = on.map((x, i) => x.cpuUs / (off[i] as RunResult).cpuUs);
  const spread = (xs: number[]) => `**${median(xs).toFixed(2)}** (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)})`;
  console.log(
    `| ingest, 20 field rules + hourly summaries vs neither (${CONNECTIONS} connections, ${fmt(CONNECTIONS * PER_CONNECTION)} readings per run) ` +
      `| ${fmt(median(off.map((x) => x.rate)))} | ${fmt(median(on.map((x) => x.rate)))} | ${ratios.map((x) => x.toFixed(2)).join(', ')} | ${spread(ratios)} ` +
      `| ${median(off.map((x) => x.cpuUs)).toFixed(1)} → ${median(on.map((x) => x.cpuUs)).toFixed(1)} µs, ${spread(cpuRatios)} | ${load.map((x) => x.toFixed(1)).join(' → ')} | ≥ 0.9 |`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
