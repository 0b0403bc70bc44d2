import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startSheetlog } from './lib/servers.js';

/*
 * npm run bench:flood [-- --quick]
 *
 * A healthy board's ACK latency (one reading every 20 ms, each timed from its write to its ACK)
 * without a flood and during each flood, in the same run against the same gateway build:
 *   ping     50 authenticated clients writing PING as fast as they can, never reading a reply
 *   unauth   50 clients writing PING without HELLO as fast as they can (reconnecting when closed)
 *   burst    4,500 connections opened at once, each sending HELLO
 *   storm    200 clients connecting, sending HELLO and closing, over and over
 *   guess    20 clients guessing a device's token as fast as the gateway answers
 * Each round starts a fresh gateway; floods run in a child process (so their work does not delay
 * the healthy board's own timing). Median and spread (min–max) of the p99 over the rounds.
 * Loopback only, port 0, every process and socket closed at the end, every loop bounded.
 */

const FLOODS = ['ping', 'unauth', 'burst', 'storm', 'guess'] as const;
type Flood = (typeof FLOODS)[number];
const SELF = fileURLToPath(import.meta.url);

if (process.argv[2] === '--flood') {
  // A flood socket the gateway closes mid-write is expected: never a crash of the flood.
  process.on('uncaughtException', () => {});
  process.on('unhandledRejection', () => {});
  await runFlood(process.argv[3] as Flood, Number(process.argv[4]), Number(process.argv[5]));
  process.exit(0);
}

const quick = process.argv.includes('--quick');
const ROUNDS = 3;
const WINDOW_MS = quick ? 2_000 : 4_000;
const INTERVAL_MS = 20;
// `--only burst,storm`: just those floods (the baseline without a flood is always measured).
const onlyArg = process.argv.indexOf('--only');
const KINDS: readonly Flood[] = onlyArg > 0 ? (process.argv[onlyArg + 1] ?? '').split(',').filter((k): k is Flood => (FLOODS as readonly string[]).includes(k)) : FLOODS;

/** The healthy board: HELLO, then one reading every INTERVAL_MS for `ms`; returns each write→ACK time. */
async function healthyBoard(port: number, id: string, ms: number): Promise<number[]> {
  const socket = connect({ host: '127.0.0.1', port, noDelay: true });
  await once(socket, 'connect');
  socket.setEncoding('latin1');
  let buf = '';
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  // FLOOD_TRACE=<file>: every reading's send time (epoch ms) and latency, to line up with the gateway's own traces.
  const trace: string[] | null = process.env.FLOOD_TRACE ? [] : null;
  let helloOk: () => void = () => {};
  let lastLine = '';
  const hello = new Promise<void>((r) => (helloOk = r));
  socket.on('data', (d: string) => {
    buf += d;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      lastLine = line;
      if (line.startsWith('HELLO OK')) helloOk();
      else if (line.startsWith('ACK ')) {
        const acked = Number(line.slice(4));
        const now = performance.now();
        for (const [seq, at] of sentAt) if (seq <= acked) {
          latencies.push(now - at);
          trace?.push(`${id}\t${(performance.timeOrigin + at).toFixed(0)}\t${(now - at).toFixed(1)}`);
          sentAt.delete(seq);
        }
      }
    }
  });
  socket.on('error', () => {});
  socket.write(`HELLO ${id} tok-${id} boot=1 up=0\n`);
  const helloBy = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000).unref());
  if ((await Promise.race([hello, helloBy])) === 'timeout') {
    socket.destroy();
    throw new Error(`the healthy board got no HELLO OK within 30 s (last line: ${lastLine || 'none'})`);
  }
  const start = performance.now();
  let seq = 0;
  while (performance.now() - start < ms) {
    seq++;
    sentAt.set(seq, performance.now());
    socket.write(`R ${seq} - temp_c=21.5 n=${seq}\n`);
    await new Promise((r) => setTimeout(r, INTERVAL_MS));
  }
  // The last ACKs (bounded wait), then unanswered readings count as the window's length.
  const deadline = performance.now() + 10_000;
  while (sentAt.size > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  for (const at of sentAt.values()) latencies.push(performance.now() - at);
  socket.destroy();
  if (trace !== null) appendFileSync(process.env.FLOOD_TRACE as string, trace.join('\n') + '\n');
  return latencies;
}

function p99(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.99))] ?? NaN;
}

async function startFlood(kind: Flood, port: number, ms: number): Promise<{ child: ChildProcess; exited: Promise<unknown> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', SELF, '--flood', kind, String(port), String(ms)], { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = once(child, 'exit');
  // Give the flood a head start so the measurement window is inside it.
  await new Promise((r) => setTimeout(r, 500));
  return { child, exited };
}

