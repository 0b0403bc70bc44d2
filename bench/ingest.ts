import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { LoadConnection, oneFieldLine, openMany, paced, payloads, percentile, sendLineByLine } from '../firmware-sim/loadgen.js';
import { filesSizeOf, threadWriteBytesOf, writeBytesOf } from './lib/proc-io.js';
import { startBaseline, startSheetlog, UNBUDGETED_ENV, type ServerUnderTest } from './lib/servers.js';
import { cpuSecondsOf, loadAverage as load, LoadWindow, median, medianRange } from './lib/stats.js';

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
 * Every gateway runs with the per-connection input budget lifted (servers.ts UNBUDGETED_ENV): one
 * connection carries up to 20,000 readings/s here, which the default fair share (100 lines/s)
 * would pause. Every point is measured in at least 3 alternating rounds and printed as median (min–max), with
 * the load average at its start and end: the machine is shared. CPU time per reading (user + system
 * of the gateway process, all its threads, from /proc/<pid>/stat) is printed next to wall-time
 * figures because other processes' load disturbs it far less.
 */

const quick = process.argv.includes('--quick');
const TOTAL = quick ? 20_000 : 200_000;
const REPEATS = 3; // --quick too: a single round on a shared machine says nothing
const CONNECTION_POINTS = [1, 100, 1000];
/** `--rate 5000`: another offered rate for the latency section (the target is at 20,000). */
const LATENCY_RATE = process.argv.includes('--rate') ? Number(process.argv[process.argv.indexOf('--rate') + 1]) : 20_000;
const LATENCY_BOARDS = [1, 100, 1000];
const RAW_ROWS_PER_TRANSACTION = 20_000;
const SYNCHRONOUS = 'FULL';
const LATENCY_SECONDS = quick ? 2 : 10;
/**
 * Each latency point first sends at the same rate for this long, not measured: a gateway that has
 * just started compiles its hot paths then (V8's JIT): at 1,000 boards that second's p99 was 25-137 ms
 * against 16-26 ms for the 10 s after it (docs/BENCHMARKS.md). Its p99 and max are printed beside the run's.
 */
const LATENCY_WARMUP_MS = 1000;
const IDLE_CONNECTIONS = quick ? 2_000 : 10_000;
/**
 * RSS is read 1 s after the last HELLO (what setting the connections up left: young-generation
 * space grown and garbage not yet collected) and again after IDLE_SETTLE_MS of nothing happening:
 * V8's memory reducer collects and shrinks the heap some 30-45 s after activity stops, and a
 * gateway holding idle boards for days sits at that second figure. The target is judged on it.
 */
const IDLE_SETTLE_MS = 60_000;
const target = (s: ServerUnderTest) => ({ host: '127.0.0.1', port: s.port });
const SHEETLOG_ARGS = ['--log-level', 'warn', '--http-port', 'off'];
/** The defaults, HTTP API and dashboard on (on a free port: a second gateway on the machine must not matter). */
const DEFAULT_ARGS = ['--log-level', 'warn', '--http-port', '0'];

/**
 * Readings per second pushed down `n` connections into a fresh server. `line` mode writes every
 * reading on its own, as boards do; `bulk` mode writes each connection's readings as one buffer.
 */
