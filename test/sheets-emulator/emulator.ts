// startSheetsEmulator(): the factory that owns one emulator instance. Defaults are applied
// here, in one place; contradictory options fail before anything listens.

import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { Authority, type OAuthClientCredentials, type ServiceAccountKey } from './auth.js';
import { type BetweenHook, Clock, type EmulatorContext, type EmulatorUrls, RequestLog, type RequestLogEntry, resetAll, resetSpreadsheets } from './context.js';
import { SpecError } from './errors.js';
import { type FaultConfig, FaultInjector, type QueuedFault, faultConfigFrom, noFaults } from './faults.js';
import { DEFAULT_GRID, DEFAULT_MAX_CELLS, type GridDefaults } from './model.js';
import { DEFAULT_QUOTAS, type QuotaLimits, QuotaTracker } from './quota.js';
import { type Person, personIn } from './person.js';
import { createRequestListener } from './server.js';
import { type EmulatorState, type SpreadsheetTabs, snapshot, tabsView } from './state.js';

export interface SheetsEmulatorOptions {
  /** TCP port on 127.0.0.1; default 0 (any free port). */
  port?: number;
  /** Spreadsheets that exist from the start, each with one empty `Sheet1`; default ["emulated-spreadsheet"]. */
  spreadsheetIds?: string[];
  /**
   * An authenticated API call naming an unknown spreadsheet id creates it (one empty `Sheet1`)
   * instead of Google's 404; default false (faithful to Google). The CLI turns it on.
   */
  createOnFirstUse?: boolean;
  /** Clock for token expiry and quota windows; default Date.now. Inject it so tests never sleep. */
  now?: () => number;
  /** How injected latency waits; default a real timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Faults at start: a spec string (see faults.ts) or a FaultConfig; default none. */
  faults?: string | Partial<FaultConfig>;
  /** Quota overrides; default 60/min per user and 300/min per project, for reads and for writes. */
  quotas?: Partial<QuotaLimits>;
  /** Grid of new tabs; default 1000 rows x 26 columns. */
  defaultGrid?: GridDefaults;
  /** Workbook cell limit; default 10,000,000. */
  maxCells?: number;
  /** Access-token lifetime; default 3600 s. */
  tokenLifetimeSeconds?: number;
  /** Reuse a service-account key (PEM) instead of generating a fresh one per instance. */
  serviceAccount?: { clientEmail?: string; privateKeyPem?: string };
  /**
   * Called for every request the log records, at the moment it is logged: an API call's changes
   * are visible in the model by then, and `response` is the JSON answer of one that was applied
   * (also when the answer was then dropped), else undefined. For tests and benchmarks that
   * observe the emulator without polling it.
   */
  onRequest?: (entry: RequestLogEntry, response: unknown) => void;
}

export interface SheetsEmulator {
  /** http://127.0.0.1:PORT */
  url: string;
  /** url + "/", for `sheets({ rootUrl })`. */
  rootUrl: string;
  /** url + "/token", for `endpoints.oauth2TokenUrl` and the service-account redirect. */
  tokenUrl: string;
  /** url + "/o/oauth2/v2/auth", for `endpoints.oauth2AuthBaseUrl` (loopback consent, no UI). */
  authUrl: string;
  /** A service-account key JSON this emulator accepts (token_uri = tokenUrl). */
  serviceAccountCredentials(): ServiceAccountKey;
  /** An installed-app client with a refresh token this emulator accepts (`authorized_user` shape). */
  oauthClientCredentials(): OAuthClientCredentials;
  state(spreadsheetId?: string): EmulatorState;
  /** Same JSON as GET /_emulator/spreadsheets/<id>: every tab's rows as shown; undefined for an unknown id. */
  tabs(spreadsheetId: string): SpreadsheetTabs | undefined;
  setFaults(spec: string | Partial<FaultConfig>): void;
  queueFault(fault: Omit<QueuedFault, 'count'> & { count?: number }): void;
  expireTokens(): void;
  issueAuthorizationCode(opts?: { redirectUri?: string; scope?: string; codeChallenge?: string; codeChallengeMethod?: string }): string;
  requests(): RequestLogEntry[];
  /** Advances the emulator's clock (on top of the injected one). */
  advanceClock(ms: number): number;
  reset(): void;
  /**
   * Test hook: `hook` runs just before each later API call is applied (after auth, faults and
   * quota), so a test can play a person editing between any two requests; undefined removes it.
   */
  between(hook: BetweenHook | undefined): void;
  /** A person editing the spreadsheet in the browser, as its owner (see person.ts). */
  person(spreadsheetId: string): Person;
  /** Closes the server and every open connection; idempotent. */
  stop(): Promise<void>;
}

