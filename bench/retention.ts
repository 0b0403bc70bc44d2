import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'node:http';
import Database from 'better-sqlite3';
import { openDatabase } from '../gateway/store/database.js';
import { FALLBACK_AUTOCHECKPOINT_BYTES } from '../gateway/store/checkpointer.js';
import { Retention } from '../gateway/store/retention.js';
import { percentile } from '../firmware-sim/loadgen.js';
import { startSheetlog } from './lib/servers.js';
import { writeStoreFile } from './lib/store-file.js';
import { LoadWindow, loadAverage, medianRange } from './lib/stats.js';

/*
 * npm run bench:retention [-- --quick]
 *
 * What a retention round holds the gateway's event loop for (the loop that reads the boards'
 * sockets and sends their ACKs). A store file of 1,000,000 readings (200,000 with --quick; the
 * store of bench:queries: 1,000 devices, every reading delivered) is copied fresh for each run.
 *
 * - The gateway: `sheetlog start` (compiled dist/) on a copy with `store.retentionHours: 0` and
 *   `store.pruneIntervalMs: 1000`, so its first round, a second after the start, prunes every
 *   reading. Meanwhile this process asks `/healthz` back to back over one kept-alive connection:
 *   a request waits while the event loop is held, so the longest round trip is about the longest
 *   stretch the loop was held. Until the round is over (the oldest reading left is the one the
 *   reference below kept).
 * - Idle, the floor: the same, on a copy with the default retention (nothing to prune), for 3 s.
 * - The reference in the same round: the round as it ran before commit ed257bd, every chunk (of
 *   5,000 readings then) in one synchronous call, on another copy in this process (the gateway's
 *   retention statements, its checkpoint setting). Its duration is how long it held the loop.
 *
 * 3 rounds; each figure is the median (min–max) of the rounds, with the load average.
 */

const quick = process.argv.includes('--quick');
const READINGS = quick ? 200_000 : 1_000_000;
const ROUNDS = 3;
const IDLE_MS = 3_000;
const DEADLINE_MS = 120_000;

function healthz(agent: Agent, port: number): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/healthz', agent }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`/healthz: HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

function copyStore(template: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'bench-retention-run-'));
  copyFileSync(join(template, 'sheetlog.db'), join(dir, 'sheetlog.db'));
  return dir;
}

/** Round trips of /healthz back to back until `done()` (checked every 5 requests) or `ms` ran out. */
async function probe(port: number, done: () => boolean, ms: number): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const trips: number[] = [];
  const until = performance.now() + ms;
  try {
    while (performance.now() < until) {
      trips.push(await healthz(agent, port));
      if (trips.length % 5 === 0 && done()) break;
    }
  } finally {
    agent.destroy();
  }
  return trips;
}

async function main(): Promise<void> {
  console.log(`bench:retention on ${cpus().length} cores (${cpus()[0]?.model.trim()}), node ${process.version}; load average ${loadAverage()}`);
  const template = mkdtempSync(join(tmpdir(), 'bench-retention-'));
  const figures = { before: [] as number[], pruned: [] as number[], longest: [] as number[], p99: [] as number[], round: [] as number[], idleLongest: [] as number[], idleP99: [] as number[] };
  const window = new LoadWindow();
  try {
    writeStoreFile(template, { readings: READINGS, busy: 1_000, rareEvery: 50_000, start: Date.now() - READINGS - 60_000 });
    for (let round = 0; round < ROUNDS; round++) {
      // The reference: retention as it ran before, every chunk of 5,000 in one call.
      const refDir = copyStore(template);
      let keptFrom: number;
      try {
        // As the gateway opens it: the sync thread checkpoints, so commits checkpoint only past 64 MB of WAL.
        const db = openDatabase({ path: join(refDir, 'sheetlog.db'), synchronous: 'FULL', busyTimeoutMs: 5000, autocheckpointBytes: FALLBACK_AUTOCHECKPOINT_BYTES });
        const delivered = db.prepare("SELECT last_id FROM sink_cursors WHERE sink = 'csv'").pluck().get() as number;
        const t0 = performance.now();
        figures.pruned.push(new Retention(db, 5_000).prune(delivered, Date.now()));
        figures.before.push(performance.now() - t0);
        keptFrom = db.prepare('SELECT min(id) FROM readings').pluck().get() as number;
        db.close();
      } finally {
        rmSync(refDir, { recursive: true, force: true });
      }

      // The gateway's round.
      const runDir = copyStore(template);
      try {
        const gateway = await startSheetlog(['--http-port', '0', '--log-level', 'warn'], { SHEETLOG_STORE__RETENTION_HOURS: '0', SHEETLOG_STORE__PRUNE_INTERVAL_MS: '1000' }, runDir);
        const reader = new Database(join(runDir, 'sheetlog.db'), { readonly: true });
        let firstPruned = 0;
        let finished = 0;
        try {
          const top = reader.prepare('SELECT min(id) FROM readings').pluck();
          const t0 = performance.now();
          const trips = await probe(
            gateway.httpPort!,
            () => {
              const low = top.get() as number;
              if (firstPruned === 0 && low > 1) firstPruned = performance.now() - t0;
              if (low >= keptFrom) finished = performance.now() - t0;
              return low >= keptFrom;
            },
            DEADLINE_MS,
          );
          if (finished === 0) throw new Error(`the round did not end within ${DEADLINE_MS / 1000} s`);
          figures.longest.push(Math.max(...trips));
          figures.p99.push(percentile(Float64Array.from(trips).sort(), 99));
          figures.round.push(finished - firstPruned);
        } finally {
          reader.close();
          await gateway.stop();
        }
      } finally {
        rmSync(runDir, { recursive: true, force: true });
      }

      // Idle: nothing to prune.
      const idleDir = copyStore(template);
      try {
        const gateway = await startSheetlog(['--http-port', '0', '--log-level', 'warn'], {}, idleDir);
        try {
          const trips = await probe(gateway.httpPort!, () => false, IDLE_MS);
          figures.idleLongest.push(Math.max(...trips));
          figures.idleP99.push(percentile(Float64Array.from(trips).sort(), 99));
        } finally {
          await gateway.stop();
        }
      } finally {
        rmSync(idleDir, { recursive: true, force: true });
      }
    }
  } finally {
    rmSync(template, { recursive: true, force: true });
  }
  const ms = (n: number) => `${n.toFixed(n < 10 ? 2 : 1)} ms`;
  const count = (n: number) => n.toLocaleString('en-US');
  console.log(`\n| ${count(READINGS)} readings stored, all prunable | readings pruned | longest /healthz round trip | p99 round trip | the round (first chunk seen to last) |`);
  console.log('| --- | ---: | ---: | ---: | ---: |');
  console.log(`| the gateway: a chunk per turn of the event loop | ${medianRange(figures.pruned, count)} | ${medianRange(figures.longest, ms)} | ${medianRange(figures.p99, ms)} | ${medianRange(figures.round, ms)} |`);
  console.log(`| the gateway idle, nothing to prune (3 s) | 0 | ${medianRange(figures.idleLongest, ms)} | ${medianRange(figures.idleP99, ms)} | |`);
  console.log(`| before ed257bd: every chunk of 5,000 in one call (its duration) | ${medianRange(figures.pruned, count)} | ${medianRange(figures.before, ms)} | | ${medianRange(figures.before, ms)} |`);
  console.log(`\n${window.end()}`);
}

await main();
