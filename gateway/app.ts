import type { Config } from './config/schema.js';
import { IngestCounters } from './ingest/counters.js';
import { RevocationWatch } from './ingest/revocation-watch.js';
import { SessionRegistry } from './ingest/sessions.js';
import { TcpIngest } from './ingest/tcp/server.js';
import type { Logger } from './log.js';
import type { DeviceSummary } from './store/devices.js';
import { Store } from './store/store.js';
import { systemTimers, type TimerHandle, type Timers } from './time/timers.js';

/*
 * The composition root. Data flows left to right:
 *
 *   boards ──TCP──▶ ingest/tcp ──ops──▶ store (group commit ▶ SQLite) ──▶ sync ▶ sinks
 *                       ▲                      │
 *                       └──── ACK after commit ┘
 *
 * Start order is store → ingest (nothing accepts a reading before it can be made durable);
 * stop is the reverse: ingest drains (last ACKs, BYE), then the store commits and closes.
 */

export interface AppDeps {
  log: Logger;
  timers?: Timers;
}

export interface Listening {
  tcp: { host: string; port: number };
}

export class App {
  readonly store: Store;
  readonly counters = new IngestCounters();
  readonly sessions = new SessionRegistry();
  private readonly tcp: TcpIngest;
  private readonly revocations: RevocationWatch;
  private readonly timers: Timers;
  private readonly log: Logger;
  private pruneTimer: TimerHandle | null = null;
  private stopped: Promise<DeviceSummary[]> | null = null;

  constructor(
    private readonly config: Config,
    deps: AppDeps,
  ) {
    this.log = deps.log;
    this.timers = deps.timers ?? systemTimers;
    this.store = Store.open(config.dataDir, config.store, this.timers, {
      committed: (r) => {
        this.counters.readingsStored += r.stored;
        this.counters.readingsDuplicate += r.duplicates;
      },
      failed: (error, ops) => this.log.error({ err: String(error), ops }, 'commit failed; nothing of this batch was acknowledged'),
    });
    this.tcp = new TcpIngest(
      { host: config.tcp.host, port: config.tcp.port, maxConnections: config.tcp.maxConnections },
      {
        limits: config.tcp,
        authMode: config.auth.mode,
        busyRetryAfterMs: config.store.busyRetryAfterMs,
        store: this.store,
        sessions: this.sessions,
        counters: this.counters,
        timers: this.timers,
        log: this.log.child({ part: 'tcp' }),
      },
    );
    this.revocations = new RevocationWatch(this.store.devices, this.sessions, this.timers, config.auth.revocationCheckMs, this.log);
  }

  async start(): Promise<Listening> {
    this.store.useSinks([]);
    this.schedulePrune();
    this.revocations.start();
    const tcp = await this.tcp.start();
    return { tcp };
  }

  /**
   * Graceful stop; idempotent (a second call returns the same promise). Resolves with the final
   * per-device statistics, read after the last commit.
   */
  stop(): Promise<DeviceSummary[]> {
    this.stopped ??= this.doStop();
    return this.stopped;
  }

  devices(): DeviceSummary[] {
    return this.store.devices.list();
  }

  get tcpConnections(): number {
    return this.tcp.connectionCount;
  }

  private async doStop(): Promise<DeviceSummary[]> {
    this.revocations.stop();
    this.pruneTimer?.cancel();
    this.tcp.beginStop();
    // Commit what was received; the commit's callbacks send the last ACKs and then BYE.
    this.store.committer.flush();
    await this.tcp.closed(this.config.shutdownTimeoutMs);
    this.store.committer.flush();
    const final = this.store.devices.list();
    this.store.close();
    return final;
  }

  private schedulePrune(): void {
    this.pruneTimer = this.timers.after(this.config.store.pruneIntervalMs, () => {
      try {
        const n = this.store.prune();
        if (n > 0) this.log.info({ rows: n }, 'retention pruned delivered rows');
      } catch (e) {
        this.log.error({ err: String(e) }, 'retention failed');
      }
      this.schedulePrune();
    });
  }
}
