import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ApiDeps } from './context.js';
import { storeBytes } from './handlers/status.js';
import { sinkViews } from './views.js';

export interface FeedStats {
  clients: number;
  dropped: number;
}

/**
 * The Prometheus registry of one gateway (never prom-client's global one, so two gateways in one
 * process, as in the tests, do not share numbers). Ingest and sync figures are read from their
 * counters when scraped; only the commit histograms are fed by events, once per commit.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly unsubscribe: () => void;

  constructor(deps: ApiDeps, feed: () => FeedStats) {
    const registers = [this.registry];
    const c = deps.counters;
    collectDefaultMetrics({ register: this.registry });

    const total = (name: string, help: string, read: () => number) =>
      new Counter({ name, help, registers, collect() { this.reset(); this.inc(read()); } });
    const byCode = (name: string, help: string, label: string, read: () => Map<string, number>) =>
      new Counter({
        name, help, registers, labelNames: [label],
        collect() {
          this.reset();
          for (const [code, n] of read()) this.inc({ [label]: code }, n);
        },
      });
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({ name, help, registers, collect() { this.set(read()); } });

    gauge('sheetlog_connections', 'Open board connections (TCP)', () => c.connectionsOpen);
    total('sheetlog_connections_total', 'Board connections accepted since start', () => c.connectionsTotal);
    gauge('sheetlog_devices_connected', 'Devices with an authenticated session', () => deps.sessions.size);
    total('sheetlog_readings_accepted_total', 'Readings received and queued for commit', () => c.readingsAccepted);
    total('sheetlog_readings_stored_total', 'Readings committed as new rows', () => c.readingsStored);
    total('sheetlog_readings_duplicate_total', 'Readings committed as duplicates (acknowledged again, stored once)', () => c.readingsDuplicate);
    byCode('sheetlog_readings_naked_total', 'Readings refused with NAK, by code', 'code', () => c.naks);
    byCode('sheetlog_connection_errors_total', 'ERR replies, by code', 'code', () => c.errors);
    byCode('sheetlog_limit_hits_total', 'Limits reached, by limit', 'limit', () => c.limits);
    total('sheetlog_busy_replies_total', 'BUSY replies (buffer full)', () => c.busyReplies);
    gauge('sheetlog_buffer_rows', 'Rows stored and not yet delivered to every sink', () => deps.store.bufferedRows());
    gauge('sheetlog_buffer_max_rows', 'Buffer rows at which boards get BUSY', () => deps.settings.maxBufferRows);
    gauge('sheetlog_buffer_bytes', 'On-disk size of the SQLite buffer (database pages, without the WAL)', () => storeBytes(deps));
    gauge('sheetlog_commit_queue', 'Operations waiting for the next group commit', () => deps.store.committer.pending);
    gauge('sheetlog_dashboard_clients', 'Open dashboard WebSocket connections', () => feed().clients);
    total('sheetlog_dashboard_dropped_total', 'Dashboard clients dropped for reading too slowly', () => feed().dropped);

    this.syncMetrics(deps);

    const latency = new Histogram({
      name: 'sheetlog_commit_duration_seconds',
      help: 'Duration of group commits (one SQLite transaction each)',
      registers,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    });
    const batch = new Histogram({
      name: 'sheetlog_commit_batch_ops',
      help: 'Operations per group commit',
      registers,
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000],
    });
    const offCommitted = deps.events.on('committed', (r) => {
      latency.observe(r.durationMs / 1000);
      batch.observe(r.ops);
    });
    const failures = new Counter({ name: 'sheetlog_commit_failures_total', help: 'Group commits rolled back', registers });
    const offFailed = deps.events.on('commitFailed', () => failures.inc());
    this.unsubscribe = () => (offCommitted(), offFailed());
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  close(): void {
    this.unsubscribe();
    this.registry.clear();
  }

  private syncMetrics(deps: ApiDeps): void {
    const registers = [this.registry];
    const labelNames = ['sink'];
    // One read of the sink views per scrape, shared by the series below.
    let views: ReturnType<typeof sinkViews> = [];
    new Gauge({
      name: 'sheetlog_sync_sinks',
      help: 'Configured sinks',
      registers,
      collect() {
        views = sinkViews(deps);
        this.set(views.length);
      },
    });
    const perSink = (name: string, help: string, kind: 'counter' | 'gauge', read: (v: (typeof views)[number]) => number) => {
      if (kind === 'counter') {
        new Counter({ name, help, registers, labelNames, collect() { this.reset(); for (const v of views) this.inc({ sink: v.name }, read(v)); } });
      } else {
        new Gauge({ name, help, registers, labelNames, collect() { this.reset(); for (const v of views) this.set({ sink: v.name }, read(v)); } });
      }
    };
    const now = () => deps.timers.now();
    perSink('sheetlog_sync_rows_total', 'Rows written to the sink', 'counter', (v) => v.rowsWritten);
    perSink('sheetlog_sync_requests_total', 'Write requests sent to the sink', 'counter', (v) => v.requests);
    perSink('sheetlog_sync_errors_total', 'Failed write requests', 'counter', (v) => v.errors);
    perSink('sheetlog_sync_throttled_total', 'Replies 429 (quota exceeded)', 'counter', (v) => v.throttled);
    perSink('sheetlog_sync_pending_rows', 'Rows not yet delivered to the sink', 'gauge', (v) => v.pendingRows);
    perSink('sheetlog_sync_lag_seconds', 'Age of the oldest row not yet delivered to the sink', 'gauge', (v) => v.lagMs / 1000);
    perSink('sheetlog_sync_backoff_seconds', 'Time until the next attempt while backing off (0: not backing off)', 'gauge', (v) =>
      v.backoffUntil === null ? 0 : Math.max(0, (v.backoffUntil - now()) / 1000),
    );
    perSink('sheetlog_sync_quarantined_rows', 'Rows the sink could not write, held in its quarantine', 'gauge', (v) => v.quarantinedRows);
    perSink('sheetlog_sync_quota_used', 'Write requests used in the current quota window', 'gauge', (v) => v.quota?.used ?? 0);
  }
}
