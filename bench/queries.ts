import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import Database from 'better-sqlite3';
import { DEFAULT_SCAN_BUDGET, READING_COLUMNS } from '../gateway/store/recent-readings.js';
import { startSheetlog } from './lib/servers.js';
import { writeStoreFile } from './lib/store-file.js';
import { LoadWindow, loadAverage, median, medianRange } from './lib/stats.js';

/*
 * npm run bench:queries [-- --quick]
 *
 * What one `readings.list` request costs the gateway's event loop (the one that reads the boards'
 * sockets and sends their ACKs) on a large buffer. A store file of 1,000,000 readings (200,000
 * with --quick) is written with the gateway's own writer: 1,000 busy devices in turn, and a device
 * `rare` with one reading in every 50,000, the only readings carrying the field `door`. Every
 * reading counts as delivered (the CSV sink's cursor at the top), so the gateway syncs nothing.
 * `sheetlog start` (compiled dist/, defaults, HTTP on a free port) opens it, and for each query:
 *
 * - one request: the HTTP round trip of the first page (limit 100) from this process, the median
 *   of 10 requests (a new connection each); while it runs the gateway's event loop does nothing
 *   else. The query with no filter, whose page is the newest 100 readings, shows what a request
 *   costs besides its scan (connection, routing, JSON);
 * - the walk: every page, following nextCursor until it is null (pages, total time);
 * - the unbounded statement, the reference in the same round: the SQL a request ran before the
 *   scan budget (commit c50c680), one statement with no id range, run here through better-sqlite3
 *   on the same file (the median of 3): what one request held the event loop for before.
 *
 * 3 rounds; each figure is the median (min–max) of the rounds, with the load average.
 */

const quick = process.argv.includes('--quick');
const READINGS = quick ? 200_000 : 1_000_000;
const BUSY = 1_000;
const RARE_EVERY = 50_000;
const ROUNDS = 3;
const REQUESTS = 10;
const LIMIT = 100;

interface Shape {
  name: string;
  query: string;
  /** The statement a request ran before the budget, with its arguments. */
  before: (db: Database.Database) => unknown[];
  /** Page to the end (not for the query with no filter: a million readings, a hundred a page). */
  walk?: false;
}

