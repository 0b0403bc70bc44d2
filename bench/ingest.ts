import { cpus } from 'node:os';
import { LoadConnection, openMany, paced, payloads, percentile, sendLineByLine } from '../firmware-sim/loadgen.js';
import { startBaseline, startSheetlog, type ServerUnderTest } from './lib/servers.js';

/*
 * npm run bench:ingest [-- --quick]
 *
 * Ingest throughput of sheetlog (durable group commits, synchronous=FULL, ACK after commit, auth)
 * next to a baseline measured in the same run with the same load generator: a plain `net` server
 * that splits lines and appends them to a file (no durability, no acknowledgements). Then ACK
 * latency at a steady offered rate, and the memory of 10,000 idle authenticated connections.
 */

const quick = process.argv.includes('--quick');
const TOTAL = quick ? 50_000 : 200_000;
const REPEATS = quick ? 1 : 3;
const CONNECTION_POINTS = [1, 100, 1000];
const LATENCY_RATE = 20_000;
const LATENCY_CONNECTIONS = 100;
const LATENCY_SECONDS = quick ? 3 : 10;
const IDLE_CONNECTIONS = quick ? 2_000 : 10_000;
const target = (s: ServerUnderTest) => ({ host: '127.0.0.1', port: s.port });
const SHEETLOG_ARGS = ['--log-level', 'warn', '--http-port', 'off'];

/**
 * Readings per second pushed down `n` connections into a fresh server. `line` mode writes every
 * reading on its own, as boards do; `bulk` mode writes each connection's readings as one buffer.
 */