async function throughputRun(
  kind: 'baseline' | 'sheetlog',
  mode: Mode,
  n: number,
  perConn: number,
  env: NodeJS.ProcessEnv = {},
): Promise<{ perSecond: number; cpuUsPerReading: number }> {
  const server = kind === 'baseline' ? await startBaseline() : await startSheetlog(SHEETLOG_ARGS, { ...UNBUDGETED_ENV, ...env });
  try {
    const conns = await openMany(target(server), n);
    if (kind === 'sheetlog') await Promise.all(conns.map((c, i) => c.hello(`bench-${i}`, 1)));
    const data = mode === 'bulk' ? payloads(n, perConn) : [];
    const done =
      kind === 'baseline' ? server.expect!(n * perConn) : Promise.all(conns.map((c) => c.acked(perConn)));
    const cpuBefore = cpuSecondsOf(server.pid);
    const start = performance.now();
    if (mode === 'bulk') conns.forEach((c, i) => c.write(data[i] as Buffer));
    else await Promise.all(conns.map((c) => sendLineByLine(c, perConn)));
    await done;
    const elapsed = performance.now() - start;
    const cpu = cpuSecondsOf(server.pid) - cpuBefore;
    conns.forEach((c) => c.close());
    return { perSecond: ((n * perConn) / elapsed) * 1000, cpuUsPerReading: (cpu * 1e6) / (n * perConn) };
  } finally {
    await server.stop();
  }
}

type Mode = 'line' | 'bulk';

/**
 * Bulk points also run sheetlog with the CSV sink's batches as large as sync.maxBatchRows (20,000,
 * as before csv.maxBatchRows), alternating with the defaults: what the smaller batches save.
 */
const BULK_VARIANT = { name: 'csv.maxBatchRows: 20000', env: { SHEETLOG_CSV__MAX_BATCH_ROWS: '20000' } };
interface ThroughputRow {
  mode: Mode;
  n: number;
  baseline: number;
  sheetlog: number;
  ratio: number;
  /** Every round's figures: sheetlog readings/s, sheetlog CPU µs per reading, the references. */
  ours: number[];
  oursCpu: number[];
  base: number[];
  /** sheetlog / raw of each round (the two were measured next to each other). */
  rawRatios: number[];
  /** Bulk only: sheetlog with BULK_VARIANT, readings/s and CPU µs per reading, each round. */
  variant?: number[];
  variantCpu?: number[];
  /** Raw better-sqlite3 rows/s, same rows spread over `n` devices (bulk mode only). */
  raw?: number[];
  rawBytesPerRow?: number[];
  load: string;
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
    const window = new LoadWindow();
    const base: number[] = [];
    const ours: number[] = [];
    const oursCpu: number[] = [];
    const raw: number[] = [];
    const rawBytes: number[] = [];
    const rawRatios: number[] = [];
    const variant: number[] = [];
    const variantCpu: number[] = [];
    // Alternate the references and sheetlog so a burst of background load hits all alike.
    for (let r = 0; r < REPEATS; r++) {
      base.push((await throughputRun('baseline', mode, n, perConn)).perSecond);
      if (mode === 'bulk') {
        const x = rawSqlite(n * perConn, n);
        raw.push(x.rowsPerSecond);
        rawBytes.push(x.bytesPerRow);
      }
      const o = await throughputRun('sheetlog', mode, n, perConn);
      ours.push(o.perSecond);
      oursCpu.push(o.cpuUsPerReading);
      if (mode === 'bulk') {
        rawRatios.push(o.perSecond / (raw[r] as number));
        const v = await throughputRun('sheetlog', mode, n, perConn, BULK_VARIANT.env);
        variant.push(v.perSecond);
        variantCpu.push(v.cpuUsPerReading);
      }
    }
    const row: ThroughputRow = { mode, n, baseline: median(base), sheetlog: median(ours), ratio: median(ours) / median(base), ours, oursCpu, base, rawRatios, load: window.end() };
    if (mode === 'bulk') {
      row.raw = raw;
      row.rawBytesPerRow = rawBytes;
      row.variant = variant;
      row.variantCpu = variantCpu;
    }
    console.error(
      `  ${mode}, ${n} connections: plain Node ${medianRange(base, fmt)}/s, sheetlog ${medianRange(ours, fmt)}/s, CPU ${medianRange(oursCpu, us)} µs/reading` +
        (mode === 'bulk'
          ? `; raw SQLite ${medianRange(raw, fmt)} rows/s, sheetlog/raw per round ${medianRange(rawRatios, ratio2)}; ` +
            `${BULK_VARIANT.name}: ${medianRange(variant, fmt)}/s, CPU ${medianRange(variantCpu, us)} µs/reading`
          : '') +
        `; ${row.load}`,
    );
    rows.push(row);
  }
  return rows;
}

