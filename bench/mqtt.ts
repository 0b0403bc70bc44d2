import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cpus } from 'node:os';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import { mosquittoMissing, startMosquitto, type Mosquitto } from '../test/helpers/mqtt.js';
import { startSheetlog, UNBUDGETED_ENV, type ServerUnderTest } from './lib/servers.js';
import { cpuSecondsOf, LoadWindow, median, medianRange } from './lib/stats.js';

/*
 * npm run bench:mqtt [-- --quick]      (builds dist/ first, like bench:ingest)
 *
 * Readings/s through Mosquitto at QoS 1 into the gateway WITH durability: `sheetlog start` from the
 * compiled dist/ with its defaults (2 ms group commit, synchronous=FULL), PUBACK to the broker only
 * after the SQLite commit, and the run ends when the end-to-end `ACK <seq> boot=<b>` of every
 * device's last reading has arrived on the ack topics. Next to it, the raw broker throughput
 * measured in the same run with the same publisher: the same readings through the same Mosquitto to
 * a subscriber process that only counts them (MQTT.js, MQTT 5, QoS 1, PUBACK at once, the same
 * receive maximum as the gateway's). Runs alternate; the median of the repeats counts.
 *
 * Bounded: every wait has a deadline, a watchdog ends the whole run after WATCHDOG_MS, and every
 * process started here (Mosquitto, the gateways, the counting subscribers) is killed on the way out.
 */

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const quick = process.argv.includes('--quick');
const TOTAL = quick ? 20_000 : 200_000;
const REPEATS = 3; // --quick too: one round on a shared machine says nothing
const DEVICES = 20;
const WINDOW = 500; // QoS 1 publishes in flight from the publisher at once
const RECEIVE_MAXIMUM = 1000; // the gateway's default mqtt.receiveMaximum; the raw subscriber's too
const TARGET = 0.8;
const PHASE_MS = 120_000;
const STALL_MS = 15_000;
const WATCHDOG_MS = 10 * 60_000;

if (process.argv[2] === '--raw-subscriber') {
  await rawSubscriber(process.argv[3] as string, Number(process.argv[4]));
  process.exit(0);
}

const readingTopic = (d: number) => `sheetlog/bench-${d}/r`;
const readingPayload = (seq: number, boot: number) => `boot=${boot} R ${seq} - temp_c=${(20 + (seq % 100) / 10).toFixed(1)} humidity=${40 + (seq % 20)}`;

/** Everything started here, so that no exit path leaves a process behind. */
const children = new Set<ChildProcess>();
const gateways = new Set<ServerUnderTest>();
function killAll(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const g of gateways) {
    try {
      process.kill(g.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
process.once('exit', killAll);

/** The one publisher: TOTAL readings over DEVICES topics, at most WINDOW unacknowledged. */
async function publish(url: string, boot: number): Promise<void> {
  const client = await connect(url, { clientId: `bench-pub-${boot}`, clean: true });
  let next = 0;
  let inFlight = 0;
  await new Promise<void>((resolve, reject) => {
    const pump = () => {
      while (inFlight < WINDOW && next < TOTAL) {
        const i = next++;
        inFlight++;
        client.publish(readingTopic(i % DEVICES), readingPayload(Math.floor(i / DEVICES) + 1, boot), { qos: 1 }, (err) => {
          if (err) return reject(err);
          inFlight--;
          if (next === TOTAL && inFlight === 0) resolve();
          else pump();
        });
      }
    };
    pump();
  });
  await client.endAsync();
}

async function connect(url: string, options: mqtt.IClientOptions): Promise<MqttClient> {
  const client = mqtt.connect(url, { reconnectPeriod: 0, ...options });
  await deadline(
    new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    }),
    `connecting ${String(options.clientId)}`,
    10_000,
  );
  return client;
}

/** Child process: counts readings at QoS 1 and says when it has them all. */
async function rawSubscriber(url: string, n: number): Promise<void> {
  const client = await connect(url, { clientId: `bench-raw-${process.pid}`, clean: true, protocolVersion: 5, properties: { receiveMaximum: RECEIVE_MAXIMUM } });
  let got = 0;
  const all = new Promise<void>((resolve) => client.on('message', () => ++got === n && resolve()));
  await client.subscribeAsync('sheetlog/+/r', { qos: 1 });
  process.stdout.write('ready\n');
  await all;
  process.stdout.write('done\n');
  await client.endAsync();
}

const linesOf = new WeakMap<ChildProcess, Interface>();

/** Resolves at the child's first stdout line satisfying `pred`; rejects if the child exits first. */
function lineFrom(child: ChildProcess, pred: (line: string) => boolean, what: string): Promise<void> {
  let lines = linesOf.get(child);
  if (lines === undefined) linesOf.set(child, (lines = createInterface({ input: child.stdout! })));
  const input = lines;
  return new Promise<void>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`${what}: process exited ${code}`));
    const onLine = (l: string) => {
      if (!pred(l)) return;
      input.off('line', onLine);
      child.off('exit', onExit);
      resolve();
    };
    input.on('line', onLine);
    child.once('exit', onExit);
  });
}

