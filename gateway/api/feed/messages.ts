import { z } from 'zod';
import type { GatewayStatus } from '../handlers/status.js';
import type { FleetCounts, SinkView } from '../views.js';
import type { Cell } from './sheet-rows.js';

/**
 * The dashboard feed protocol over WebSocket (path /api/v1/live, subprotocol `sheetlog.v1`).
 * Browser → gateway: `view` (which page of the device table it shows) and `watch` (whose sensor
 * values it charts). Gateway → browser: one `hello`, then an `update` every feed interval at most,
 * coalesced: state is sent as snapshots, streams (rates, tail, chart) as what the client lacks.
 */
export const DEVICE_SORTS = ['id', 'status', 'lastSeen', 'readings', 'naks', 'clock'] as const;

export const clientMessage = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('view'),
      filter: z.string().max(64).default(''),
      sort: z.enum(DEVICE_SORTS).default('id'),
      desc: z.boolean().default(false),
      limit: z.number().int().min(1).max(500).default(100),
    })
    .strict(),
  z.object({ type: z.literal('watch'), device: z.string().min(1).max(64).nullable() }).strict(),
]);
export type ClientMessage = z.output<typeof clientMessage>;
export type DeviceView = Extract<ClientMessage, { type: 'view' }>;

/** A device table row, compact. */
export interface DeviceRow {
  id: string;
  status: string;
  board: string | null;
  fw: string | null;
  lastSeen: number | null;
  readings: number;
  naks: number;
  errors: number;
  /** `clock.kind` and `clock.errorMs` of the device (docs/API.md). */
  clock: 'board' | 'uptime' | 'unknown';
  clockErrorMs: number | null;
  rttMs: number | null;
  driftPpm: number | null;
}

export interface HelloMessage {
  type: 'hello';
  version: string;
  feedIntervalMs: number;
  silentAfterMs: number;
  tailColumns: readonly string[];
  tailRows: number;
  /** Whether bills are configured (the dashboard then shows the charted device's month to date). */
  billing: boolean;
}

export interface UpdateMessage {
  type: 'update';
  at: number;
  status: Omit<GatewayStatus, 'fleet'>;
  fleet: FleetCounts;
  sinks: SinkView[];
  /** Per-second samples the client has not had: [t, accepted, naks]. */
  rates: [number, number, number][];
  /** Present when the client's page of the table changed. */
  devices?: { total: number; matched: number; rows: DeviceRow[] };
  /** Sheet rows newer than the client's, oldest first. */
  tail?: Cell[][];
  /** Values of the watched device: reset=true replaces the client's series; null: nothing watched. */
  chart?: { device: string; reset: boolean; points: [number, Record<string, Cell>][] } | null;
}

export interface ErrorMessage {
  type: 'error';
  reason: string;
}