async function round(r: number): Promise<Record<'none' | Flood, number>> {
  const server = await startSheetlog(['--log-level', 'error', '--http-port', 'off']);
  const out = {} as Record<'none' | Flood, number>;
  try {
    out.none = p99(await healthyBoard(server.port, `healthy-${r}-none`, WINDOW_MS));
    for (const kind of KINDS) {
      // The flood lasts well past the window (a loaded machine stretches it) and is killed after it.
      const { child, exited } = await startFlood(kind, server.port, WINDOW_MS + 60_000);
      try {
        out[kind] = p99(await healthyBoard(server.port, `healthy-${r}-${kind}`, WINDOW_MS));
      } finally {
        child.kill('SIGKILL');
        await exited;
      }
      process.stderr.write(
        `round ${r + 1} ${kind}: p99 ${out[kind].toFixed(1)} ms (without: ${out.none.toFixed(1)} ms), ratio ${(out[kind] / out.none).toFixed(2)}, load ${loadavg().map((v) => v.toFixed(2)).join('/')}\n`,
      );
    }
  } finally {
    await server.stop();
  }
  return out;
}

const rounds: Record<'none' | Flood, number>[] = [];
const loads: number[][] = [];
// The machine's load decides how far these figures can be trusted: say it before and after each round.
const loadAtStart = loadavg();
for (let r = 0; r < ROUNDS; r++) {
  rounds.push(await round(r));
  loads.push(loadavg());
}
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const fmt = (x: number) => x.toFixed(1);
const none = rounds.map((x) => x.none);
process.stdout.write(
  `${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), load average (1/5/15 min) at the start: ${loadAtStart.map((v) => v.toFixed(2)).join('/')}, after each round: ${loads.map((l) => l.map((v) => v.toFixed(2)).join('/')).join(', ')}\n\n`,
);
process.stdout.write('| flood | healthy board ACK p99, median (min–max) of 3 rounds | without the flood, same rounds | ratio of medians | target ≤ 5× |\n| --- | --- | --- | --- | --- |\n');
for (const kind of KINDS) {
  const xs = rounds.map((x) => x[kind]);
  const ratio = med(xs) / med(none);
  process.stdout.write(`| ${kind} | ${fmt(med(xs))} ms (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}) | ${fmt(med(none))} ms (${fmt(Math.min(...none))}–${fmt(Math.max(...none))}) | ${ratio.toFixed(2)} | ${ratio <= 5 ? 'met' : 'missed'} |\n`);
}

/** Waits for 'drain' or 'close' (at most `ms`), leaving no listener behind. */
function drainOrClose(s: Socket, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      s.off('drain', done);
      s.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    s.once('drain', done);
    s.once('close', done);
  });
}

/** The flood side (a child process): runs `kind` against the gateway for `ms`, bounded. */
async function runFlood(kind: Flood, port: number, ms: number): Promise<void> {
  const end = Date.now() + ms;
  const sockets = new Set<Socket>();
  const open = (localAddress?: string) =>
    new Promise<Socket | null>((resolve) => {
      const s = connect({ host: '127.0.0.1', port, ...(localAddress ? { localAddress } : {}) });
      s.on('error', () => resolve(null));
      s.on('close', () => sockets.delete(s));
      s.once('connect', () => {
        sockets.add(s);
        resolve(s);
      });
    });
  const pingChunk = 'PING\n'.repeat(1000);
  const flooder = async (i: number, hello: boolean): Promise<void> => {
    while (Date.now() < end) {
      const s = await open();
      if (s === null) continue;
      if (hello) s.write(`HELLO flood-${i} tok-flood-${i} boot=1 up=0\n`);
      s.pause(); // never read a reply
      while (Date.now() < end && !s.destroyed) {
        if (!s.write(pingChunk)) await drainOrClose(s, 200);
      }
      s.destroy();
    }
  };
  const workers: Promise<void>[] = [];
  if (kind === 'ping' || kind === 'unauth') for (let i = 0; i < 50; i++) workers.push(flooder(i, kind === 'ping'));
  if (kind === 'burst') {
    const all = await Promise.all(Array.from({ length: 4500 }, () => open()));
    all.forEach((s, i) => s?.write(`HELLO burst-${i} tok-burst-${i} boot=1 up=0\n`));
    while (Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  }
  if (kind === 'storm') {
    for (let i = 0; i < 200; i++) {
      workers.push(
        (async () => {
          while (Date.now() < end) {
            const s = await open();
            if (s === null) continue;
            s.write(`HELLO storm-${i} tok-storm-${i} boot=1 up=0\n`);
            await Promise.race([once(s, 'data').catch(() => {}), new Promise((r) => setTimeout(r, 1000))]);
            s.destroy();
          }
        })(),
      );
    }
  }
  if (kind === 'guess') {
    // From another loopback address, so the throttle it earns does not touch the other clients.
    for (let i = 0; i < 20; i++) {
      workers.push(
        (async () => {
          let n = 0;
          while (Date.now() < end) {
            const s = await open('127.0.0.2');
            if (s === null) continue;
            s.write(`HELLO victim guess-${i}-${n++} boot=1 up=0\n`);
            await Promise.race([once(s, 'close').catch(() => {}), new Promise((r) => setTimeout(r, 10_000))]);
            s.destroy();
          }
        })(),
      );
    }
  }
  await Promise.all(workers);
  for (const s of sockets) s.destroy();
}
