import type { StoredReading } from '../../store/readings.js';
import type { ApiDeps } from '../context.js';
import { gatewayStatus, type GatewayStatus } from '../handlers/status.js';
import { allDeviceViews, fleetCounts, sinkViews, type DeviceView, type FleetCounts, type SinkView } from '../views.js';
import type { Cell, SheetRowEncoder } from './sheet-rows.js';

/** What every client's update of one tick shares. */
export interface Snapshot {
  at: number;
  status: Omit<GatewayStatus, 'fleet'>;
  fleet: FleetCounts;
  devices: DeviceView[];
  sinks: SinkView[];
  /** Encoded sheet rows of the newest readings, oldest first, each with its reading id. */
  tail: { id: number; row: Cell[] }[];
  /** The highest reading id this snapshot has seen. */
  highestId: number;
}

/** Devices are re-read at least this often even without commits (statuses age into "silent"). */
const DEVICES_MAX_AGE_MS = 5000;
/** With commits, the device list is re-read every tick, but from 2,000 devices every second, from 4,000 every two. */
const DEVICES_MS_PER_DEVICE = 0.5;
const DEVICES_SLOWEST_MS = 2000;

/**
 * Builds the per-tick snapshot, reading SQLite only for what changed: the device list when a
 * commit happened (or it is 5 s old), the tail when the highest id moved.
 */
export class SnapshotBuilder {
  private devices: DeviceView[] = [];
  private devicesAt = -Infinity;
  private tail: { id: number; row: Cell[] }[] = [];
  private tailHighest = -1;
  private commitsSeen = true;

  constructor(
    private readonly deps: ApiDeps,
    private readonly encoder: () => SheetRowEncoder,
    private readonly tailRows: number,
    private readonly intervalMs: number,
  ) {}

  /** The hub says something was committed: the next snapshot re-reads the devices. */
  markCommitted(): void {
    this.commitsSeen = true;
  }

  build(): Snapshot {
    const now = this.deps.timers.now();
    // Reading the registry costs about 4 µs per device: a big fleet's table refreshes a bit less often.
    const minAge = Math.min(DEVICES_SLOWEST_MS, Math.max(this.intervalMs, this.devices.length * DEVICES_MS_PER_DEVICE));
    if ((this.commitsSeen && now - this.devicesAt >= minAge) || now - this.devicesAt >= DEVICES_MAX_AGE_MS) {
      this.devices = allDeviceViews(this.deps);
      this.devicesAt = now;
      this.commitsSeen = false;
    } else {
      this.refreshConnected();
    }
    const highestId = this.deps.store.highestId;
    if (highestId !== this.tailHighest) this.readTail(highestId);
    const fleet = fleetCounts(this.devices, now, this.deps.settings.silentAfterMs);
    const { fleet: _omit, ...status } = gatewayStatus(this.deps, fleet);
    return { at: now, status, fleet, devices: this.devices, sinks: sinkViews(this.deps), tail: this.tail, highestId };
  }

  /** Connections change without commits of readings; statuses follow the session registry. */
  private refreshConnected(): void {
    const connected = new Set(this.deps.sessions.devices());
    for (const d of this.devices) {
      if (d.status === 'connected' && !connected.has(d.id)) this.devicesAt = -Infinity;
      if (d.status !== 'connected' && d.status !== 'revoked' && connected.has(d.id)) this.devicesAt = -Infinity;
    }
    if (this.devicesAt === -Infinity) {
      this.devices = allDeviceViews(this.deps);
      this.devicesAt = this.deps.timers.now();
    }
  }

  private readTail(highestId: number): void {
    const fresh: StoredReading[] = this.deps.recent.query({ limit: this.tailRows }).reverse();
    const encoder = this.encoder();
    const rows: { id: number; row: Cell[] }[] = [];
    for (const r of fresh) for (const row of encoder.encode(r)) rows.push({ id: r.id, row });
    this.tail = rows.length > this.tailRows ? rows.slice(rows.length - this.tailRows) : rows;
    this.tailHighest = highestId;
  }
}
