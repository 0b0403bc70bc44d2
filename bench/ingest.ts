import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { LoadConnection, openMany, paced, payloads, percentile, sendLineByLine } from '../firmware-sim/loadgen.js';
import { writeBytesOf } from './lib/proc-io.js';
import { startBaseline, startSheetlog, type ServerUnderTest } from './lib/servers.js';

/*
 * npm run bench:ingest [-- --quick]
 *
 * Ingest throughput of sheetlog (durable group commits, synchronous=FULL, ACK after commit, auth)
 * next to two references measured in the same run: a plain `net` server that splits lines and
 * appends them to a file (no durability, no acknowledgements; same load generator), and raw
 * better-sqlite3 inserting the same rows into the gateway's schema in large transactions
 * (bench/raw-sqlite.ts). Then ACK latency at a fixed offered rate for 1, 100 and 1,000 boards with
 * the defaults (HTTP API and dashboard on, CSV sink syncing) and with store.writerThread on, with
 * the bytes written per reading (/proc/<pid>/io), and the memory of 10,000 idle connections.
 * Every section prints the load average: the machine is shared.
 */

const quick = process.argv.includes('--quick');
const TOTAL = quick ? 50_000 : 200_000;
const REPEATS = quick ? 1 : 3;
const CONNECTION_POINTS = [1, 100, 1000];
const LATENCY_RATE = 20_000;
const LATENCY_BOARDS = [1, 100, 1000];
const RAW_ROWS_PER_TRANSACTION = 20_000;
const SYNCHRONOUS = 'FULL';
const LATENCY_SECONDS = quick ? 3 : 10;
const IDLE_CONNECTIONS = quick ? 2_000 : 10_000;
const target = (s: ServerUnderTest) => ({ host: '127.0.0.1', port: s.port });
const SHEETLOG_ARGS = ['--log-level', 'warn', '--http-port', 'off'];
/** The defaults, HTTP API and dashboard on (on a free port: a second gateway on the machine must not matter). */
const DEFAULT_ARGS = ['--log-level', 'warn', '--http-port', '0'];

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
  spread: string;
  /** Raw better-sqlite3 rows/s, same rows spread over `n` devices (bulk mode only). */
  raw?: number;
  rawBytesPerRow?: number;
}

/** The raw better-sqlite3 reference in its own process (bench/raw-sqlite.ts). */
function rawSqlite(rows: number, devices: number): { rowsPerSecond: number; bytesPerRow: number } {
  const script = fileURLToPath(new URL('./raw-sqlite.ts', import.meta.url));
  const out = execFileSync(process.execPath, ['--import', 'tsx', script, String(rows), String(devices), SYNCHRONOUS, String(RAW_ROWS_PER_TRANSACTION)], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop() as string) as { rowsPerSecond: number; bytesPerRow: number };
}

async function throughput(mode: Mode): Promise<ThroughputRow[]> {
  const rows: ThroughputRow[] = [];
  for (const n of CONNECTION_POINTS) {
    const perConn = Math.floor(TOTAL / n);
    const base: number[] = [];
    const ours: number[] = [];
    const raw: number[] = [];
    const rawBytes: number[] = [];
    // Alternate the references and sheetlog so a burst of background load hits all alike.
    for (let r = 0; r < REPEATS; r++) {
      base.push(await throughputRun('baseline', mode, n, perConn));
      if (mode === 'bulk') {
        const x = rawSqlite(n * perConn, n);
        raw.push(x.rowsPerSecond);
        rawBytes.push(x.bytesPerRow);
      }
      ours.push(await throughputRun('sheetlog', mode, n, perConn));
    }
    const row: ThroughputRow = { mode, n, baseline: median(base), sheetlog: median(ours), ratio: median(ours) / median(base), spread: ours.map(fmt).join(', ') };
    if (mode === 'bulk') {
      row.raw = median(raw);
      row.rawBytesPerRow = median(rawBytes);
    }
    console.error(
      `  ${mode}, ${n} connections: baseline ${fmt(row.baseline)}/s, sheetlog ${fmt(row.sheetlog)}/s (${row.spread}), ratio ${row.ratio.toFixed(2)}` +
        (row.raw !== undefined ? `; raw SQLite ${fmt(row.raw)} rows/s (${raw.map(fmt).join(', ')}), sheetlog/raw ${(row.sheetlog / row.raw).toFixed(2)}` : '') +
        `; load ${load()}`,
    );
    rows.push(row);
  }
  return rows;
}

function load(): string {
  return loadavg().map((l) => l.toFixed(1)).join(' ');
}

/**
 * ACK latency at a fixed offered rate: a fresh gateway per point with its defaults (HTTP API and
 * dashboard on a free port, the CSV sink syncing in its own thread, commits on the ingest event
 * loop), and the same with `store.writerThread: true` (commits in the writer thread), alternating. Also the
 * bytes the gateway process (all threads: SQLite WAL, checkpoints, CSV files) wrote per reading.
 */
const LATENCY_SETUPS: { name: string; env: NodeJS.ProcessEnv }[] = [
  { name: 'defaults (commits on the ingest event loop)', env: {} },
  { name: 'store.writerThread: true', env: { SHEETLOG_STORE__WRITER_THREAD: 'true' } },
];

interface LatencyResult {
  sent: number;
  p50: number;
  p99: number;
  max: number;
  bytesPerReading: number;
}