function get(port: number, path: string): Promise<{ ms: number; body: { result: { readings: { id: number }[]; nextCursor: string | null } } }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`${path}: HTTP ${res.statusCode} ${Buffer.concat(chunks).toString()}`));
        resolve({ ms: performance.now() - started, body: JSON.parse(Buffer.concat(chunks).toString()) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function main(): Promise<void> {
  console.log(`bench:queries on ${cpus().length} cores (${cpus()[0]?.model.trim()}), node ${process.version}; load average ${loadAverage()}`);
  const dir = mkdtempSync(join(tmpdir(), 'bench-queries-'));
  const start = Date.now() - READINGS;
  try {
    const built = performance.now();
    writeStoreFile(dir, { readings: READINGS, busy: BUSY, rareEvery: RARE_EVERY, start });
    console.log(`a store of ${READINGS.toLocaleString('en-US')} readings written in ${((performance.now() - built) / 1000).toFixed(1)} s; budget ${DEFAULT_SCAN_BUDGET.ids.toLocaleString('en-US')} ids a request (${DEFAULT_SCAN_BUDGET.sensorIds.toLocaleString('en-US')} with a sensor filter)`);
    const oldFrom = start + 1_000;
    const shapes: Shape[] = [
      {
        name: 'no filter (the newest 100: what a request costs besides its scan)',
        query: '',
        before: (db) => db.prepare(`SELECT ${READING_COLUMNS} FROM readings ORDER BY id DESC LIMIT ?`).all(LIMIT + 1),
        walk: false,
      },
      {
        name: '`device=rare` (a reading in every 50,000)',
        query: 'device=rare',
        // Since migration 13 the device's query started at its newest reading, then stepped down unbounded.
        before: (db) => {
          const newest = db.prepare("SELECT last_id FROM devices WHERE id = 'rare'").pluck().get() as number;
          return db.prepare(`SELECT ${READING_COLUMNS} FROM readings WHERE id <= ? AND device = ? ORDER BY id DESC LIMIT ?`).all(newest, 'rare', LIMIT + 1);
        },
      },
      {
        name: '`device=busy-0001` (a reading in every 1,000)',
        query: 'device=busy-0001',
        before: (db) => {
          const newest = db.prepare("SELECT last_id FROM devices WHERE id = 'busy-0001'").pluck().get() as number;
          return db.prepare(`SELECT ${READING_COLUMNS} FROM readings WHERE id <= ? AND device = ? ORDER BY id DESC LIMIT ?`).all(newest, 'busy-0001', LIMIT + 1);
        },
      },
      {
        name: '`device=nobody` (an unknown id)',
        query: 'device=nobody',
        before: (db) => db.prepare(`SELECT ${READING_COLUMNS} FROM readings WHERE device = ? ORDER BY id DESC LIMIT ?`).all('nobody', LIMIT + 1),
      },
      {
        name: '`sensor=door` (only `rare` sends it)',
        query: 'sensor=door',
        before: (db) => db.prepare(`SELECT ${READING_COLUMNS} FROM readings WHERE EXISTS (SELECT 1 FROM json_each(fields) WHERE key = ?) ORDER BY id DESC LIMIT ?`).all('door', LIMIT + 1),
      },
      {
        name: '`from`/`to`: a second among the oldest (1,000 readings)',
        query: `from=${oldFrom}&to=${oldFrom + 1_000}`,
        before: (db) => db.prepare(`SELECT ${READING_COLUMNS} FROM readings WHERE ts >= ? AND ts < ? ORDER BY id DESC LIMIT ?`).all(oldFrom, oldFrom + 1_000, LIMIT + 1),
      },
    ];
    type Figures = { request: number[]; pages: number[]; walk: number[]; found: number[]; before: number[]; load: string };
    const figures = new Map<string, Figures>(shapes.map((s) => [s.name, { request: [], pages: [], walk: [], found: [], before: [], load: '' }]));
    const gateway = await startSheetlog(['--http-port', '0', '--log-level', 'warn'], {}, dir);
    try {
      const port = gateway.httpPort!;
      const reader = new Database(join(dir, 'sheetlog.db'), { readonly: true });
      try {
        for (const shape of shapes) {
          const f = figures.get(shape.name)!;
          const window = new LoadWindow();
          for (let round = 0; round < ROUNDS; round++) {
            const before: number[] = [];
            for (let i = 0; i < 3; i++) {
              const t0 = performance.now();
              shape.before(reader);
              before.push(performance.now() - t0);
            }
            f.before.push(median(before));
            const one: number[] = [];
            for (let i = 0; i < REQUESTS; i++) one.push((await get(port, `/api/v1/readings?limit=${LIMIT}${shape.query ? `&${shape.query}` : ''}`)).ms);
            f.request.push(median(one));
            if (shape.walk === false) continue;
            let cursor: string | null = '';
            let pages = 0;
            let found = 0;
            const t0 = performance.now();
            while (cursor !== null) {
              const page = await get(port, `/api/v1/readings?limit=${LIMIT}${shape.query ? `&${shape.query}` : ''}${cursor ? `&cursor=${cursor}` : ''}`);
              found += page.body.result.readings.length;
              cursor = page.body.result.nextCursor;
              pages++;
            }
            f.walk.push(performance.now() - t0);
            f.pages.push(pages);
            f.found.push(found);
          }
          f.load = window.end();
        }
      } finally {
        reader.close();
      }
    } finally {
      await gateway.stop();
    }
    const ms = (n: number) => `${n.toFixed(n < 10 ? 2 : 1)} ms`;
    const count = (n: number) => n.toLocaleString('en-US');
    console.log(`\n| query, limit ${LIMIT}, ${count(READINGS)} readings stored | one request (the first page) | the unbounded statement (before c50c680) | pages to the end | the whole walk | readings found | load average |`);
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | --- |');
    for (const shape of shapes) {
      const f = figures.get(shape.name)!;
      console.log(`| ${shape.name} | ${medianRange(f.request, ms)} | ${medianRange(f.before, ms)} | ${medianRange(f.pages, count)} | ${medianRange(f.walk, ms)} | ${medianRange(f.found, count)} | ${f.load} |`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
