import { shownFields } from '../../fields/shown.js';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { fieldsOf } from '../../time/instant.js';
import type { TimerHandle } from '../../time/timers.js';
import type { ApiDeps } from '../context.js';
import type { FeedStats } from '../metrics.js';
import type { RateSample } from '../rates.js';
import { devicePage } from './device-page.js';
import { clientMessage, type DeviceView, type ErrorMessage, type HelloMessage, type UpdateMessage } from './messages.js';
import type { SheetRowEncoder } from './sheet-rows.js';
import { SnapshotBuilder, type Snapshot } from './snapshot.js';

export const FEED_PROTOCOL = 'sheetlog.v1';
const HISTORY_POINTS = 300;
const CHART_POINTS_PER_TICK = 1000;

/** The part of a `ws` WebSocket the feed uses (tests hand in fakes). */
export interface FeedSocket {
  readonly bufferedAmount: number;
  send(data: string): void;
  ping(): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  on(event: 'message', listener: (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => void): unknown;
  on(event: 'pong' | 'close' | 'error', listener: () => void): unknown;
}

interface Client {
  ws: FeedSocket;
  view: DeviceView;
  watch: string | null;
  /** The watched device changed: the next update replaces the chart with history. */
  watchReset: boolean;
  lastDevicesJson: string;
  /** The device list the last page was cut from (the same list and view: the same page). */
  pageOf: readonly unknown[] | null;
  tailId: number;
  rateT: number;
  chartId: number;
  alive: boolean;
}

export interface FeedOptions {
  intervalMs: number;
  maxClients: number;
  maxClientBufferBytes: number;
  tailRows: number;
  silentAfterMs: number;
}

/**
 * The dashboard's live feed. One timer for all clients runs only while a client is connected;
 * each tick builds one shared snapshot (a few SQLite reads, see SnapshotBuilder) and sends each
 * client one coalesced update. Nothing here runs per reading: the ingest path only flags that a
 * commit happened. A client that does not read is skipped while its buffer is above a quarter of
 * the limit and dropped above the limit, so it can never hold gateway memory.
 */
export class LiveFeed {
  private readonly wss: WebSocketServer;
  private readonly clients = new Set<Client>();
  private readonly snapshots: SnapshotBuilder;
  private timer: TimerHandle | null = null;
  private lastHighest: number;
  private dropped = 0;
  private ticks = 0;
  private readonly offCommitted: () => void;
  private pages: { of: Snapshot['devices'] | null; byView: Map<string, { page: ReturnType<typeof devicePage>; json: string }> } = {
    of: null,
    byView: new Map(),
  };