async function latency(boards: number, env: NodeJS.ProcessEnv): Promise<LatencyResult> {
  const server = await startSheetlog(DEFAULT_ARGS, env);
  try {
    const conns = await openMany(target(server), boards);
    await Promise.all(conns.map((c, i) => c.hello(`lat-${i}`, 1)));
    const before = writeBytesOf(server.pid);
    const r = await paced(conns, LATENCY_RATE, LATENCY_SECONDS * 1000);
    const written = writeBytesOf(server.pid) - before;
    conns.forEach((c) => c.close());
    const sorted = Float64Array.from(r.latenciesMs).sort();
    return { sent: r.sent, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] as number, bytesPerReading: written / r.sent };
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
  console.error(`bench:ingest on ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}${quick ? ', quick' : ''}; load average ${load()}`);
  console.error(`throughput: ${fmt(TOTAL)} readings per point, median of ${REPEATS}`);
  const tp = [...(await throughput('line')), ...(await throughput('bulk'))];
  console.error(`ACK latency at ${fmt(LATENCY_RATE)} readings/s for ${LATENCY_SECONDS} s, median of ${REPEATS} rounds`);
  const lats: { boards: number; setup: string; runs: LatencyResult[]; load: string }[] = [];
  for (const boards of LATENCY_BOARDS) {
    const runs = LATENCY_SETUPS.map(() => [] as LatencyResult[]);
    for (let r = 0; r < REPEATS; r++) {
      for (const [k, setup] of LATENCY_SETUPS.entries()) (runs[k] as LatencyResult[]).push(await latency(boards, setup.env));
    }
    for (const [k, setup] of LATENCY_SETUPS.entries()) {
      const rs = runs[k] as LatencyResult[];
      const row = { boards, setup: setup.name, runs: rs, load: load() };
      console.error(`  ${boards} boards, ${setup.name}: p50 ${rs.map((x) => x.p50.toFixed(1)).join('/')} ms, p99 ${rs.map((x) => x.p99.toFixed(1)).join('/')} ms, ${rs.map((x) => fmt(x.bytesPerReading)).join('/')} B/reading; load ${row.load}`);
      lats.push(row);
    }
  }
  console.error(`idle: ${fmt(IDLE_CONNECTIONS)} authenticated connections`);
  const mem = await idle();
  console.error(`  sheetlog RSS ${mem.sheetlogMb.toFixed(0)} MB (empty ${mem.sheetlogEmptyMb.toFixed(0)} MB), baseline ${mem.baselineMb.toFixed(0)} MB; load ${load()}`);

  const med = (rs: LatencyResult[], f: (x: LatencyResult) => number) => median(rs.map(f));
  const spread = (rs: LatencyResult[], f: (x: LatencyResult) => number, d = 1) => rs.map((x) => f(x).toFixed(d)).join(', ');
  const bulk = tp.filter((r) => r.mode === 'bulk');
  const lines = [
    '| sending | connections | plain Node (lines/s) | sheetlog (readings/s, durable + ACK; runs) | sheetlog / plain Node |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...tp.map((r) => `| ${r.mode === 'line' ? 'a write per reading' : 'one buffer per connection'} | ${fmt(r.n)} | ${fmt(r.baseline)} | ${fmt(r.sheetlog)} (${r.spread}) | ${r.ratio.toFixed(2)} |`),
    '',
    `| bulk, connections | raw better-sqlite3 (rows/s, ${SYNCHRONOUS}, ${fmt(RAW_ROWS_PER_TRANSACTION)} rows per transaction) | raw bytes written per row | sheetlog (readings/s) | sheetlog / raw | target |`,
    '| ---: | ---: | ---: | ---: | ---: | ---: |',
    ...bulk.map((r) => `| ${fmt(r.n)} | ${fmt(r.raw ?? 0)} | ${fmt(r.rawBytesPerRow ?? 0)} B | ${fmt(r.sheetlog)} | ${(r.sheetlog / (r.raw ?? 1)).toFixed(2)} | ≥ 0.80 |`),
    '',
    `| ACK latency at ${fmt(LATENCY_RATE)}/s offered, ${LATENCY_SECONDS} s, write → ACK received | boards | p50 (median; runs) | p99 (median; runs) | bytes written per reading (median; runs) | load after |`,
    '| --- | ---: | ---: | ---: | ---: | --- |',
    ...lats.map(
      (l) =>
        `| ${l.setup} | ${fmt(l.boards)} | ${med(l.runs, (x) => x.p50).toFixed(1)} ms (${spread(l.runs, (x) => x.p50)}) | ${med(l.runs, (x) => x.p99).toFixed(1)} ms (${spread(l.runs, (x) => x.p99)}) | ${fmt(med(l.runs, (x) => x.bytesPerReading))} B (${spread(l.runs, (x) => x.bytesPerReading, 0)}) | ${l.load} |`,
    ),
    '',
    `| ${fmt(mem.connections)} idle connections | RSS | target |`,
    '| --- | ---: | ---: |',
    `| sheetlog, authenticated (empty: ${mem.sheetlogEmptyMb.toFixed(0)} MB) | ${mem.sheetlogMb.toFixed(0)} MB | ≤ 180 MB |`,
    `| baseline, connected | ${mem.baselineMb.toFixed(0)} MB | |`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
