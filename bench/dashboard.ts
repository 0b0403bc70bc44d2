import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { cpus, loadavg } from 'node:os';
import { chromium, type Browser, type Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { LoadConnection, openMany, paced, percentile, readingLine } from '../firmware-sim/loadgen.js';
import { startSheetlog, type ServerUnderTest } from './lib/servers.js';

/*
 * npm run build && npm run bench:dashboard [-- --quick] [-- --no-browser]
 *
 * What the dashboard costs the gateway. 2,000 boards (TCP connections, one HELLO each) stay
 * connected to `sheetlog start` (compiled dist/, defaults, durable commits, the default CSV sink)
 * for the whole run. Three conditions alternate round by round, so that all meet the same
 * background load: no dashboard; 3 WebSocket feed clients (the gateway's side of the dashboard);
 * a headless Chromium page on the dashboard plus the 3 feed clients.
 *
 * 1. Paced: the boards send 1 reading/s each (2,000/s). Reported: ACK latency per condition, and
 *    the page's responsiveness (timer lateness, long tasks, evaluate round trip, what it shows).
 * 2. Throughput: the same connections push readings as fast as the gateway acknowledges them.
 *    Reported: readings/s, the median of per-round ratios to the 'none' run just before, the
 *    gateway's CPU time per 1,000 readings (/proc), and Chromium's CPU use.
 */

const quick = process.argv.includes('--quick');
const noBrowser = process.argv.includes('--no-browser');
const DEVICES = 2000;
const PACED_SECONDS = quick ? 4 : 6;
const PACED_ROUNDS = quick ? 1 : 3;
const ROUNDS = quick ? 2 : 9;
const PER_CONNECTION = quick ? 50 : 100;
const FEED_CLIENTS = 3;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

interface Feed {
  close(): Promise<void>;
  bytes(): number;
  updates(): number;
}

/** WebSocket clients reading the feed like dashboards would: one watching a device, one paging by rate. */
async function openFeed(port: number, n: number): Promise<Feed> {
  let bytes = 0;
  let updates = 0;
  const sockets = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/live`, ['sheetlog.v1']);
      ws.on('message', (d: Buffer) => {
        bytes += d.length;
        updates++;
      });
      await once(ws, 'open');
      if (i === 1) ws.send(JSON.stringify({ type: 'watch', device: 'bench-7' }));
      if (i === 2) ws.send(JSON.stringify({ type: 'view', filter: '', sort: 'readings', desc: true, limit: 100 }));
      return ws;
    }),
  );
  return {
    bytes: () => bytes,
    updates: () => updates,
    async close() {
      await Promise.all(sockets.map((ws) => (ws.close(), once(ws, 'close'))));
    },
  };
}

/** CPU time (user + system) of a process, ms, from /proc (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0; // the process ended
  }
}

/** CPU time of a process and all its descendants (Chromium's renderer, GPU and utility processes). */
function treeCpuMs(root: number): number {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // gone meanwhile
    }
  }
  let total = 0;
  const todo = [root];
  while (todo.length > 0) {
    const pid = todo.pop() as number;
    total += cpuMs(pid);
    todo.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** Sends `count` more readings down every connection as fast as the gateway takes them. */
async function pushAll(conns: LoadConnection[], nextSeq: number[], count: number): Promise<number> {
  const start = performance.now();
  await Promise.all(
    conns.map(async (c, i) => {
      // A connection the gateway closes (BUSY, a limit) fails the run instead of hanging it.
      const stop = new AbortController();
      const closed = once(c.socket, 'close', { signal: stop.signal }).then(() => {
        throw new Error('the gateway closed a board connection (BUSY or a limit): the measurement is void');
      });
      closed.catch(() => {});
      try {
        const first = nextSeq[i] as number;
        for (let seq = first; seq < first + count; seq++) {
          if (!c.write(readingLine(seq))) await Promise.race([once(c.socket, 'drain'), closed]);
        }
        nextSeq[i] = first + count;
        await Promise.race([c.acked(first + count - 1), closed]);
      } finally {
        stop.abort();
      }
    }),
  );
  return performance.now() - start;
}

/** Installs a responsiveness probe in the page: timer lateness and long tasks from now on. */
async function startProbe(page: Page): Promise<void> {
  await page.evaluate(`(() => {
    const p = (window.__probe = { maxLate: 0, lates: [], longTasks: 0, longTaskMs: 0 });
    let last = performance.now();
    p.timer = setInterval(() => {
      const now = performance.now();
      const late = now - last - 100;
      last = now;
      p.lates.push(Math.max(0, late));
      p.maxLate = Math.max(p.maxLate, late);
    }, 100);
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) { p.longTasks++; p.longTaskMs += e.duration; }
      }).observe({ type: 'longtask', buffered: false });
    } catch {}
  })()`);
}

interface ProbeResult {
  p99LateMs: number;
  maxLateMs: number;
  longTasks: number;
  longTaskMs: number;
  evaluateMs: number;
  shownRate: string;
  shownConnected: string;
  deviceRows: number;
  tailRows: number;
}

async function readProbe(page: Page): Promise<ProbeResult> {
  const t0 = performance.now();
  await page.evaluate('1');
  const evaluateMs = performance.now() - t0;
  const r = (await page.evaluate(`(() => {
    const p = window.__probe; clearInterval(p.timer);
    const s = p.lates.slice().sort((a, b) => a - b);
    return {
      p99LateMs: s[Math.floor(s.length * 0.99)] || 0, maxLateMs: p.maxLate, longTasks: p.longTasks, longTaskMs: p.longTaskMs,
      shownRate: document.getElementById('f-rate').textContent, shownConnected: document.getElementById('f-connected').textContent,
      deviceRows: document.querySelectorAll('#devices tbody tr').length, tailRows: document.querySelectorAll('#tail tbody tr').length,
    };
  })()`)) as Omit<ProbeResult, 'evaluateMs'>;
  return { ...r, evaluateMs };
}

function latencyRow(label: string, l: Float64Array): string {
  const s = Float64Array.from(l).sort();
  return `| ${label} | ${fmt(s.length)} | ${percentile(s, 50).toFixed(1)} | ${percentile(s, 99).toFixed(1)} | ${percentile(s, 100).toFixed(1)} |`;
}

function concat(parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};

async function main(): Promise<void> {
  if (!existsSync('dist/gateway/cli/bin.js')) throw new Error('run `npm run build` first (the benchmark runs the compiled gateway)');
  const loadAtStart = loadavg()[0]!;
  const haveBrowser = !noBrowser && existsSync(CHROMIUM);
  if (!haveBrowser) console.error(`!!! no headless page (${noBrowser ? '--no-browser' : `Chromium missing at ${CHROMIUM}`}): the dashboard is WebSocket feed clients only`);
  // The buffer limit is raised so the run measures ingest, not the default CSV sink keeping up
  // with 150,000 rows/s (past the limit the gateway answers BUSY, as it should).
  const server: ServerUnderTest = await startSheetlog(['--log-level', 'warn', '--http-port', '0'], {
    SHEETLOG_STORE__MAX_BUFFER_ROWS: '100000000',
  });
  const browser: Browser | null = haveBrowser
    ? await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'] })
    : null;
  try {
    const httpPort = server.httpPort;
    if (httpPort === undefined) throw new Error('the gateway did not report its HTTP port');
    console.error(`gateway pid ${server.pid}: TCP ${server.port}, HTTP ${httpPort}; connecting ${DEVICES} boards`);
    const conns = await openMany({ host: '127.0.0.1', port: server.port }, DEVICES);
    await Promise.all(conns.map((c, i) => c.hello(`bench-${i}`, 1 + Math.floor(Math.random() * 1e9))));

    // --- 1. paced, 2,000 boards at 1 reading/s -------------------------------------------------
    // Segments without the dashboard, with feed clients only, and with the page alternate, so all
    // three meet the same background load.
    const pacedModes = browser ? (['none', 'feed', 'page'] as const) : (['none', 'feed'] as const);
    console.error(`paced: ${DEVICES} readings/s, ${PACED_ROUNDS} rounds of ${pacedModes.join(' / ')}, ${PACED_SECONDS} s each`);
    const nextSeq = conns.map(() => 1);
    const latencies: Record<string, Float64Array[]> = { none: [], feed: [], page: [] };
    let probe: ProbeResult | null = null;
    let feedBytes = 0;
    let feedSeconds = 0;
    let feedUpdates = 0;
    for (let round = 0; round < PACED_ROUNDS; round++) {
      for (const mode of pacedModes) {
        const feed = mode === 'none' ? null : await openFeed(httpPort, FEED_CLIENTS);
        const page = mode === 'page' && browser ? await browser.newPage({ viewport: { width: 1280, height: 900 } }) : null;
        if (page) {
          await page.goto(`http://127.0.0.1:${httpPort}/`);
          await page.waitForSelector('#conn[data-state="live"]');
          await page.waitForSelector('#devices tbody tr');
          await startProbe(page);
        }
        const bytes0 = feed?.bytes() ?? 0;
        const updates0 = feed?.updates() ?? 0;
        latencies[mode]!.push((await paced(conns, DEVICES, PACED_SECONDS * 1000, 5, nextSeq)).latenciesMs);
        if (feed) {
          feedBytes += feed.bytes() - bytes0;
          feedUpdates += feed.updates() - updates0;
          feedSeconds += PACED_SECONDS;
        }
        if (page) {
          const p = await readProbe(page);
          if (probe === null || p.p99LateMs > probe.p99LateMs) probe = p; // report the worst segment
          if (round === PACED_ROUNDS - 1) {
            mkdirSync('test-artifacts', { recursive: true });
            await page.screenshot({ path: 'test-artifacts/bench-dashboard-2000.png', fullPage: true });
          }
          await page.close();
        }
        await feed?.close();
      }
    }
    const feedRate = feedBytes / feedSeconds / FEED_CLIENTS;
    const updatesPerSec = feedUpdates / feedSeconds / FEED_CLIENTS;
    for (const c of conns) c.onAck = null;

    // --- 2. throughput, alternating ------------------------------------------------------------
    const modes = browser ? (['none', 'feed', 'page'] as const) : (['none', 'feed'] as const);
    const results: Record<string, { rate: number[]; cpuPerK: number[]; browserShare: number[] }> = {};
    for (const m of modes) results[m] = { rate: [], cpuPerK: [], browserShare: [] };
    // Chromium's processes are this process's other descendants (the gateway's tree aside).
    const browserCpu = () => (browser ? treeCpuMs(process.pid) - cpuMs(process.pid) - treeCpuMs(server.pid) : 0);
    console.error(`throughput: ${ROUNDS} rounds of ${modes.join(' / ')}, ${fmt(DEVICES * PER_CONNECTION)} readings each`);
    await pushAll(conns, nextSeq, 5); // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of modes) {
        const f = mode === 'none' ? null : await openFeed(httpPort, FEED_CLIENTS);
        const p = mode === 'page' && browser ? await browser.newPage({ viewport: { width: 1280, height: 900 } }) : null;
        if (p) {
          await p.goto(`http://127.0.0.1:${httpPort}/`);
          await p.waitForSelector('#devices tbody tr');
        }
        const cpu0 = cpuMs(server.pid);
        const browserCpu0 = browserCpu();
        const ms = await pushAll(conns, nextSeq, PER_CONNECTION);
        const cpu = cpuMs(server.pid) - cpu0;
        // Only while a page is open (processes that exit take their CPU time with them).
        results[mode]!.browserShare.push(mode === 'page' ? Math.max(0, browserCpu() - browserCpu0) / ms : 0);
        const n = DEVICES * PER_CONNECTION;
        results[mode]!.rate.push((n / ms) * 1000);
        results[mode]!.cpuPerK.push((cpu / n) * 1000);
        console.error(`  round ${round + 1} ${mode.padEnd(4)}: ${fmt((n / ms) * 1000)} readings/s, gateway CPU ${((cpu / n) * 1000).toFixed(1)} ms per 1,000`);
        await p?.close();
        await f?.close();
      }
    }
    conns.forEach((c) => c.close());

    // --- report ----------------------------------------------------------------------------------
    const out: string[] = [];
    out.push(`### ACK latency, ${fmt(DEVICES)} boards at 1 reading/s (${PACED_ROUNDS} alternating rounds, ${PACED_SECONDS} s each)`, '');
    out.push('| dashboard | readings | p50 ms | p99 ms | max ms |', '| --- | ---: | ---: | ---: | ---: |');
    out.push(latencyRow('none', concat(latencies.none!)), latencyRow(`${FEED_CLIENTS} feed clients (WebSocket)`, concat(latencies.feed!)));
    if (browser) out.push(latencyRow(`Chromium page + ${FEED_CLIENTS} feed clients`, concat(latencies.page!)));
    out.push('');
    out.push(`Feed per client: ${updatesPerSec.toFixed(2)} messages/s, ${fmt(feedRate / 1024)} KiB/s.`, '');
    if (probe) {
      out.push('### The page under that load (its worst segment)', '');
      out.push('| timer lateness p99 | max | long tasks (>50 ms) | time in long tasks | evaluate round trip | shows |', '| ---: | ---: | ---: | ---: | ---: | --- |');
      out.push(
        `| ${probe.p99LateMs.toFixed(1)} ms | ${probe.maxLateMs.toFixed(1)} ms | ${probe.longTasks} | ${fmt(probe.longTaskMs)} ms of ${fmt(PACED_SECONDS * 1000)} | ${probe.evaluateMs.toFixed(1)} ms | ${probe.shownConnected} connected, ${probe.shownRate} readings/s, ${probe.deviceRows} table rows, ${probe.tailRows} tail rows |`,
        '',
      );
    }
    out.push(`### Ingest throughput with and without the dashboard (${ROUNDS} alternating rounds, median)`, '');
    out.push(
      '| dashboard | readings/s (median) | throughput ratio to none (median of rounds) | gateway CPU ms per 1,000 readings | CPU ratio to none | Chromium CPU (cores) |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
    );
    const baseCpu = median(results.none!.cpuPerK);
    for (const m of modes) {
      const label = m === 'none' ? 'none' : m === 'feed' ? `${FEED_CLIENTS} feed clients (WebSocket)` : `Chromium page + ${FEED_CLIENTS} feed clients`;
      const r = median(results[m]!.rate);
      // Each round's run against the 'none' run just before it: neighbours share the machine's
      // background load, so their ratio is steadier than the ratio of medians.
      const paired = median(results[m]!.rate.map((x, i) => x / (results.none!.rate[i] as number)));
      const cpu = median(results[m]!.cpuPerK);
      const share = median(results[m]!.browserShare);
      out.push(`| ${label} | ${fmt(r)} | ${paired.toFixed(3)} | ${cpu.toFixed(2)} | ${(cpu / baseCpu).toFixed(3)} | ${share.toFixed(2)} |`);
    }
    out.push('', `Each round: ${fmt(DEVICES * PER_CONNECTION)} readings (${PER_CONNECTION} per board) as fast as they are acknowledged.`);
    out.push(
      `Machine: ${cpus().length} cores (${cpus()[0]?.model.trim() ?? '?'}), Node ${process.version}; load average ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end (the generator, the gateway and Chromium share these cores; anything else running shows up as noise).`,
    );
    const text = out.join('\n');
    process.stdout.write(`${text}\n`);
    mkdirSync('bench/results', { recursive: true });
    writeFileSync('bench/results/dashboard.md', `${text}\n`);
  } finally {
    await browser?.close();
    await server.stop();
  }
}

await main();