  constructor(
    private readonly deps: ApiDeps,
    private readonly encoder: () => SheetRowEncoder,
    private readonly options: FeedOptions,
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: 4096,
      perMessageDeflate: false,
      clientTracking: false,
      handleProtocols: (protocols) => (protocols.has(FEED_PROTOCOL) ? FEED_PROTOCOL : false),
    });
    this.snapshots = new SnapshotBuilder(deps, encoder, options.tailRows, options.intervalMs);
    this.lastHighest = deps.store.highestId;
    this.offCommitted = deps.events.on('committed', () => this.snapshots.markCommitted());
  }

  stats(): FeedStats {
    return { clients: this.clients.size, dropped: this.dropped };
  }

  /** Completes a WebSocket upgrade the server has already authorised. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.clients.size >= this.options.maxClients) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws: WebSocket) => this.addClient(ws));
  }

  /** Closes every client (going away) and stops the timer. */
  close(): void {
    this.offCommitted();
    this.timer?.cancel();
    this.timer = null;
    for (const c of this.clients) c.ws.close(1001, 'gateway stopping');
    for (const c of this.clients) c.ws.terminate();
    this.clients.clear();
    this.wss.close();
  }

  /** Starts feeding a connected client: a hello, a first update at once, then one per interval. */
  addClient(ws: FeedSocket): void {
    const client: Client = {
      ws,
      view: { type: 'view', filter: '', sort: 'id', desc: false, limit: 100 },
      watch: null,
      watchReset: false,
      lastDevicesJson: '',
      pageOf: null,
      tailId: 0,
      rateT: 0,
      chartId: 0,
      alive: true,
    };
    this.clients.add(client);
    ws.on('message', (data, isBinary) => this.onMessage(client, Buffer.isBuffer(data) ? data.toString('utf8') : '', isBinary));
    ws.on('pong', () => (client.alive = true));
    ws.on('close', () => this.clients.delete(client));
    ws.on('error', () => ws.terminate());
    const hello: HelloMessage = {
      type: 'hello',
      version: this.deps.version,
      feedIntervalMs: this.options.intervalMs,
      silentAfterMs: this.options.silentAfterMs,
      tailColumns: this.encoder().header,
      tailRows: this.options.tailRows,
      billing: this.deps.bills?.enabled ?? false,
    };
    ws.send(JSON.stringify(hello));
    // The first update goes out at once; later ones keep to the interval.
    this.sendUpdate(client, this.snapshots.build(), this.deps.rates.history());
    this.arm();
  }

  private onMessage(client: Client, text: string, isBinary: boolean): void {
    let parsed: ReturnType<typeof clientMessage.safeParse>;
    try {
      parsed = isBinary ? clientMessage.safeParse(null) : clientMessage.safeParse(JSON.parse(text));
    } catch {
      parsed = clientMessage.safeParse(null);
    }
    if (!parsed.success) {
      const e: ErrorMessage = { type: 'error', reason: `not a feed message: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
      client.ws.send(JSON.stringify(e));
      return;
    }
    const m = parsed.data;
    if (m.type === 'view') {
      client.view = m;
      client.lastDevicesJson = '';
      client.pageOf = null;
    } else if (m.device !== client.watch) {
      client.watch = m.device;
      client.watchReset = true;
    }
  }

  private arm(): void {
    if (this.timer !== null || this.clients.size === 0) return;
    this.timer = this.deps.timers.after(this.options.intervalMs, () => {
      this.timer = null;
      this.tick();
      this.arm();
    });
  }

  /** One round: a shared snapshot, then one update per client that can take it. */
  tick(): void {
    if (this.clients.size === 0) return;
    this.ticks++;
    if (this.ticks % Math.max(1, Math.round(30_000 / this.options.intervalMs)) === 0) this.heartbeat();
    const snapshot = this.snapshots.build();
    const rates = this.deps.rates.history();
    const fresh = this.freshChartRows(snapshot.highestId);
    for (const client of this.clients) {
      const buffered = client.ws.bufferedAmount;
      if (buffered > this.options.maxClientBufferBytes) {
        this.dropped++;
        this.deps.log.warn({ buffered }, 'dashboard client dropped: it does not read its updates');
        client.ws.terminate();
        this.clients.delete(client);
        continue;
      }
      // Behind: skip this round. Updates are snapshots, and streams resume from the client's ids.
      if (buffered > this.options.maxClientBufferBytes / 4) continue;
      this.sendUpdate(client, snapshot, rates, fresh);
    }
    this.lastHighest = snapshot.highestId;
  }

  /** New readings of every watched device since the last tick, read once per device. */
  private freshChartRows(highestId: number): Map<string, [number, number, Record<string, string | number | boolean>][]> {
    const out = new Map<string, [number, number, Record<string, string | number | boolean>][]>();
    if (highestId === this.lastHighest) return out;
    for (const c of this.clients) {
      if (c.watch === null || c.watchReset || out.has(c.watch)) continue;
      const rows = this.deps.recent.newerOfDevice(c.watch, this.lastHighest, CHART_POINTS_PER_TICK);
      out.set(c.watch, rows.map((r) => [r.id, r.ts, shownFields(this.deps.fields, r.device, fieldsOf<string | number | boolean>(r.fields)).fields]));
    }
    return out;
  }

  private sendUpdate(
    client: Client,
    s: Snapshot,
    rates: readonly RateSample[],
    fresh?: Map<string, [number, number, Record<string, string | number | boolean>][]>,
  ): void {
    const update: UpdateMessage = { type: 'update', at: s.at, status: s.status, fleet: s.fleet, sinks: s.sinks, rates: [] };
    for (const r of rates) if (r.t > client.rateT) update.rates.push([r.t, r.accepted, r.naks]);
    const last = rates[rates.length - 1];
    if (last !== undefined) client.rateT = Math.max(client.rateT, last.t);

    if (client.pageOf !== s.devices) {
      const { page, json } = this.page(s.devices, client.view);
      if (json !== client.lastDevicesJson) {
        update.devices = page;
        client.lastDevicesJson = json;
      }
      client.pageOf = s.devices;
    }

    const tail = s.tail.filter((t) => t.id > client.tailId);
    if (tail.length > 0) {
      update.tail = tail.map((t) => t.row);
      client.tailId = (tail[tail.length - 1] as { id: number }).id;
    }

    this.addChart(client, update, s.highestId, fresh);
    client.ws.send(JSON.stringify(update));
  }

  private addChart(
    client: Client,
    update: UpdateMessage,
    highestId: number,
    fresh?: Map<string, [number, number, Record<string, string | number | boolean>][]>,
  ): void {
    if (client.watch === null) {
      if (client.watchReset) update.chart = null;
      client.watchReset = false;
      return;
    }
    if (client.watchReset) {
      const rows = this.deps.recent.query({ device: client.watch, limit: HISTORY_POINTS }).reverse();
      update.chart = { device: client.watch, reset: true, points: rows.map((r) => [r.ts, shownFields(this.deps.fields, r.device, fieldsOf<string>(r.fields)).fields as Record<string, string>]) };
      client.chartId = rows.length > 0 ? (rows[rows.length - 1] as { id: number }).id : highestId;
      client.watchReset = false;
      return;
    }
    const rows = (fresh?.get(client.watch) ?? []).filter(([id]) => id > client.chartId);
    if (rows.length === 0) return;
    update.chart = { device: client.watch, reset: false, points: rows.map(([, ts, fields]) => [ts, fields]) };
    client.chartId = (rows[rows.length - 1] as [number, number, unknown])[0];
  }

  /** A page of the device table, computed once per device list and view however many clients share it. */
  private page(devices: Snapshot['devices'], view: DeviceView): { page: ReturnType<typeof devicePage>; json: string } {
    if (this.pages.of !== devices) this.pages = { of: devices, byView: new Map() };
    const key = `${view.sort}\u0000${view.desc}\u0000${view.limit}\u0000${view.filter}`;
    let entry = this.pages.byView.get(key);
    if (entry === undefined) {
      const page = devicePage(devices, view);
      entry = { page, json: JSON.stringify(page) };
      this.pages.byView.set(key, entry);
    }
    return entry;
  }

  /** Terminates clients that did not answer the previous ping (a vanished phone, a dead link). */
  private heartbeat(): void {
    for (const c of this.clients) {
      if (!c.alive) {
        c.ws.terminate();
        this.clients.delete(c);
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }
}