function validate(options: SheetsEmulatorOptions): void {
  const grid = options.defaultGrid ?? DEFAULT_GRID;
  if (!Number.isInteger(grid.rowCount) || grid.rowCount < 1 || !Number.isInteger(grid.columnCount) || grid.columnCount < 1) {
    throw new SpecError('defaultGrid needs positive integer rowCount and columnCount');
  }
  const ids = options.spreadsheetIds ?? [];
  for (const id of ids) if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new SpecError(`spreadsheet id "${id}" must match [A-Za-z0-9_-]+ like Google's`);
  if (new Set(ids).size !== ids.length) throw new SpecError('spreadsheet ids must be unique');
  if ((options.maxCells ?? DEFAULT_MAX_CELLS) < grid.rowCount * grid.columnCount) throw new SpecError('maxCells is smaller than one default sheet');
}

export async function startSheetsEmulator(options: SheetsEmulatorOptions = {}): Promise<SheetsEmulator> {
  validate(options);
  const grid = options.defaultGrid ?? DEFAULT_GRID;
  const clock = new Clock(options.now ?? Date.now);
  const quotas = { ...DEFAULT_QUOTAS, ...options.quotas };
  const faults = new FaultInjector(options.faults === undefined ? noFaults() : faultConfigFrom(options.faults));
  const server = createServer();
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const urls: EmulatorUrls = { url, rootUrl: `${url}/`, tokenUrl: `${url}/token`, authUrl: `${url}/o/oauth2/v2/auth` };
  const ctx: EmulatorContext = {
    data: { spreadsheets: new Map(), maxCells: options.maxCells ?? DEFAULT_MAX_CELLS, grid },
    initialSpreadsheetIds: options.spreadsheetIds ?? ['emulated-spreadsheet'],
    createOnFirstUse: options.createOnFirstUse ?? false,
    authority: new Authority({ now: clock.now, tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3600, urls, serviceAccount: options.serviceAccount }),
    quotas: new QuotaTracker(quotas),
    faults,
    clock,
    sleep: options.sleep ?? ((ms) => delay(ms)),
    requestLog: new RequestLog(),
    callsApplied: 0,
    ...(options.onRequest ? { onRequest: options.onRequest } : {}),
  };
  resetSpreadsheets(ctx);
  server.on('request', createRequestListener(ctx, urls));

  let stopped: Promise<void> | undefined;
  return {
    ...urls,
    serviceAccountCredentials: () => ctx.authority.serviceAccountKey(),
    oauthClientCredentials: () => ctx.authority.oauthClientCredentials(),
    state: (id) => snapshot(ctx.data.spreadsheets.values(), id),
    tabs: (id) => {
      const spreadsheet = ctx.data.spreadsheets.get(id);
      return spreadsheet && tabsView(spreadsheet);
    },
    setFaults: (spec) => ctx.faults.configure(faultConfigFrom(spec)),
    queueFault: (fault) => ctx.faults.enqueue({ count: 1, ...fault }),
    expireTokens: () => ctx.authority.expireAccessTokens(),
    issueAuthorizationCode: (opts) => ctx.authority.issueAuthorizationCode(opts),
    requests: () => ctx.requestLog.list(),
    advanceClock: (ms) => ctx.clock.advance(ms),
    reset: () => resetAll(ctx),
    between: (hook) => {
      if (hook) ctx.between = hook;
      else delete ctx.between;
    },
    person: (id) => personIn(ctx, id),
    stop: () => {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive sockets (node-fetch keeps them) would hold close() open forever.
        for (const s of sockets) s.destroy();
      });
      return stopped;
    },
  };
}
