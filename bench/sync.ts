import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LoadConnection, openMany, payloads, percentile, readingLine } from '../firmware-sim/loadgen.js';
import { type ObservedEmulator, requestRates, startObservedEmulator } from './lib/sheets-observer.js';
import { startSheetlog, UNBUDGETED_ENV, type ServerUnderTest } from './lib/servers.js';
import { LoadWindow, medianRange } from './lib/stats.js';

/*
 * npm run bench:sync [-- --quick]
 *
 * Sync to Google Sheets against the Sheets API emulator with Google's real quota (60 write and
 * 60 read requests per minute per user, on the real clock). `sheetlog start` runs from dist/ with
 * its defaults (layout long: a row per field; 50 writes and 50 reads a minute client-side); the
 * emulator runs in this process so that each request is observed as it is served.
 *
 * A. Behind: a backlog of readings (3 fields each, as the load generator's boards send) is stored
 *    through TCP while the gateway has no usable credentials; the gateway restarts with them and
 *    the sheet catches up. Over a bounded window: rows/s on the sheet (overall, and after start-up:
 *    the first minute, 15 s with --quick, left out), requests per minute, 429s.
 * B. Low load: a few boards send a reading a second each. For every reading: from its ACK to the
 *    moment its rows are in the emulator's model (seen in the emulator's request hook). p50/p99.
 *
 * Each part runs 3 rounds (--quick too, with a smaller backlog and shorter windows) and prints the
 * median (min–max) of each figure with the load average at the start and end. Each round uses its
 * own emulator (its own service account: quotas do not carry over) and stops by itself (bounded
 * window, bounded readings, overall deadlines).
 *
 * BENCH_CONFIG='{"sheets":{"writesPerMinute":55}}' adds configuration to both gateways (to try
 * other settings); BENCH_DEBUG=1 prints every request of part A with its time and duration.
 */

const quick = process.argv.includes('--quick');
const FIELDS_PER_READING = 3;
const REPEATS = 3;
const BACKLOG_READINGS = quick ? 100_000 : 1_000_000;
const BACKLOG_CONNECTIONS = 20;
const CATCH_UP_WINDOW_MS = quick ? 40_000 : 150_000;
/** The start of the catch-up left out of the steady rate: token, spreadsheet and tabs, the limiter's first burst. */
const STARTUP_MS = quick ? 15_000 : 60_000;
const LOW_LOAD_BOARDS = 5;
const LOW_LOAD_SECONDS = quick ? 15 : 90;
const VISIBLE_DEADLINE_MS = 120_000;
const GATEWAY_ARGS = ['--log-level', 'warn', '--http-port', 'off'];
const EXTRA_CONFIG = process.env.BENCH_CONFIG ? (JSON.parse(process.env.BENCH_CONFIG) as Record<string, unknown>) : {};

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const log = (s: string): void => void process.stderr.write(`${s}\n`);

interface CatchUp {
  backlogRows: number;
  preloadMs: number;
  windowMs: number;
  rows: number;
  firstRowMs: number;
  steadyRowsPerSecond: number | null;
  valueWrites: number;
  spreadsheets: number;
  writes: ReturnType<typeof requestRates>;
  reads: ReturnType<typeof requestRates>;
  done: boolean;
}

/** Stores the backlog through TCP: every board's readings as one buffer, then waits for every ACK. */
async function preload(gw: ServerUnderTest): Promise<number> {
  const per = BACKLOG_READINGS / BACKLOG_CONNECTIONS;
  const conns = await openMany({ host: '127.0.0.1', port: gw.port }, BACKLOG_CONNECTIONS);
  await Promise.all(conns.map((c, i) => c.hello(`board-${String(i).padStart(3, '0')}`, 1)));
  const data = payloads(BACKLOG_CONNECTIONS, per);
  const start = performance.now();
  conns.forEach((c, i) => c.write(data[i] as Buffer));
  await Promise.all(conns.map((c) => c.acked(per)));
  conns.forEach((c) => c.close());
  return performance.now() - start;
}