const us = (n: number): string => n.toFixed(1);
const ratio2 = (n: number): string => n.toFixed(2);

/**
 * ACK latency at a fixed offered rate: a fresh gateway per point with its defaults (HTTP API and
 * dashboard on a free port, the CSV sink syncing in its own thread, commits on the ingest event
 * loop), and the same with `store.writerThread: true` (commits in the writer thread), with WAL
 * checkpoints inside the commits, with a 5 ms commit window, with 1 KB pages, with the sinks'
 * batches every 250 ms (sync.lingerMs, 50 by default), and the defaults with readings of one field
 * instead of three, alternating. Also the
 * bytes the gateway process (all threads: SQLite WAL, checkpoints, CSV files) wrote per reading.
 */
const LATENCY_SETUPS: { name: string; env: NodeJS.ProcessEnv; line?: (seq: number) => string }[] = [
  { name: 'defaults (commits on the ingest event loop)', env: {} },
  { name: 'store.writerThread: true', env: { SHEETLOG_STORE__WRITER_THREAD: 'true' } },
  { name: 'store.checkpointIntervalMs: 0 (checkpoints inside commits, as before)', env: { SHEETLOG_STORE__CHECKPOINT_INTERVAL_MS: '0' } },
  // A longer commit window: more readings of each board per commit, fewer index pages per reading.
  { name: 'store.commitDelayMs: 5 (the default is 2)', env: { SHEETLOG_STORE__COMMIT_DELAY_MS: '5' } },
  // Each commit rewrites the last, partly filled page of `readings`: smaller pages, fewer bytes.
  { name: 'store.pageSize: 1024 (the default is 4096)', env: { SHEETLOG_STORE__PAGE_SIZE: '1024' } },
  // The sinks' batches every 250 ms instead of 50: longer bursts of work in the sync thread.
  { name: 'sync.lingerMs: 250 (the default before, 50 now)', env: { SHEETLOG_SYNC__LINGER_MS: '250' } },
  // The defaults with `R <seq> - temp_c=21.5` instead of three fields and a device time: a row and
  // a CSV line a third of the size, so the bytes written per reading show what is per reading and
  // what is per field.
  { name: 'defaults, one field per reading (R <seq> - temp_c=21.5)', env: {}, line: oneFieldLine },
];

interface LatencyResult {
  sent: number;
  p50: number;
  p99: number;
  max: number;
  bytesPerReading: number;
  /** Of those, the main thread's (the commits: their WAL pages; the checkpoints run in the sync thread). */
  commitBytesPerReading: number;
  /** The CSV sink's files' growth over the run, per reading: the sink's own output. */
  csvBytesPerReading: number;
  /** p99 and max of the warm-up (LATENCY_WARMUP_MS at the same rate, before the measured run). */
  warmupP99: number;
  warmupMax: number;
  /** CPU time of the gateway process (all threads) over the paced run, per reading sent. */
  cpuUsPerReading: number;
  /** CPU time of this process (the load generator) over the same run, per reading sent: the rest of the 2 cores. */
  generatorUsPerReading: number;
  /**
   * p99 of this process's event-loop delay over the run (ms): how late the load generator itself
   * could be to write a reading or to see its ACK, which the measured latency includes.
   */
  generatorLoopP99: number;
  /** The longest such delay (ms): a round whose p99 is far off the others shows whether the generator stalled. */
  generatorLoopMax: number;
}