async function throughputRun(kind: 'baseline' | 'sheetlog', mode: Mode, n: number, perConn: number): Promise<number> {
  const server = kind === 'baseline' ? await startBaseline() : await startSheetlog(SHEETLOG_ARGS);
  try {
    const conns = await openMany(target(server), n);
    if (kind === 'sheetlog') await Promise.all(conns.map((c, i) => c.hello(`bench-${i}`, 1)));
    const data = mode === 'bulk' ? payloads(n, perConn) : [];
    const done =
      kind === 'baseline' ? server.expect!(n * perConn) : Promise.all(conns.map((c) => c.acked(perConn)));
    const start = performance.now();
    if (mode === 'bulk') conns.forEach((c, i) => c.write(data[i] as Buffer));
    else await Promise.all(conns.map((c) => sendLineByLine(c, perConn)));
    await done;
    const elapsed = performance.now() - start;
    conns.forEach((c) => c.close());
    return ((n * perConn) / elapsed) * 1000;
  } finally {
    await server.stop();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

type Mode = 'line' | 'bulk';
interface ThroughputRow {
  mode: Mode;
  n: number;
  baseline: number;
  sheetlog: number;
  ratio: number;
}

async function throughput(mode: Mode): Promise<ThroughputRow[]> {
  const rows: ThroughputRow[] = [];
  for (const n of CONNECTION_POINTS) {
    const perConn = Math.floor(TOTAL / n);
    const base: number[] = [];
    const ours: number[] = [];
    // Alternate the two so a burst of background load hits both alike.
    for (let r = 0; r < REPEATS; r++) {
      base.push(await throughputRun('baseline', mode, n, perConn));
      ours.push(await throughputRun('sheetlog', mode, n, perConn));
    }
    const row = { mode, n, baseline: median(base), sheetlog: median(ours), ratio: median(ours) / median(base) };
    console.error(`  ${mode}, ${n} connections: baseline ${fmt(row.baseline)}/s, sheetlog ${fmt(row.sheetlog)}/s, ratio ${row.ratio.toFixed(2)}`);
    rows.push(row);
  }
  return rows;
}

/**
 * ACK latency in three setups, each a fresh gateway: the HTTP API off (the throughput runs' setup),
 * sheetlog's defaults (HTTP API on, the CSV sink syncing in its own thread), and the defaults with
 * the sinks on the main event loop (`sync.thread: false`, how the gateway ran before the thread).
 */
const LATENCY_SETUPS: { name: string; args: string[]; env?: NodeJS.ProcessEnv }[] = [
  { name: 'HTTP API off; CSV sink syncing (sync thread)', args: SHEETLOG_ARGS },
  { name: 'defaults: HTTP API on, CSV sink syncing (sync thread)', args: ['--log-level', 'warn'] },
  { name: 'defaults, but `sync.thread: false` (sinks on the ingest event loop)', args: ['--log-level', 'warn'], env: { SHEETLOG_SYNC__THREAD: 'false' } },
];

async function latency(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ sent: number; p50: number; p99: number; max: number }> {
  const server = await startSheetlog(args, env);
  try {
    const conns = await openMany(target(server), LATENCY_CONNECTIONS);
    await Promise.all(conns.map((c, i) => c.hello(`lat-${i}`, 1)));
    const r = await paced(conns, LATENCY_RATE, LATENCY_SECONDS * 1000);
    conns.forEach((c) => c.close());
    const sorted = Float64Array.from(r.latenciesMs).sort();
    return { sent: r.sent, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] as number };
  } finally {
    await server.stop();
  }
}

async function idle(): Promise<{ connections: number; sheetlogMb: number; sheetlogEmptyMb: number; baselineMb: number }> {
  const measure = async (server: ServerUnderTest, hello: boolean) => {
    const empty = server.rssMb();
    const conns: LoadConnection[] = await openMany(target(server), IDLE_CONNECTIONS);
    if (hello) await Promise.all(conns.map((c, i) => c.hello(`idle-${i}`, 1)));
    // Let the server settle (commits of the registrations, socket buffers), then read its RSS.
    await new Promise((r) => setTimeout(r, 1000));
    const rss = server.rssMb();
    conns.forEach((c) => c.close());
    return { empty, rss };
  };
  const ours = await startSheetlog(SHEETLOG_ARGS);
  const a = await measure(ours, true).finally(() => ours.stop());
  const base = await startBaseline();
  const b = await measure(base, false).finally(() => base.stop());
  return { connections: IDLE_CONNECTIONS, sheetlogMb: a.rss, sheetlogEmptyMb: a.empty, baselineMb: b.rss };
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

async function main(): Promise<void> {
  console.error(`bench:ingest on ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}${quick ? ', quick' : ''}`);
  console.error(`throughput: ${fmt(TOTAL)} readings per point, median of ${REPEATS}`);
  const tp = [...(await throughput('line')), ...(await throughput('bulk'))];
  console.error(`ACK latency at ${fmt(LATENCY_RATE)} readings/s over ${LATENCY_CONNECTIONS} connections for ${LATENCY_SECONDS} s`);
  const lats = [];
  for (const setup of LATENCY_SETUPS) {
    const lat = { ...setup, ...(await latency(setup.args, setup.env)) };
    console.error(`  ${setup.name}: p50 ${lat.p50.toFixed(2)} ms, p99 ${lat.p99.toFixed(2)} ms, max ${lat.max.toFixed(2)} ms`);
    lats.push(lat);
  }
  console.error(`idle: ${fmt(IDLE_CONNECTIONS)} authenticated connections`);
  const mem = await idle();
  console.error(`  sheetlog RSS ${mem.sheetlogMb.toFixed(0)} MB (empty ${mem.sheetlogEmptyMb.toFixed(0)} MB), baseline ${mem.baselineMb.toFixed(0)} MB`);

  const lines = [
    '| sending | connections | baseline (lines/s) | sheetlog (readings/s, durable + ACK) | ratio | target |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...tp.map((r) => `| ${r.mode === 'line' ? 'a write per reading' : 'one buffer per connection'} | ${fmt(r.n)} | ${fmt(r.baseline)} | ${fmt(r.sheetlog)} | ${r.ratio.toFixed(2)} | ≥ 0.60 |`),
    '',
    `| ACK latency at ${fmt(LATENCY_RATE)}/s offered (${fmt(lats[0]?.sent ?? 0)} readings), write → ACK received | p50 | p99 | max | target |`,
    '| --- | ---: | ---: | ---: | ---: |',
    ...lats.map((l) => `| ${l.name} | ${l.p50.toFixed(2)} ms | ${l.p99.toFixed(2)} ms | ${l.max.toFixed(2)} ms | p99 ≤ 20 ms |`),
    '',
    `| ${fmt(mem.connections)} idle connections | RSS | target |`,
    '| --- | ---: | ---: |',
    `| sheetlog, authenticated (empty: ${mem.sheetlogEmptyMb.toFixed(0)} MB) | ${mem.sheetlogMb.toFixed(0)} MB | ≤ 250 MB |`,
    `| baseline, connected | ${mem.baselineMb.toFixed(0)} MB | |`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
