// Everything one emulator instance owns, created by its factory: the data, the OAuth
// authority, quotas, faults, the clock and the request log. Nothing lives at module level,
// so several emulators can run side by side in one test process.

import type { Authority } from './auth.js';
import { type FaultInjector, noFaults } from './faults.js';
import { type SheetsData, newSpreadsheet } from './model.js';
import type { QuotaTracker } from './quota.js';

export interface RequestLogEntry {
  seq: number;
  /** Emulator clock time (ms) when the request arrived. */
  at: number;
  method: string;
  path: string;
  query: string;
  /** "values.append", "token", ...; "unknown" for URLs that match no method. */
  operation: string;
  /** HTTP status sent; 0 when the connection was dropped without a response. */
  status: number;
  /** The injected fault, if any: "429", "503", "drop-after-apply", "latency:120" ... */
  fault?: string;
  /** Who made the call (service-account email or user), once authenticated. */
  subject?: string;
  /** Size of the request body in bytes. */
  bytes: number;
}

/** Keeps the last `capacity` entries so a long soak test cannot grow memory without bound. */
export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private seq = 0;

  constructor(private readonly capacity = 10_000) {}

  record(entry: Omit<RequestLogEntry, 'seq'>): RequestLogEntry {
    const full = { seq: ++this.seq, ...entry };
    this.entries.push(full);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
    return full;
  }

  last(): RequestLogEntry | undefined {
    const e = this.entries[this.entries.length - 1];
    return e && { ...e };
  }

  list(): RequestLogEntry[] {
    return this.entries.map((e) => ({ ...e }));
  }

  clear(): void {
    this.entries = [];
  }
}

/** The injected clock plus an offset the control endpoint can advance (for out-of-process tests). */
export class Clock {
  private offsetMs = 0;

  constructor(private readonly base: () => number) {}

  readonly now = (): number => this.base() + this.offsetMs;

  advance(ms: number): number {
    this.offsetMs += ms;
    return this.now();
  }
}

export interface EmulatorUrls {
  url: string;
  rootUrl: string;
  tokenUrl: string;
  authUrl: string;
}

export interface EmulatorContext {
  data: SheetsData;
  initialSpreadsheetIds: readonly string[];
  /** An authenticated call naming an unknown spreadsheet id creates it (else Google's 404). */
  createOnFirstUse: boolean;
  authority: Authority;
  quotas: QuotaTracker;
  faults: FaultInjector;
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
  requestLog: RequestLog;
  /** Observer of every logged request, called as it is logged (an applied API call has its answer). */
  onRequest?: (entry: RequestLogEntry, response: unknown) => void;
  /** Test hook: runs just before each API call is applied (a person editing between requests). */
  between?: BetweenHook;
  /** API calls that reached the point of being applied (the `between` hook's index). */
  callsApplied: number;
}

/** What a `between` hook is told about the API call about to be applied. */
export interface PendingCall {
  /** 1-based count of API calls that reached this point. */
  index: number;
  operation: string;
  kind: 'read' | 'write';
  spreadsheetId?: string;
  /** The request logged before this one (e.g. a write applied and then dropped: status 0). */
  previous?: RequestLogEntry;
}

export type BetweenHook = (call: PendingCall) => void;

/** A fresh spreadsheet under a caller-chosen id: one empty Sheet1 (sheetId 0). */
export function addSpreadsheet(data: SheetsData, id: string): void {
  data.spreadsheets.set(id, newSpreadsheet(id, `Emulated ${id}`, data.grid));
}

/**
 * With createOnFirstUse, the first call naming an unknown id creates that spreadsheet, as if
 * someone had made it in the browser and shared it; without, the id stays unknown (Google's 404).
 */
export function createIfUnknown(ctx: Pick<EmulatorContext, 'data' | 'createOnFirstUse'>, id: string | undefined): void {
  if (ctx.createOnFirstUse && id !== undefined && !ctx.data.spreadsheets.has(id)) addSpreadsheet(ctx.data, id);
}

/** Puts the pre-created spreadsheets back to their fresh state (one empty Sheet1 each); others are gone. */
export function resetSpreadsheets(ctx: Pick<EmulatorContext, 'data' | 'initialSpreadsheetIds'>): void {
  ctx.data.spreadsheets.clear();
  for (const id of ctx.initialSpreadsheetIds) addSpreadsheet(ctx.data, id);
}

/** POST /_emulator/reset: fresh spreadsheets, quota windows, no faults, empty request log. Tokens stay valid. */
export function resetAll(ctx: EmulatorContext): void {
  resetSpreadsheets(ctx);
  ctx.quotas.reset();
  ctx.faults.configure(noFaults());
  ctx.requestLog.clear();
}
