import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { MqttConfig } from '../../config/sections/mqtt.js';
import type { Timers } from '../../time/timers.js';
import type { SessionContext } from '../session/session.js';
import { BrokerConnection, type InboundMessage } from './broker-connection.js';
import { stableClientId } from './client-id.js';
import { DeviceDirectory } from './device-directory.js';
import { EmbeddedBroker, type EmbeddedBrokerAddress } from './embedded-broker.js';
import { MqttMessages, type MqttTestHolds, type Taken } from './messages.js';
import { PublisherBudgets } from './publisher-budget.js';
import { Replier } from './replier.js';
import { mqttReply } from './replies.js';
import { Topics } from './topics.js';

export interface MqttIngestDeps extends SessionContext {
  dataDir: string;
  /** How stale a device's registry check may get (revocations are noticed within this). */
  revocationCheckMs: number;
  timers: Timers;
  /** Crash tests only (never configuration): deterministic windows between receipt, commit and PUBACK. */
  testHolds?: MqttTestHolds;
}

export type { MqttTestHolds } from './messages.js';

export interface MqttListening {
  url: string;
  clientId: string;
  /** The embedded broker's listener(s), when `mqtt.embedded`. */
  broker?: EmbeddedBrokerAddress;
}

/**
 * MQTT source: boards publish to a broker (external, or the embedded aedes), the gateway subscribes.
 *
 *   board ─PUBLISH─▶ broker ─PUBLISH (QoS 1)─▶ this ─reading─▶ group commit ─▶ SQLite
 *                      ▲                                             │
 *                      └──── PUBACK after commit ◀─────────────────┤
 *   board ◀── sheetlog/<id>/ack: ACK <seq> boot=<b> ◀───────────────┘  (end to end, for QoS 0 boards)
 *
 * Validation, NAK codes, dedupe and statistics are TCP's: every message goes through the device's
 * IngestSession (messages.ts). This class owns the broker connection and when a PUBACK may go.
 */
export class MqttIngest {
  private readonly topics: Topics;
  private readonly devices: DeviceDirectory;
  private readonly replier: Replier;
  private connection: BrokerConnection | null = null;
  private broker: EmbeddedBroker | null = null;
  private stopping = false;
  /** Messages taken in whose PUBACK is not yet released or dropped. */
  private inFlight = 0;
  private whenSettled: (() => void) | null = null;
  private readonly messages: MqttMessages;
  private listening: MqttListening | null = null;
  /** Each board's input budget when the broker is external (the embedded one slows a client at its socket). */
  private readonly budgets: PublisherBudgets | null;

  constructor(
    private readonly config: MqttConfig,
    private readonly deps: MqttIngestDeps,
  ) {
    this.topics = new Topics(config.topicPrefix);
    this.devices = new DeviceDirectory(deps, (d, code, text) => {
      // Revoked, or taken over by a connection on another transport.
      deps.counters.countErr(code);
      this.replier.send(d.id, mqttReply.err(code, text));
      this.devices.forget(d, deps.timers.now());
      this.broker?.disconnect(d.id);
    });
    this.replier = new Replier({
      topics: this.topics,
      store: deps.store,
      counters: deps.counters,
      publish: (topic, payload) => this.connection?.publish(topic, payload),
      acks: config.shareGroup === undefined,
    });
    this.budgets = config.embedded ? null : new PublisherBudgets({ perSecond: config.maxMessagesPerSecond, burst: config.messageBurst, overBudgetCloseMs: 0 });
    this.messages = new MqttMessages(config, {
      ...deps,
      devices: this.devices,
      replier: this.replier,
      broker: { pause: (ms) => this.connection?.pause(ms), restart: () => this.connection?.restart() },
      testHolds: deps.testHolds,
    });
  }

  static enabled(config: MqttConfig): boolean {
    return config.url !== undefined || config.embedded;
  }