/** `line`: what the boards send (absent: the load generator's usual reading, loadgen.ts readingLine). */
async function latency(boards: number, env: NodeJS.ProcessEnv, line?: (seq: number) => string): Promise<LatencyResult> {
  const server = await startSheetlog(DEFAULT_ARGS, { ...UNBUDGETED_ENV, ...env });
  try {
    const conns = await openMany(target(server), boards);
    await Promise.all(conns.map((c, i) => c.hello(`lat-${i}`, 1)));
    const nextSeq = conns.map(() => 1);
    const warm = Float64Array.from((await paced(conns, LATENCY_RATE, LATENCY_WARMUP_MS, 5, nextSeq, line)).latenciesMs).sort();
    const before = writeBytesOf(server.pid);
    const mainBefore = threadWriteBytesOf(server.pid, server.pid);
    const csvDir = join(server.dataDir as string, 'csv');
    const csvBefore = filesSizeOf(csvDir);
    const cpuBefore = cpuSecondsOf(server.pid);
    const genBefore = process.cpuUsage();
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    const r = await paced(conns, LATENCY_RATE, LATENCY_SECONDS * 1000, 5, nextSeq, line);
    loop.disable();
    const written = writeBytesOf(server.pid) - before;
    const mainWritten = threadWriteBytesOf(server.pid, server.pid) - mainBefore;
    const csvWritten = filesSizeOf(csvDir) - csvBefore;
    const cpu = cpuSecondsOf(server.pid) - cpuBefore;
    const gen = process.cpuUsage(genBefore);
    conns.forEach((c) => c.close());
    const sorted = Float64Array.from(r.latenciesMs).sort();
    return {
      sent: r.sent,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: sorted[sorted.length - 1] as number,
      warmupP99: percentile(warm, 99),
      warmupMax: warm[warm.length - 1] as number,
      bytesPerReading: written / r.sent,
      commitBytesPerReading: mainWritten / r.sent,
      csvBytesPerReading: csvWritten / r.sent,
      cpuUsPerReading: (cpu * 1e6) / r.sent,
      generatorUsPerReading: (gen.user + gen.system) / r.sent,
      generatorLoopP99: loop.percentile(99) / 1e6,
      generatorLoopMax: loop.max / 1e6,
    };
  } finally {
    await server.stop();
  }
}

