import type { FieldRules } from '../fields/rules.js';
import type { BillCalculator } from '../billing/bill.js';
import type { Config } from '../config/schema.js';
import type { GatewayEvents } from '../events.js';
import type { IngestCounters } from '../ingest/counters.js';
import type { SessionRegistry } from '../ingest/sessions.js';
import type { Logger } from '../log.js';
import type { RecentReadings } from '../store/recent-readings.js';
import type { Store } from '../store/store.js';
import type { Timers } from '../time/timers.js';
import type { RateMeter } from './rates.js';
import type { SyncStatusSource } from './sync-status.js';

export interface Endpoint {
  host: string;
  port: number;
}

/** What the API reads and may change; handed in by the composition root (app.ts). */
export interface ApiDeps {
  store: Store;
  recent: RecentReadings;
  /** Field rules: the readings and the live feed show values calibrated (docs/FIELDS.md); absent: as sent. */
  fields?: FieldRules;
  sessions: SessionRegistry;
  counters: IngestCounters;
  events: GatewayEvents;
  rates: RateMeter;
  /** Asked on every request, so a sync worker started after the API is seen at once. */
  sync: () => SyncStatusSource;
  timers: Timers;
  log: Logger;
  version: string;
  authMode: string;
  startedAt: () => number;
  /** Every listener of the gateway by name (tcp, http, mqtt ...). */
  listeners: () => Record<string, Endpoint>;
  /** Provisioning, the same operations as `sheetlog devices add|revoke`. */
  provisioning: {
    /** Returns the new token (shown once). Throws StoreError DEVICE_ID_INVALID / DEVICE_EXISTS. */
    add(id: string): string;
    /** Revokes and disconnects. Throws StoreError DEVICE_UNKNOWN. */
    revoke(id: string): void;
  };
  settings: Config['http'] & { dataDir: string; maxBufferRows: number };
  /** Warnings about a sink watched outside its worker (the Google token's age), by sink name. */
  sinkWarnings?: (sink: string) => string[];
  /** Bills (config `billing`); absent: the bill operation answers BILLING_OFF. */
  bills?: BillCalculator;
}