async function catchUp(): Promise<CatchUp> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-sync-'));
  const observed = await startObservedEmulator();
  const gateways: ServerUnderTest[] = [];
  try {
    const sheets = { spreadsheetId: 'catch-up-1', overflowSpreadsheetIds: ['catch-up-2', 'catch-up-3', 'catch-up-4'] };
    const withoutKey = observed.config(dir, { ...sheets, credentials: join(dir, 'not-yet.json') });
    const withKey = observed.config(dir, { ...sheets, credentials: observed.writeCredentials(dir) }, EXTRA_CONFIG);
    const data = join(dir, 'data');
    const backlogRows = BACKLOG_READINGS * FIELDS_PER_READING;

    log(`A. storing a backlog of ${fmt(BACKLOG_READINGS)} readings (${fmt(backlogRows)} rows) while the gateway has no credentials`);
    // The backlog goes in at full speed: the per-connection input budget (100 lines/s) lifted.
    const first = await startSheetlog(['--config', withoutKey, ...GATEWAY_ARGS], UNBUDGETED_ENV, data);
    gateways.push(first);
    const preloadMs = await preload(first);
    await first.stop();

    log(`   restarting with credentials; the sheet catches up for at most ${CATCH_UP_WINDOW_MS / 1000} s`);
    let rows = 0;
    let firstRowAt = 0;
    let allThere: () => void = () => {};
    const finished = new Promise<void>((resolve) => (allThere = resolve));
    observed.onValuesWritten = (r) => {
      rows += r.dataRows;
      if (firstRowAt === 0 && r.dataRows > 0) firstRowAt = r.at;
      if (rows >= backlogRows) allThere();
    };
    const t0 = Date.now();
    const second = await startSheetlog(['--config', withKey, ...GATEWAY_ARGS], {}, data);
    gateways.push(second);
    const progress = setInterval(() => log(`   ${fmt((Date.now() - t0) / 1000)} s: ${fmt(rows)} rows (emulator heap ${fmt(process.memoryUsage().heapUsed / 1e6)} MB)`), 10_000);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([finished, new Promise<void>((resolve) => (timer = setTimeout(resolve, CATCH_UP_WINDOW_MS)))]);
    clearTimeout(timer);
    clearInterval(progress);
    const t1 = Date.now();
    const windowRows = rows;
    await second.stop();

    const inWindow = observed.requests.filter((r) => r.at >= t0 && r.at <= t1);
    if (process.env.BENCH_DEBUG) for (const r of inWindow) log(`   +${r.at - t0} ms (${r.doneAt - r.at} ms) ${r.operation} ${r.status}${r.fault ? ` ${r.fault}` : ''} ${r.dataRows || ''}`);
    // The steady rate: rows of the values writes that arrived after start-up, over the time from
    // the end of start-up to the end of the window (or to the last write, when the whole backlog
    // was on the sheet before the window ended); not the whole window's figure.
    const afterStartup = inWindow.filter((r) => r.at >= t0 + STARTUP_MS);
    const steadyRows = afterStartup.reduce((n, r) => n + r.dataRows, 0);
    const steadyEnd = windowRows >= backlogRows ? Math.max(t0 + STARTUP_MS, ...afterStartup.map((r) => r.doneAt)) : t1;
    const steadyMs = steadyEnd - t0 - STARTUP_MS;
    return {
      backlogRows,
      preloadMs,
      windowMs: t1 - t0,
      rows: windowRows,
      firstRowMs: firstRowAt - t0,
      steadyRowsPerSecond: steadyMs >= STARTUP_MS / 3 ? (steadyRows / steadyMs) * 1000 : null,
      valueWrites: inWindow.filter((r) => r.operation === 'values.batchUpdate' && r.status === 200).length,
      spreadsheets: new Set(inWindow.filter((r) => r.dataRows > 0).map((r) => r.spreadsheetId)).size,
      writes: requestRates(inWindow, 'write'),
      reads: requestRates(inWindow, 'read'),
      done: windowRows >= backlogRows,
    };
  } finally {
    for (const gw of gateways) await gw.stop();
    await observed.emu.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface LowLoad {
  readings: number;
  visible: number;
  duplicates: number;
  latenciesMs: Float64Array;
  writes: ReturnType<typeof requestRates>;
  reads: ReturnType<typeof requestRates>;
}

/** Marks each reading whose rows are in the tab now; returns how many keys appear more than once. */
function scanTab(observed: ObservedEmulator, id: string, onKey: (key: string) => void): number {
  const rows = observed.emu.tabs(id)?.tabs['readings'] ?? [];
  const seen = new Map<string, number>();
  for (let i = 1; i < rows.length; i++) {
    const r = rows[i] as string[];
    const key = `${r[1]}/${r[4]}/${r[2]}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
    onKey(`${r[1]}/${r[4]}`);
  }
  return [...seen.values()].filter((n) => n > 1).length;
}

async function lowLoad(): Promise<LowLoad> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-sync-'));
  const observed = await startObservedEmulator();
  const id = 'low-load';
  let gw: ServerUnderTest | undefined;
  let conns: LoadConnection[] = [];
  try {
    const config = observed.config(dir, { spreadsheetId: id, credentials: observed.writeCredentials(dir) }, EXTRA_CONFIG);
    gw = await startSheetlog(['--config', config, ...GATEWAY_ARGS]);
    conns = await openMany({ host: '127.0.0.1', port: gw.port }, LOW_LOAD_BOARDS);
    const devices = conns.map((_, i) => `slow-${i}`);
    await Promise.all(conns.map((c, i) => c.hello(devices[i] as string, 1)));

    const ackedAt = new Map<string, number>();
    const visibleAt = new Map<string, number>();
    let duplicates = 0;
    const waiters = new Set<{ key: string; resolve: () => void }>();
    observed.onValuesWritten = () => {
      const now = performance.now();
      duplicates = Math.max(duplicates, scanTab(observed, id, (key) => {
        if (!visibleAt.has(key)) visibleAt.set(key, now);
      }));
      for (const w of waiters) if (visibleAt.has(w.key)) (waiters.delete(w), w.resolve());
    };
    const untilVisible = (key: string): Promise<void> =>
      visibleAt.has(key) ? Promise.resolve() : new Promise((resolve) => void waiters.add({ key, resolve }));

    // Warm-up (not measured): the token, the spreadsheet, the tab; one reading per board.
    log(`B. ${LOW_LOAD_BOARDS} boards, 1 reading/s each, for ${LOW_LOAD_SECONDS} s`);
    conns.forEach((c) => c.write(readingLine(1)));
    await Promise.all(conns.map((c) => c.acked(1)));
    await withDeadline(untilVisible(`${devices[LOW_LOAD_BOARDS - 1]}/1`), VISIBLE_DEADLINE_MS, 'the warm-up readings');

    conns.forEach((c, i) => {
      c.onAck = (seq, now) => {
        for (let s = 2; s <= seq; s++) if (!ackedAt.has(`${devices[i]}/${s}`)) ackedAt.set(`${devices[i]}/${s}`, now);
      };
    });
    const start = performance.now();
    const startedAt = Date.now();
    const perBoardGapMs = 1000 / LOW_LOAD_BOARDS;
    for (let tick = 0; tick < LOW_LOAD_SECONDS; tick++) {
      for (let i = 0; i < LOW_LOAD_BOARDS; i++) {
        const due = start + tick * 1000 + i * perBoardGapMs;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        (conns[i] as LoadConnection).write(readingLine(tick + 2));
      }
    }
    const lastSeq = LOW_LOAD_SECONDS + 1;
    await Promise.all(conns.map((c) => c.acked(lastSeq)));
    await withDeadline(Promise.all(devices.map((d) => untilVisible(`${d}/${lastSeq}`))), VISIBLE_DEADLINE_MS, 'the last readings').catch((e: unknown) =>
      log(`   ${String(e)}`),
    );

    const latencies: number[] = [];
    for (const [key, acked] of ackedAt) {
      const seen = visibleAt.get(key);
      if (seen !== undefined) latencies.push(Math.max(0, seen - acked));
    }
    const during = observed.requests.filter((r) => r.at >= startedAt);
    return {
      readings: ackedAt.size,
      visible: latencies.length,
      duplicates,
      latenciesMs: Float64Array.from(latencies).sort(),
      writes: requestRates(during, 'write'),
      reads: requestRates(during, 'read'),
    };
  } finally {
    conns.forEach((c) => c.close());
    await gw?.stop();
    await observed.emu.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

function report(as: CatchUp[], bs: LowLoad[], loadText: string): void {
  const perMinute = (n: number, ms: number): number => (n / ms) * 60_000;
  const f0 = (n: number): string => fmt(n);
  const f1 = (n: number): string => fmt(n, 1);
  const s2 = (n: number): string => `${fmt(n / 1000, 2)} s`;
  const a = (f: (x: CatchUp) => number, format = f0): string => medianRange(as.map(f), format);
  const steady = as.map((x) => x.steadyRowsPerSecond).filter((x): x is number => x !== null);
  const startup = `${STARTUP_MS / 1000} s`;
  console.log(`| behind: ${fmt(BACKLOG_READINGS * FIELDS_PER_READING)}-row backlog (${fmt(BACKLOG_READINGS)} readings × ${FIELDS_PER_READING} fields), window ≤ ${CATCH_UP_WINDOW_MS / 1000} s; median (min–max) of ${as.length} rounds | value | target |`);
  console.log('| --- | ---: | ---: |');
  console.log(`| window (ends early when the whole backlog is on the sheet: ${as.filter((x) => x.done).length} of ${as.length} rounds) | ${a((x) => x.windowMs, (n) => `${fmt(n / 1000, 1)} s`)} | |`);
  console.log(`| rows on the sheet in the window | ${a((x) => x.rows)} | |`);
  console.log(`| rows/s, whole window (from the gateway's start) | ${a((x) => (x.rows / x.windowMs) * 1000)} | |`);
  console.log(`| **rows/s after the first ${startup}** (start-up left out) | ${steady.length === as.length ? medianRange(steady, f0) : `${medianRange(steady, f0)} (${as.length - steady.length} rounds too short)`} | ≥ 22,000 |`);
  console.log(`| readings/s, whole window | ${a((x) => (x.rows / FIELDS_PER_READING / x.windowMs) * 1000)} | |`);
  console.log(`| rows per values write | ${a((x) => x.rows / Math.max(1, x.valueWrites))} | |`);
  console.log(`| other writes (tabs, grid growth) | ${a((x) => x.writes.total - x.valueWrites)} | |`);
  console.log(`| spreadsheets written (9M cells each, then the next) | ${a((x) => x.spreadsheets)} | |`);
  console.log(`| write requests per minute (average) | ${a((x) => perMinute(x.writes.total, x.windowMs), f1)} | |`);
  console.log(`| write requests, most in any 60 s | ${a((x) => x.writes.maxPerWindow)} | ≤ 60 |`);
  console.log(`| read requests per minute (average) / most in any 60 s | ${a((x) => perMinute(x.reads.total, x.windowMs), f1)} / ${a((x) => x.reads.maxPerWindow)} | ≤ 60 |`);
  console.log(`| 429 answers (writes + reads) | ${a((x) => x.writes.throttled + x.reads.throttled)} | 0 |`);
  console.log(`| first rows on the sheet after the gateway's start | ${a((x) => x.firstRowMs, s2)} | ≤ 2 s |`);
  console.log(`| storing the backlog through TCP (for scale) | ${a((x) => (BACKLOG_READINGS / x.preloadMs) * 1000)} readings/s | |`);
  console.log('');
  const b = (f: (x: LowLoad) => number, format = f0): string => medianRange(bs.map(f), format);
  console.log(`| low load: ${LOW_LOAD_BOARDS} boards × 1 reading/s, ${LOW_LOAD_SECONDS} s; median (min–max) of ${bs.length} rounds | value | target |`);
  console.log('| --- | ---: | ---: |');
  console.log(`| ACK → rows visible in the sheet, p50 | ${b((x) => percentile(x.latenciesMs, 50), s2)} | ≤ 2 s |`);
  console.log(`| p99 | ${b((x) => percentile(x.latenciesMs, 99), s2)} | |`);
  console.log(`| max | ${b((x) => percentile(x.latenciesMs, 100), s2)} | |`);
  console.log(`| readings acknowledged / seen on the sheet / duplicated | ${b((x) => x.readings)} / ${b((x) => x.visible)} / ${b((x) => x.duplicates)} | all / all / 0 |`);
  console.log(`| write requests: most in any 60 s / 429 answers | ${b((x) => x.writes.maxPerWindow)} / ${b((x) => x.writes.throttled + x.reads.throttled)} | ≤ 60 / 0 |`);
  console.log(`| read requests: most in any 60 s | ${b((x) => x.reads.maxPerWindow)} | ≤ 60 |`);
  console.log('');
  console.log(`Whole run: ${loadText}.`);
}

async function main(): Promise<void> {
  const window = new LoadWindow();
  log(`bench:sync${quick ? ' (quick)' : ''}: emulator with Google's quota (60/min/user) on the real clock; gateway from dist/; ${REPEATS} rounds`);
  const as: CatchUp[] = [];
  const bs: LowLoad[] = [];
  // Alternating the two parts spreads a burst of background load over both.
  for (let r = 0; r < REPEATS; r++) {
    log(`round ${r + 1} of ${REPEATS}`);
    as.push(await catchUp());
    bs.push(await lowLoad());
  }
  report(as, bs, window.end());
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench:sync failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
