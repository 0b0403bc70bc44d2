import { join } from 'node:path';
import { loadOrCreateAdminToken } from './api/access.js';
import type { Endpoint } from './api/context.js';
import { sinkRowEncoderFor } from './api/feed/sink-rows.js';
import { RateMeter } from './api/rates.js';
import { ApiServer } from './api/server.js';
import { noSyncStatus, type SyncStatusSource } from './api/sync-status.js';
import { packageVersion } from './api/version.js';
import type { Config } from './config/schema.js';
import { EventHub, type GatewayEventMap, type GatewayEvents } from './events.js';
import { IngestFieldChecks } from './fields/ingest-checks.js';
import { FieldRules } from './fields/rules.js';
import { RegistrationPacer } from './ingest/registration-pacer.js';
import { AuthThrottle } from './ingest/auth-throttle.js';
import { IngestCounters } from './ingest/counters.js';
import { MqttIngest, type MqttListening, type MqttTestHolds } from './ingest/mqtt/source.js';
import { RevocationWatch } from './ingest/revocation-watch.js';
import { SessionRegistry } from './ingest/sessions.js';
import { TcpIngest } from './ingest/tcp/server.js';
import { loadOrCreateTlsCredentials } from './ingest/tcp/tls-credentials.js';
import { UdpIngest } from './ingest/udp/server.js';
import type { Logger } from './log.js';
import type { DeviceSummary } from './store/devices.js';
import { RecentReadings } from './store/recent-readings.js';
import { Store } from './store/store.js';
import { DEVICE_TIME_INDEX } from './store/readings-indexes.js';
import { chooseSinks, createSinks, sinkNamesFor } from './sinks/create.js';
import { createJobs } from './sinks/jobs.js';
import { billCalculatorFor } from './billing/create.js';
import { TokenAgeWatch } from './sinks/google-sheets/token-age.js';
import { storeInstanceId } from './sync/instance.js';
import { SqliteSinkStateStore } from './store/sink-state/sqlite.js';
import type { SyncRunner } from './sync/runner.js';
import { SyncService } from './sync/service.js';
import type { SinkStatus } from './sync/status.js';
import { SyncThreadHost } from './sync/thread/host.js';
import type { ThreadInit } from './sync/thread/messages.js';
import { type EarlySyncThread, spawnSyncThread } from './sync/thread/spawn.js';
import { systemTimers, type TimerHandle, type Timers } from './time/timers.js';

/*
 * The composition root. Data flows left to right:
 *
 *   boards ──TCP──▶ ingest/tcp ──ops──▶ store (group commit ▶ SQLite) ──▶ sync ▶ sinks (own thread, own connection)
 *                       ▲                      │
 *                       └──── ACK after commit ┘      │ events (committed)
 *                                                       ▼
 *                              api: HTTP JSON, /metrics, dashboard + live feed (reads beside the flow)
 *
 * Start order is store → api → ingest (nothing accepts a reading before it can be made durable),
 * with the sinks starting beside them (they only read what is stored); stop is the reverse:
 * ingest drains (last ACKs, BYE), the api closes, the sinks stop, then the store commits and closes.
 */

export interface AppDeps {
  log: Logger;
  timers?: Timers;
  /** Overrides where the API reads sink status (tests; by default the sync worker's). */
  syncStatus?: SyncStatusSource;
  /** Crash tests only: hold MQTT readings or PUBACKs (never configuration; see MqttTestHolds). */
  mqttTestHolds?: MqttTestHolds;
  /** A sync thread started early (`sheetlog start`): the first thread the sinks run in; disposed if unused. */
  syncThread?: EarlySyncThread;
}

export interface Listening {
  tcp: { host: string; port: number };
  /** The TLS listener for boards (`tcp.tls.enabled`), and the certificate's SHA-256 fingerprint boards pin. */
  tls?: { host: string; port: number; fingerprint256: string; certFile: string; generated: boolean };
  /** The HTTP API and dashboard; absent with `http.port: "off"`. */
  http?: { host: string; port: number };
  /** MQTT ingest (`mqtt.url` or `mqtt.embedded`). */
  mqtt?: MqttListening;
  /** UDP ingest (`udp.enabled`). */
  udp?: { host: string; port: number };
}