/** A phase that stalls fails loudly instead of hanging the benchmark. */
async function deadline<T>(p: Promise<T>, what: string, ms = PHASE_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`bench:mqtt: timed out: ${what}`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

async function rawRun(url: string, boot: number): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/mqtt.ts', '--raw-subscriber', url, String(TOTAL)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  const exited = once(child, 'exit');
  const said = (word: string) => lineFrom(child, (l) => l === word, `raw subscriber (${word})`);
  try {
    const ready = said('ready');
    const done = said('done');
    done.catch(() => {}); // awaited below; a failure before that is reported by `ready`
    await deadline(ready, 'raw subscriber ready');
    const start = performance.now();
    await deadline(publish(url, boot), 'publishing (raw)');
    await deadline(done, 'raw subscriber receiving everything');
    return (TOTAL / (performance.now() - start)) * 1000;
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    children.delete(child);
  }
}

/**
 * Collects the gateway's `ACK <seq> boot=<b>` replies on every device's ack topic. `complete`
 * resolves once every one of the DEVICES has its reading `perDevice` acknowledged in boot `boot`.
 */
async function ackWatcher(url: string, boot: number, perDevice: number) {
  const client = await connect(url, { clientId: `bench-acks-${boot}`, clean: true });
  const acked = new Map<string, number>();
  let devicesDone = 0;
  let onComplete: () => void = () => {};
  const complete = new Promise<void>((resolve) => (onComplete = resolve));
  client.on('message', (topic, payload) => {
    const m = /^ACK (\d+) boot=(\d+)$/.exec(payload.toString());
    if (m === null || Number(m[2]) !== boot) return;
    const prev = acked.get(topic) ?? 0;
    const seq = Number(m[1]);
    acked.set(topic, Math.max(prev, seq));
    if (topic.startsWith('sheetlog/bench-') && prev < perDevice && seq >= perDevice && ++devicesDone === DEVICES) onComplete();
  });
  await client.subscribeAsync('sheetlog/+/ack', { qos: 0 });
  const progress = () => [...acked].reduce((sum, [topic, seq]) => sum + (topic.startsWith('sheetlog/bench-') ? seq : 0), 0);
  return { client, complete, acked, progress };
}

/** Waits for `done`, failing early when the acknowledged count stops moving (a lost reading). */
async function withoutStall(done: Promise<void>, progress: () => number, expected: number): Promise<void> {
  let last = -1;
  let since = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setInterval(() => {
      const now = progress();
      if (now !== last) [last, since] = [now, Date.now()];
      else if (Date.now() - since > STALL_MS) reject(new Error(`bench:mqtt: acknowledgements stopped at ${now} of ${expected} readings`));
    }, 500);
  });
  try {
    await deadline(Promise.race([done, stalled]), 'the gateway acknowledging everything');
  } finally {
    clearInterval(timer);
  }
}

/**
 * The gateway is ready once a probe reading published at QoS 1 comes back acknowledged: that needs
 * its subscriptions in place (a reading published before them reaches nobody, so the probe repeats).
 */
