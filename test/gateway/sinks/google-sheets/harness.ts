import { generateKeyPairSync } from 'node:crypto';
import { sheets, type sheets_v4 } from '@googleapis/sheets';
import { JWT } from 'google-auth-library';
import type { StoredReading } from '../../../../gateway/store/readings.js';
import type { Sink, WriteOutcome } from '../../../../gateway/sinks/contract.js';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../../../gateway/store/database.js';
import { RateLimiter } from '../../../../gateway/sinks/rate-limiter.js';
import type { SinkStateStore } from '../../../../gateway/store/sink-state/port.js';
import { SqliteSinkStateStore } from '../../../../gateway/store/sink-state/sqlite.js';
import { SheetsSink, type SheetsSinkOptions } from '../../../../gateway/sinks/google-sheets/sheets-sink.js';
import { systemTimers, type Timers } from '../../../../gateway/time/timers.js';
import { redirectTokenRequests, startSheetsEmulator, type SheetsEmulator, type SheetsEmulatorOptions } from '../../../sheets-emulator/index.js';
import type { SheetState } from '../../../sheets-emulator/index.js';
import { tempDir } from '../../../helpers/app.js';
import { memoryLog } from '../../../helpers/memory-log.js';

export const SPREADSHEET = 'sheetlog-test-book';
/** One RSA key per test process: generating one per emulator is slow. */
export const TEST_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

export interface SheetsHarness {
  emu: SheetsEmulator;
  dir: string;
  /** Service-account key file the emulator accepts. */
  credentials: string;
  db: Db;
  /** The store's state port over `db`, as a composition root hands it to the sinks. */
  state: SinkStateStore;
  logs: Record<string, unknown>[];
  sink(over?: Partial<SheetsSinkOptions>, timers?: Timers): SheetsSink;
  options(over?: Partial<SheetsSinkOptions>): SheetsSinkOptions;
  /** Every row of a tab (header included), cells as the API's unformatted values. */
  tab(title: string, spreadsheetId?: string): (string | number | boolean)[][];
  sheet(title: string, spreadsheetId?: string): SheetState | undefined;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Writes the SQLite file before the harness opens it (a store from an earlier sheetlog). */
  seedStore?: (path: string) => void;
}

export async function sheetsHarness(emuOptions: SheetsEmulatorOptions = {}, harnessOptions: HarnessOptions = {}): Promise<SheetsHarness> {
  // Google's quotas are tested on their own (with an injected clock); here they would only make
  // fast fault loops wait for the next minute.
  const quotas = { readsPerUser: 1e6, readsPerProject: 1e6, writesPerUser: 1e6, writesPerProject: 1e6 };
  const emu = await startSheetsEmulator({ spreadsheetIds: [SPREADSHEET], serviceAccount: { privateKeyPem: TEST_KEY }, quotas, ...emuOptions });
  const dir = tempDir('sheetlog-sheets-');
  const credentials = join(dir, 'credentials.json');
  writeFileSync(credentials, JSON.stringify(emu.serviceAccountCredentials()), { mode: 0o600 });
  harnessOptions.seedStore?.(join(dir, 'sheetlog.db'));
  const db = openDatabase({ path: join(dir, 'sheetlog.db'), synchronous: 'NORMAL', busyTimeoutMs: 1000 });
  const state = new SqliteSinkStateStore(db, Date.now);
  const { log, records } = memoryLog();
  const options = (over: Partial<SheetsSinkOptions> = {}): SheetsSinkOptions => ({
    spreadsheetId: SPREADSHEET,
    overflowSpreadsheetIds: [],
    credentials,
    layout: 'long',
    tab: 'readings',
    timeZone: 'UTC',
    rootUrl: emu.rootUrl,
    tokenUrl: emu.tokenUrl,
    requestTimeoutMs: 5000,
    maxRequestBytes: 1_800_000,
    growRows: 100,
    maxCellsPerSpreadsheet: 9_000_000,
    maxCellsPerTab: 0,
    authRetryMs: 1000,
    ...over,
  });
  const sheet = (title: string, id = SPREADSHEET) => emu.state(id).spreadsheets[0]?.sheets.find((s) => s.title === title);
  return {
    emu,
    dir,
    credentials,
    db,
    state,
    logs: records,
    options,
    sink: (over = {}, timers = systemTimers) =>
      new SheetsSink(options(over), {
        state,
        limiter: new RateLimiter({ readsPerWindow: 10_000, writesPerWindow: 10_000, windowMs: 60_000 }, timers),
        timers,
        log,
        random: seeded(7),
      }),
    sheet,
    tab: (title, id) => (sheet(title, id)?.values ?? []) as (string | number | boolean)[][],
    close: async () => {
      await emu.stop();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A small seeded RNG so sheet ids are reproducible. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** "device/boot/seq/sensor" of each data row of a long-layout tab. */
export function keysOfTab(rows: readonly (readonly (string | number | boolean)[])[]): string[] {
  return rows.slice(1).map((r) => `${r[1]}/${r[5]}/${r[4]}/${r[2]}`);
}

/** A person editing the spreadsheet: the real Sheets client with the emulator's credentials. */
export function userApi(emu: SheetsEmulator): sheets_v4.Sheets {
  const key = emu.serviceAccountCredentials();
  const jwt = new JWT({ email: key.client_email, key: key.private_key, keyId: key.private_key_id, scopes: ['https://www.googleapis.com/auth/spreadsheets'] });
  redirectTokenRequests(jwt, emu.tokenUrl);
  return sheets({ version: 'v4', auth: jwt as unknown as sheets_v4.Options['auth'], rootUrl: emu.rootUrl, retry: false });
}

/** Writes until the sink confirms everything (each answer recorded), at most `max` attempts. */
export async function writeUntilDelivered(sink: Sink, rows: StoredReading[], max = 50): Promise<WriteOutcome[]> {
  const outcomes: WriteOutcome[] = [];
  let pending = rows;
  while (pending.length > 0) {
    if (outcomes.length >= max) throw new Error(`not delivered after ${max} attempts: ${JSON.stringify(outcomes.slice(-3))}`);
    const o = await sink.write({ rows: pending });
    outcomes.push(o);
    if (o.kind === 'delivered') pending = pending.filter((r) => r.id > o.throughId);
    if (o.kind === 'rejected') throw new Error(`rejected: ${o.reason}`);
  }
  return outcomes;
}