export class App {
  readonly store: Store;
  readonly counters = new IngestCounters();
  /** Failed authentications per address and device id, shared by every transport (auth.throttle). */
  private readonly authThrottle: AuthThrottle | null;
  readonly sessions = new SessionRegistry();
  /** The field rules (config `fields`): checked at ingest, applied by every view (docs/FIELDS.md). */
  readonly fieldRules: FieldRules;
  /** What the gateway reports about itself to observers (metrics, dashboard feed). */
  readonly events: GatewayEvents;
  private readonly rates: RateMeter;
  readonly api: ApiServer | null;
  private readonly endpoints: Record<string, Endpoint> = {};
  private readonly syncStatusOverride: SyncStatusSource | undefined;
  private startedAt = 0;
  private readonly tcp: TcpIngest;
  /** MQTT ingest, or null when MQTT is off. */
  readonly mqtt: MqttIngest | null;
  /** UDP ingest, or null when UDP is off. */
  readonly udp: UdpIngest | null;
  private readonly sync: SyncRunner;
  private readonly revocations: RevocationWatch;
  /** The Google refresh token's age, when the google-sheets sink runs with credentials. */
  private readonly tokenAge: TokenAgeWatch | null;
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
    this.events = new EventHub<GatewayEventMap>((name, error) => this.log.error({ event: name, err: String(error) }, 'event listener failed'));
    // An injected (manual) clock drives commits on this event loop: tests then see a commit the
    // moment they advance the clock, which a thread answering later could not give them.
    // The (device, time) index costs a page per board in each commit; only summaries and bills read by it.
    const deviceTimeIndex = config.summaries.periods.length > 0 || config.billing.field !== '';
    // The sync thread checkpoints the WAL on a timer (store/checkpointer.ts), not the commits here.
    const checkpointedElsewhere = config.sync.thread && config.store.checkpointIntervalMs > 0;
    // The (device, boot, seq) index likewise; only the counter guard reads by it.
    const bootSeqIndex = config.fields.some((rule) => rule.kind === 'counter');
    const storeSettings = { ...config.store, writerThread: config.store.writerThread && deps.timers === undefined, deviceTimeIndex, bootSeqIndex, checkpointedElsewhere };
    this.store = Store.open(config.dataDir, storeSettings, this.timers, {
      committed: (r) => {
        this.counters.readingsStored += r.stored;
        this.counters.readingsDuplicate += r.duplicates;
        if (r.stored > 0) this.sync.notify();
        if (this.events.hasListeners('committed')) this.events.emit('committed', { ...r, highestId: this.store.highestId });
      },
      failed: (error, ops) => {
        this.log.error({ err: String(error), ops }, 'commit failed; nothing of this batch was acknowledged');
        this.events.emit('commitFailed', { ops, error: String(error) });
      },
    });
    for (const { index, change, ms } of this.store.indexChanges) {
      const readers = index === DEVICE_TIME_INDEX ? 'summaries and bills' : 'counter fields';
      this.log.info({ index, change, ms: Math.round(ms) }, change === 'created' ? `index built for ${readers}` : `index dropped: no ${readers} read by it`);
    }
    this.authThrottle = config.auth.throttle.enabled ? new AuthThrottle(config.auth.throttle) : null;
    this.sync = this.createSync(deps.timers !== undefined, deps.syncThread);
    this.fieldRules = new FieldRules(config.fields);
    // One for every transport: a counter's memory is the gateway's, whichever way a reading came.
    const fields = new IngestFieldChecks(this.fieldRules);
    // One for every transport: a burst of new boards registers a bounded number per commit.
    const registrations = new RegistrationPacer();
    this.tcp = new TcpIngest(
      { host: config.tcp.host, port: config.tcp.port, maxConnections: config.tcp.maxConnections },
      {
        limits: config.tcp,
        authMode: config.auth.mode,
        busyRetryAfterMs: config.store.busyRetryAfterMs,
        authThrottle: this.authThrottle,
        registrations,
        store: this.store,
        sessions: this.sessions,
        counters: this.counters,
        timers: this.timers,
        log: this.log.child({ part: 'tcp' }),
        fields,
      },
    );
    const ingestDeps = { authMode: config.auth.mode, busyRetryAfterMs: config.store.busyRetryAfterMs, store: this.store, counters: this.counters, timers: this.timers, fields, authThrottle: this.authThrottle, registrations };
    this.mqtt = MqttIngest.enabled(config.mqtt)
      ? new MqttIngest(config.mqtt, { ...ingestDeps, dataDir: config.dataDir, revocationCheckMs: config.auth.revocationCheckMs, sessions: this.sessions, log: this.log.child({ part: 'mqtt' }), testHolds: deps.mqttTestHolds })
      : null;
    this.udp = config.udp.enabled ? new UdpIngest(config.udp, { ...ingestDeps, sessions: this.sessions, log: this.log.child({ part: 'udp' }) }) : null;
    this.revocations = new RevocationWatch(this.store.devices, this.sessions, this.timers, config.auth.revocationCheckMs, this.log);
    this.rates = new RateMeter(this.counters, this.timers);
    this.tokenAge =
      chooseSinks(config).includes('google-sheets') && config.sheets.credentials !== ''
        ? new TokenAgeWatch(config.sheets.credentials, this.timers, this.log.child({ part: 'sink', sink: 'google-sheets' }))
        : null;
    this.syncStatusOverride = deps.syncStatus;
    this.api = config.http.port === 'off' ? null : this.createApi();
  }

  /**
   * The sinks and their workers: in their own thread (sync.thread, the default; its own SQLite
   * connection, so nothing sync does delays an ACK), or on this event loop, where an injected
   * clock drives them too.
   */
  private createSync(injectedTimers: boolean, early: EarlySyncThread | undefined): SyncRunner {
    const { config, store, timers, log } = this;
    if (!config.sync.thread) {
      early?.dispose();
      const deps = { state: new SqliteSinkStateStore(store.db, () => timers.now()), storeInstance: storeInstanceId(store.db), timers, log };
      return new SyncService(createSinks(config, deps), config.sync, { store, timers, log }, createJobs(config, { ...deps, db: store.db }));
    }
    if (injectedTimers) throw new Error('sync.thread runs the sinks on the system clock: with injected timers, set sync.thread to false');
    // The thread started early, if there is one, is the first; a restart spawns a new one.
    const spawn = (init: ThreadInit) => early?.take(init) ?? spawnSyncThread(init);
    return new SyncThreadHost(config, { sinkNames: sinkNamesFor(config), store, timers, log, spawn });
  }

  /** The HTTP API, metrics and dashboard, beside the data path: it reads the store, counters and sessions. */
  private createApi(): ApiServer {
    const { config } = this;
    const now = () => this.timers.now();
    const tailEncoder = sinkRowEncoderFor(config, this.fieldRules);
    return new ApiServer(
      {
        store: this.store,
        recent: new RecentReadings(this.store.db),
        fields: this.fieldRules,
        sessions: this.sessions,
        counters: this.counters,
        events: this.events,
        rates: this.rates,
        sync: () => this.syncStatusOverride ?? { sinks: () => this.syncStatus() },
        timers: this.timers,
        log: this.log.child({ part: 'api' }),
        version: packageVersion(),
        authMode: config.auth.mode,
        startedAt: () => this.startedAt,
        listeners: () => ({ ...this.endpoints }),
        provisioning: {
          add: (id) => this.store.devices.add(id, now()),
          revoke: (id) => {
            this.store.devices.revoke(id, now());
            this.sessions.kick(id, 'REVOKED', 'device was revoked');
          },
        },
        settings: { ...config.http, dataDir: config.dataDir, maxBufferRows: config.store.maxBufferRows },
        sinkWarnings: (sink) => (sink === 'google-sheets' ? (this.tokenAge?.warnings() ?? []) : []),
        bills: billCalculatorFor(config, this.store.db),
      },
      {
        adminToken: () => loadOrCreateAdminToken(join(config.dataDir, config.http.adminTokenFile), this.log),
        // The live tail shows the rows the first sink writes, built by the sinks' own layout code.
        encoder: () => tailEncoder,
      },
    );
  }

  /**
   * Starts everything; resolves once the listeners are open *and* the sinks have started (that is
   * what "listening" means). The sinks start while the listeners open (the sync thread takes about
   * 0.3 s to boot); a sink that cannot start still fails the start, after the listeners closed.
   */
  async start(): Promise<Listening> {
    this.store.useSinks(this.sync.names);
    const sinksStarted = this.sync.start();
    // Awaited below, once the listeners are open; a listener that fails first must not leave this
    // rejection unhandled.
    sinksStarted.catch(() => {});
    this.schedulePrune();
    this.revocations.start();
    await this.tokenAge?.start();
    this.startedAt = this.timers.now();
    this.rates.start();
    const http = this.api ? await this.api.start() : undefined;
    if (http) this.endpoints.http = http;
    const tcp = await this.tcp.start();
    this.endpoints.tcp = tcp;
    const listening: Listening = http ? { tcp, http } : { tcp };
    if (this.config.tcp.tls.enabled) listening.tls = await this.startTls();
    if (this.mqtt) listening.mqtt = await this.mqtt.start();
    if (listening.mqtt?.broker) this.endpoints.mqtt = listening.mqtt.broker;
    if (this.udp) listening.udp = this.endpoints.udp = await this.udp.start();
    try {
      await sinksStarted;
    } catch (e) {
      await this.stop();
      throw e;
    }
    return listening;
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

  /** Per-sink sync state: pending rows, oldest pending, last success and error, quota use, 429s. */
  syncStatus(): SinkStatus[] {
    return this.sync.status();
  }

  get tcpConnections(): number {
    return this.tcp.connectionCount;
  }

  private async doStop(): Promise<DeviceSummary[]> {
    this.revocations.stop();
    this.tokenAge?.stop();
    this.pruneTimer?.cancel();
    this.tcp.beginStop();
    this.mqtt?.beginStop();
    this.udp?.beginStop();
    // Commit what was received; the commit's callbacks send the last ACKs and then BYE.
    this.store.committer.flush();
    await this.tcp.closed(this.config.shutdownTimeoutMs);
    await this.mqtt?.closed(this.config.shutdownTimeoutMs);
    await this.udp?.closed(this.config.shutdownTimeoutMs);
    this.store.committer.flush();
    await this.api?.stop();
    this.rates.stop();
    await this.sync.stop(this.config.sync.stopTimeoutMs);
    const final = this.store.devices.list();
    this.store.close();
    return final;
  }

  private async startTls(): Promise<NonNullable<Listening['tls']>> {
    const { tcp, dataDir } = this.config;
    const credentials = await loadOrCreateTlsCredentials(dataDir, tcp.tls);
    if (credentials.generated) this.log.info({ certFile: credentials.certFile, fingerprint256: credentials.fingerprint256 }, 'generated a self-signed TLS certificate for boards');
    const address = await this.tcp.listenTls({ host: tcp.tls.host ?? tcp.host, port: tcp.tls.port, cert: credentials.cert, key: credentials.key, handshakeTimeoutMs: tcp.tls.handshakeTimeoutMs });
    this.endpoints.tls = address;
    return { ...address, fingerprint256: credentials.fingerprint256, certFile: credentials.certFile, generated: credentials.generated };
  }

  /**
   * Retention every `store.pruneIntervalMs`: a short transaction a turn of the event loop (a timer
   * of 0 ms between them) until nothing is left, so the boards' sockets and commits are served in
   * between however much there is to prune; one log line for the round.
   */
  private schedulePrune(delayMs = this.config.store.pruneIntervalMs, prunedSoFar = 0): void {
    this.pruneTimer = this.timers.after(delayMs, () => {
      let pruned = prunedSoFar;
      let more = false;
      try {
        const step = this.store.pruneStep();
        pruned += step.deleted;
        more = step.more;
      } catch (e) {
        this.log.error({ err: String(e) }, 'retention failed');
      }
      if (more) return this.schedulePrune(0, pruned);
      if (pruned > 0) this.log.info({ rows: pruned }, 'retention pruned delivered rows');
      this.schedulePrune();
    });
  }
}
