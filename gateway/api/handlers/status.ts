import type { ApiDeps, Endpoint } from '../context.js';
import { gatewayHealth, type Health } from '../health.js';
import { defineOperation, noParams } from '../operation.js';
import { allDeviceViews, fleetCounts, type FleetCounts } from '../views.js';

export interface GatewayStatus {
  version: string;
  startedAt: number;
  uptimeMs: number;
  auth: string;
  listeners: Record<string, Endpoint>;
  buffer: { rows: number; maxRows: number; full: boolean; bytes: number; highestId: number; queuedForCommit: number };
  fleet: FleetCounts;
  /** ok, or degraded with the reasons (disk full, buffer full). */
  health: Health;
  ingest: {
    connections: number;
    connectionsTotal: number;
    readingsAccepted: number;
    readingsStored: number;
    readingsDuplicate: number;
    busyReplies: number;
    naks: Record<string, number>;
    errors: Record<string, number>;
    limits: Record<string, number>;
    /** Mean readings accepted per second over the last 1, 10 and 60 seconds. */
    rates: { last1s: number; last10s: number; last60s: number };
  };
}

/** On-disk size of the SQLite buffer: its pages, without the WAL. */
export function storeBytes(deps: ApiDeps): number {
  const db = deps.store.db;
  return Number(db.pragma('page_count', { simple: true })) * Number(db.pragma('page_size', { simple: true }));
}

export function gatewayStatus(deps: ApiDeps, fleet: FleetCounts = fleetFromStore(deps)): GatewayStatus {
  const c = deps.counters;
  const now = deps.timers.now();
  const rows = deps.store.bufferedRows();
  return {
    version: deps.version,
    startedAt: deps.startedAt(),
    uptimeMs: Math.max(0, now - deps.startedAt()),
    auth: deps.authMode,
    listeners: deps.listeners(),
    buffer: {
      rows,
      maxRows: deps.settings.maxBufferRows,
      full: deps.store.isFull(),
      bytes: storeBytes(deps),
      highestId: deps.store.highestId,
      queuedForCommit: deps.store.committer.pending,
    },
    fleet,
    health: gatewayHealth(deps.store),
    ingest: {
      connections: c.connectionsOpen,
      connectionsTotal: c.connectionsTotal,
      readingsAccepted: c.readingsAccepted,
      readingsStored: c.readingsStored,
      readingsDuplicate: c.readingsDuplicate,
      busyReplies: c.busyReplies,
      naks: Object.fromEntries(c.naks),
      errors: Object.fromEntries(c.errors),
      limits: Object.fromEntries(c.limits),
      rates: { last1s: deps.rates.perSecond(1), last10s: round(deps.rates.perSecond(10)), last60s: round(deps.rates.perSecond(60)) },
    },
  };
}

function fleetFromStore(deps: ApiDeps): FleetCounts {
  return fleetCounts(allDeviceViews(deps), deps.timers.now(), deps.settings.silentAfterMs);
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

export const statusOperation = defineOperation({
  name: 'status',
  method: 'GET',
  path: '/api/v1/status',
  summary: 'Gateway status: version, uptime, listeners, buffer size, fleet counts, ingest counters and rates',
  access: 'read',
  params: noParams,
  body: null,
  errors: [],
  handle: (_input, deps) => gatewayStatus(deps),
});