  async start(): Promise<MqttListening> {
    const c = this.config;
    const clientId = stableClientId(this.deps.dataDir, c.clientId);
    let url = c.url ?? '';
    let credentials = { username: c.username, password: c.password };
    let broker: EmbeddedBrokerAddress | undefined;
    if (c.embedded) {
      const internal = { clientId, username: '$sheetlog-gateway', password: randomBytes(24).toString('base64url') };
      this.broker = new EmbeddedBroker(
        { host: c.embeddedHost, port: c.embeddedPort, internal, ...(c.embeddedTls.enabled ? { tls: { ...c.embeddedTls, host: c.embeddedTls.host ?? c.embeddedHost, dataDir: this.deps.dataDir } } : {}) },
        {
          topics: this.topics,
          store: this.deps.store,
          authMode: this.deps.authMode,
          counters: this.deps.counters,
          timers: this.deps.timers,
          log: this.deps.log,
          authThrottle: this.deps.authThrottle ?? null,
          registrations: this.deps.registrations ?? null,
          budget: { perSecond: c.maxMessagesPerSecond, burst: c.messageBurst, overBudgetCloseMs: c.overBudgetCloseMs },
        },
      );
      broker = await this.broker.start();
      const host = broker.host === '0.0.0.0' || broker.host === '::' ? '127.0.0.1' : broker.host.includes(':') ? `[${broker.host}]` : broker.host;
      url = `mqtt://${host}:${broker.port}`;
      credentials = { username: internal.username, password: internal.password };
    }
    this.connection = new BrokerConnection(
      {
        url,
        clientId,
        ...credentials,
        ca: c.caFile !== undefined ? readFileSync(c.caFile) : undefined,
        rejectUnauthorized: c.rejectUnauthorized,
        protocolVersion: c.embedded ? 4 : c.protocolVersion,
        sessionExpirySec: c.sessionExpirySec,
        keepaliveSec: c.keepaliveSec,
        receiveMaximum: c.receiveMaximum,
        reconnectMinMs: c.reconnectMinMs,
        reconnectMaxMs: c.reconnectMaxMs,
        subscriptions: this.topics.subscriptions(c.shareGroup),
      },
      { timers: this.deps.timers, log: this.deps.log, onMessage: (m) => this.onMessage(m) },
    );
    await this.connection.start();
    this.listening = broker !== undefined ? { url, clientId, broker } : { url, clientId };
    return this.listening;
  }

  /** Where it connects (and where the embedded broker listens); null before start. */
  get address(): MqttListening | null {
    return this.listening;
  }

  /** Resolves once the gateway's subscriptions are in place (tests, benchmarks). */
  subscribed(): Promise<void> {
    return this.connection?.subscribed() ?? Promise.reject(new Error('MQTT ingest not started'));
  }

  /**
   * Graceful stop, part 1: take no more messages (those arriving now stay unacknowledged and are
   * redelivered to the next run) and close out connected time. The caller then flushes the commit.
   */
  beginStop(): void {
    if (this.stopping) return;
    this.stopping = true;
    for (const [timer, taken] of this.messages.held) {
      timer.cancel();
      taken.drop();
    }
    this.messages.held.clear();
    const now = this.deps.timers.now();
    for (const d of this.devices.all()) this.devices.closeOnline(d, now);
  }

  /** Part 2: once every taken message is acknowledged (or after timeoutMs), disconnect. */
  async closed(timeoutMs: number): Promise<void> {
    if (this.inFlight > 0) {
      await new Promise<void>((resolve) => {
        const timer = this.deps.timers.after(timeoutMs, resolve);
        this.whenSettled = () => {
          timer.cancel();
          resolve();
        };
      });
    }
    await this.connection?.stop();
    await this.broker?.stop();
  }

  // --- dispatch ---------------------------------------------------------------------------------

  private onMessage(m: InboundMessage): void {
    if (this.stopping) return;
    const target = this.topics.parse(m.topic);
    if (target === null) {
      m.release();
      return;
    }
    const now = this.deps.timers.now();
    if (this.budgets !== null) {
      const verdict = this.budgets.charge(target.device, m.payload.length, now);
      if (!verdict.take) {
        // Over its budget: acknowledged to the broker, not stored; the board hears BUSY once.
        this.deps.counters.countLimit('INPUT_BUDGET');
        if (verdict.busyMs !== null) this.replier.send(target.device, mqttReply.busy(verdict.busyMs));
        m.release();
        return;
      }
    }
    const taken = this.take(m);
    switch (target.kind) {
      case 'r':
        this.messages.onReading(target.device, m, now, taken);
        return;
      case 'hello':
        this.messages.onHello(target.device, m, now, taken);
        return;
      case 't':
        if (!m.retain) this.messages.onTime(target.device, m, now);
        taken.release();
        return;
      case 'status':
        this.messages.onStatus(target.device, m, now);
        taken.release();
        return;
    }
  }

  private take(m: InboundMessage): Taken {
    this.inFlight++;
    let settled = false;
    const settle = (ack: boolean) => {
      if (settled) return;
      settled = true;
      if (ack) m.release();
      if (--this.inFlight === 0) this.whenSettled?.();
    };
    return { release: () => settle(true), drop: () => settle(false) };
  }
}