async function waitReady(url: string, boot: number): Promise<void> {
  const probe = await ackWatcher(url, boot, 0);
  const publisher = await connect(url, { clientId: `bench-probe-${boot}`, clean: true });
  try {
    let seq = 0;
    const acked = () => (probe.acked.get('sheetlog/probe/ack') ?? 0) > 0;
    const start = Date.now();
    while (!acked()) {
      if (Date.now() - start > 30_000) throw new Error('bench:mqtt: the gateway never acknowledged the probe reading');
      // low= says the earlier probes are given up: those published before the subscription reached
      // nobody, and an ACK never covers a gap the board has not declared (docs/PROTOCOL.md 9.5).
      seq++;
      await publisher.publishAsync('sheetlog/probe/r', `boot=${boot} low=${seq} R ${seq} - probe=1`, { qos: 1 });
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await publisher.endAsync();
    await probe.client.endAsync();
  }
}

/**
 * Drops the gateway's persistent session at the broker (a clean-session CONNECT with its client id).
 * Otherwise the next raw run's readings would be queued in it and delivered to the next gateway.
 */
async function dropSession(url: string, clientId: string): Promise<void> {
  const client = await connect(url, { clientId, clean: true });
  await client.endAsync();
}

/** `sheetlog start` from dist/ (bench/lib/servers.ts) with MQTT on, defaults otherwise; a fresh data dir. */
/** Readings/s, and the gateway's CPU time (user + system, all threads) per reading. */
async function gatewayRun(url: string, boot: number): Promise<{ perSecond: number; cpuUsPerReading: number }> {
  const clientId = `bench-gateway-${boot}`;
  const gw = await startSheetlog(['--log-level', 'warn', '--http-port', 'off'], { ...UNBUDGETED_ENV, SHEETLOG_MQTT__URL: url, SHEETLOG_MQTT__CLIENT_ID: clientId });
  gateways.add(gw);
  try {
    await waitReady(url, boot);
    const watcher = await ackWatcher(url, boot, TOTAL / DEVICES);
    const cpuBefore = cpuSecondsOf(gw.pid);
    const start = performance.now();
    await deadline(publish(url, boot), 'publishing (gateway)');
    await withoutStall(watcher.complete, watcher.progress, TOTAL);
    const rate = (TOTAL / (performance.now() - start)) * 1000;
    const cpu = cpuSecondsOf(gw.pid) - cpuBefore;
    await watcher.client.endAsync();
    return { perSecond: rate, cpuUsPerReading: (cpu * 1e6) / TOTAL };
  } finally {
    await gw.stop();
    gateways.delete(gw);
    await dropSession(url, clientId);
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const missing = mosquittoMissing();
  if (missing !== null) {
    process.stderr.write(`bench:mqtt needs Mosquitto: ${missing}\n`);
    process.exitCode = 1;
    return;
  }
  const watchdog = setTimeout(() => {
    process.stderr.write(`bench:mqtt: still running after ${WATCHDOG_MS / 60_000} minutes; giving up\n`);
    process.exit(1); // the exit handlers kill every child
  }, WATCHDOG_MS);
  watchdog.unref();
  const window = new LoadWindow();
  process.stderr.write(`bench:mqtt on ${cpus().length} cores, node ${process.version}: ${fmt(TOTAL)} readings per run, ${REPEATS} rounds\n`);
  // The gateway falls behind the publisher (the broker PUBACKs the publisher on receipt), so the
  // broker queues for it: Mosquitto must not cap that queue (its default, 1000, drops the rest).
  const broker: Mosquitto = await startMosquitto(['max_queued_messages 0']);
  try {
    const raw: number[] = [];
    const gw: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      raw.push(await rawRun(broker.url, 1000 + i));
      process.stderr.write(`  run ${i + 1}: raw ${fmt(raw[i] as number)}/s\n`);
      const g = await gatewayRun(broker.url, 2000 + i);
      gw.push(g.perSecond);
      cpu.push(g.cpuUsPerReading);
      process.stderr.write(`  run ${i + 1}: sheetlog ${fmt(g.perSecond)}/s, ${g.cpuUsPerReading.toFixed(1)} µs CPU per reading\n`);
    }
    // Each round's two runs are next to each other in time, so their ratio is the least disturbed by
    // load that comes and goes on a shared machine: the median of those ratios is the result.
    const ratios = gw.map((x, i) => x / (raw[i] as number));
    const ratio = median(ratios);
    const loadText = window.end();
    const r2 = (n: number) => n.toFixed(2);
    process.stdout.write(
      [
        `| ${fmt(TOTAL)} readings, ${DEVICES} topics, QoS 1, ${WINDOW} in flight | readings/s, median (min–max) of ${REPEATS} |`,
        '| --- | ---: |',
        `| raw: Mosquitto → counting subscriber | ${medianRange(raw, fmt)} |`,
        `| sheetlog: Mosquitto → gateway, durable (SQLite FULL) before PUBACK, end-to-end ACK received | ${medianRange(gw, fmt)} |`,
        `| sheetlog CPU per reading (user + system, all threads) | ${medianRange(cpu, (n) => `${n.toFixed(1)} µs`)} |`,
        '',
        `ratio sheetlog / raw, each round's pair: median (min–max) ${medianRange(ratios, r2)} (target ≥ ${TARGET}: ${ratio >= TARGET ? 'met' : 'MISSED'}); ${loadText}`,
        '',
      ].join('\n'),
    );
  } finally {
    await broker.stop();
    killAll();
  }
}

await main();