async function idleRound(): Promise<{ sheetlogMb: number; sheetlogSetupMb: number; sheetlogEmptyMb: number; baselineMb: number; baselineSetupMb: number }> {
  const measure = async (server: ServerUnderTest, hello: boolean) => {
    const empty = server.rssMb();
    const conns: LoadConnection[] = await openMany(target(server), IDLE_CONNECTIONS);
    if (hello) await Promise.all(conns.map((c, i) => c.hello(`idle-${i}`, 1)));
    // Let the server settle (commits of the registrations, socket buffers), then read its RSS;
    // then again once it has been idle long enough for V8 to give memory back.
    await new Promise((r) => setTimeout(r, 1000));
    const setup = server.rssMb();
    await new Promise((r) => setTimeout(r, IDLE_SETTLE_MS - 1000));
    const rss = server.rssMb();
    conns.forEach((c) => c.close());
    return { empty, setup, rss };
  };
  const ours = await startSheetlog(SHEETLOG_ARGS, UNBUDGETED_ENV);
  const a = await measure(ours, true).finally(() => ours.stop());
  const base = await startBaseline();
  const b = await measure(base, false).finally(() => base.stop());
  return { sheetlogMb: a.rss, sheetlogSetupMb: a.setup, sheetlogEmptyMb: a.empty, baselineMb: b.rss, baselineSetupMb: b.setup };
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** `--only throughput,latency,idle`: run only these sections (all by default). */
function sections(): Set<string> {
  const i = process.argv.indexOf('--only');
  return new Set(i >= 0 ? (process.argv[i + 1] ?? '').split(',') : ['throughput', 'latency', 'idle']);
}

/** `--boards 100` (or `1,1000`): the latency section's board counts. */
function latencyBoards(): number[] {
  const i = process.argv.indexOf('--boards');
  return i >= 0 ? (process.argv[i + 1] ?? '').split(',').map(Number) : LATENCY_BOARDS;
}

interface LatencyRow {
  boards: number;
  setup: string;
  runs: LatencyResult[];
  load: string;
}

async function main(): Promise<void> {
  const only = sections();
  const overall = new LoadWindow();
  console.error(`bench:ingest on ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}${quick ? ', quick' : ''}; load average ${load()}`);
  const lines: string[] = [];
  if (only.has('throughput')) {
    console.error(`throughput: ${fmt(TOTAL)} readings per point, ${REPEATS} rounds, median (min–max)`);
    const tp = [...(await throughput('line')), ...(await throughput('bulk'))];
    const bulk = tp.filter((r) => r.mode === 'bulk');
    lines.push(
      `| sending | connections | plain Node (lines/s) | sheetlog (readings/s, durable + ACK) | sheetlog CPU per reading (all threads) | sheetlog / plain Node | load average |`,
      '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
      ...tp.map(
        (r) =>
          `| ${r.mode === 'line' ? 'a write per reading' : 'one buffer per connection'} | ${fmt(r.n)} | ${medianRange(r.base, fmt)} | ${medianRange(r.ours, fmt)} | ${medianRange(r.oursCpu, us)} µs | ${r.ratio.toFixed(2)} | ${r.load} |`,
      ),
      '',
      `| bulk, connections | raw better-sqlite3 (rows/s, ${SYNCHRONOUS}, ${fmt(RAW_ROWS_PER_TRANSACTION)} rows per transaction) | raw bytes written per row | sheetlog (readings/s) | sheetlog / raw (each round's pair) | target | sheetlog with ${BULK_VARIANT.name} (readings/s; CPU per reading, defaults / this) | load average |`,
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
      ...bulk.map(
        (r) =>
          `| ${fmt(r.n)} | ${medianRange(r.raw ?? [], fmt)} | ${medianRange(r.rawBytesPerRow ?? [], fmt)} B | ${medianRange(r.ours, fmt)} | ${medianRange(r.rawRatios, ratio2)} | ≥ 0.80 | ${medianRange(r.variant ?? [], fmt)}; ${median(r.oursCpu).toFixed(1)} / ${median(r.variantCpu ?? []).toFixed(1)} µs | ${r.load} |`,
      ),
      '',
    );
  }
  if (only.has('latency')) {
    console.error(`ACK latency at ${fmt(LATENCY_RATE)} readings/s for ${LATENCY_SECONDS} s after a ${LATENCY_WARMUP_MS / 1000} s warm-up, ${REPEATS} alternating rounds, median (min–max)`);
    const lats: LatencyRow[] = [];
    for (const boards of latencyBoards()) {
      const window = new LoadWindow();
      const runs = LATENCY_SETUPS.map(() => [] as LatencyResult[]);
      for (let r = 0; r < REPEATS; r++) {
        for (const [k, setup] of LATENCY_SETUPS.entries()) (runs[k] as LatencyResult[]).push(await latency(boards, setup.env, setup.line));
      }
      const loadText = window.end();
      for (const [k, setup] of LATENCY_SETUPS.entries()) {
        const rs = runs[k] as LatencyResult[];
        const row = { boards, setup: setup.name, runs: rs, load: loadText };
        const of = (f: (x: LatencyResult) => number) => rs.map(f);
        console.error(
          `  ${boards} boards, ${setup.name}: p50 ${medianRange(of((x) => x.p50), ms)}, p99 ${medianRange(of((x) => x.p99), ms)}, max ${medianRange(of((x) => x.max), ms)} (warm-up p99 ${medianRange(of((x) => x.warmupP99), ms)}, max ${medianRange(of((x) => x.warmupMax), ms)}), ` +
            `${medianRange(of((x) => x.bytesPerReading), fmt)} B/reading (commits ${medianRange(of((x) => x.commitBytesPerReading), fmt)}, CSV file ${medianRange(of((x) => x.csvBytesPerReading), fmt)}), CPU ${medianRange(of((x) => x.cpuUsPerReading), us)} µs/reading ` +
            `(load generator ${medianRange(of((x) => x.generatorUsPerReading), us)}, its event-loop delay p99 ${medianRange(of((x) => x.generatorLoopP99), ms)}); ` +
            `each round's p99 / the generator's longest event-loop delay: ${rs.map((x) => `${x.p99.toFixed(1)} / ${x.generatorLoopMax.toFixed(1)} ms`).join(', ')}; ${loadText}`,
        );
        lats.push(row);
      }
    }
    lines.push(
      `| ACK latency at ${fmt(LATENCY_RATE)}/s offered, ${LATENCY_SECONDS} s after a ${LATENCY_WARMUP_MS / 1000} s warm-up, write → ACK received | boards | p50 | p99 | max | the warm-up's p99 / max | bytes written per reading | CPU per reading (all threads) | load generator's CPU per reading | load generator's event-loop delay p99 / max | load average |`,
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
      ...lats.map((l) => {
        const of = (f: (x: LatencyResult) => number) => l.runs.map(f);
        return `| ${l.setup} | ${fmt(l.boards)} | ${medianRange(of((x) => x.p50), ms)} | ${medianRange(of((x) => x.p99), ms)} | ${medianRange(of((x) => x.max), ms)} | ${median(of((x) => x.warmupP99)).toFixed(1)} / ${median(of((x) => x.warmupMax)).toFixed(1)} ms | ${medianRange(of((x) => x.bytesPerReading), fmt)} B (commits ${median(of((x) => x.commitBytesPerReading)).toFixed(0)}, CSV file ${median(of((x) => x.csvBytesPerReading)).toFixed(0)}) | ${medianRange(of((x) => x.cpuUsPerReading), us)} µs | ${medianRange(of((x) => x.generatorUsPerReading), us)} µs | ${medianRange(of((x) => x.generatorLoopP99), ms)} / ${median(of((x) => x.generatorLoopMax)).toFixed(1)} ms | ${l.load} |`;
      }),
      '',
    );
  }
  if (only.has('idle')) {
    console.error(`idle: ${fmt(IDLE_CONNECTIONS)} authenticated connections, ${REPEATS} rounds`);
    const window = new LoadWindow();
    const mems: Awaited<ReturnType<typeof idleRound>>[] = [];
    for (let r = 0; r < REPEATS; r++) mems.push(await idleRound());
    const loadText = window.end();
    const of = (f: (x: (typeof mems)[number]) => number) => mems.map(f);
    const mb = (n: number) => `${n.toFixed(0)} MB`;
    const settled = `${IDLE_SETTLE_MS / 1000} s`;
    console.error(
      `  sheetlog RSS ${medianRange(of((m) => m.sheetlogMb), mb)} after ${settled} idle, ${medianRange(of((m) => m.sheetlogSetupMb), mb)} after 1 s (empty ${medianRange(of((m) => m.sheetlogEmptyMb), mb)}), baseline ${medianRange(of((m) => m.baselineMb), mb)} / ${medianRange(of((m) => m.baselineSetupMb), mb)}; ${loadText}`,
    );
    lines.push(
      `| ${fmt(IDLE_CONNECTIONS)} idle connections | RSS ${settled} after the last HELLO | RSS 1 s after it | target (idle) | load average |`,
      '| --- | ---: | ---: | ---: | --- |',
      `| sheetlog, authenticated (empty: ${medianRange(of((m) => m.sheetlogEmptyMb), mb)}) | ${medianRange(of((m) => m.sheetlogMb), mb)} | ${medianRange(of((m) => m.sheetlogSetupMb), mb)} | ≤ 180 MB | ${loadText} |`,
      `| baseline, connected | ${medianRange(of((m) => m.baselineMb), mb)} | ${medianRange(of((m) => m.baselineSetupMb), mb)} | | |`,
      '',
    );
  }
  lines.push(`Whole run: ${overall.end()}.`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

const ms = (n: number): string => `${n.toFixed(1)} ms`;

await main();
