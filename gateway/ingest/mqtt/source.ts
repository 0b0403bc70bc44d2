import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { MqttConfig } from '../../config/sections/mqtt.js';
import type { Logger } from '../../log.js';
import type { ReadingOutcome, StatsDelta } from '../../store/ops.js';
import type { Store } from '../../store/store.js';
import type { TimerHandle, Timers } from '../../time/timers.js';
import type { AuthMode } from '../auth.js';
import type { IngestCounters } from '../counters.js';
import { authenticateDevice, type AuthResult } from '../device-auth.js';
import { toReadingRow } from '../reading-row.js';
import type { SessionRegistry } from '../sessions.js';
import { BrokerConnection, type InboundMessage } from './broker-connection.js';
import { stableClientId } from './client-id.js';
import { DeviceDirectory } from './device-directory.js';
import { MqttDevice } from './device-state.js';
import { EmbeddedBroker, type EmbeddedBrokerAddress } from './embedded-broker.js';
import { parseHelloPayload, parseReadingPayload, parseStatusPayload, parseTimePayload, type HelloResult } from './payloads.js';
import { Replier } from './replier.js';
import { mqttReply } from './replies.js';
import { Topics } from './topics.js';

export interface MqttIngestDeps {
  dataDir: string;
  authMode: AuthMode;
  /** How stale a device's registry check may get (revocations are noticed within this). */
  revocationCheckMs: number;
  busyRetryAfterMs: number;
  store: Store;
  sessions: SessionRegistry;
  counters: IngestCounters;
  timers: Timers;
  log: Logger;
}

export interface MqttListening {
  url: string;
  clientId: string;
  /** The embedded broker's listener(s), when `mqtt.embedded`. */
  broker?: EmbeddedBrokerAddress;
}

/** A message taken in: `release` lets its PUBACK go; `drop` forgets it unacknowledged (redelivered later). */
interface Taken {
  release(): void;
  drop(): void;
}

/**
 * MQTT source: boards publish to a broker (external, or the embedded aedes), the gateway subscribes.
 *
 *   board ─PUBLISH─▶ broker ─PUBLISH (QoS 1)─▶ this ─reading─▶ group commit ─▶ SQLite
 *                      ▲                                             │
 *                      └──── PUBACK after commit ◀─────────────────┤
 *   board ◀── sheetlog/<id>/ack: ACK <seq> boot=<b> ◀───────────────┘  (end to end, for QoS 0 boards)
 *
 * Validation, NAK codes, dedupe and statistics are TCP's (the same pure parser and row builder).
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
  private readonly held = new Map<TimerHandle, Taken>();
  private listening: MqttListening | null = null;

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
        { topics: this.topics, store: this.deps.store, authMode: this.deps.authMode, counters: this.deps.counters, timers: this.deps.timers, log: this.deps.log },
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
    this.connection.start();
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
    for (const [timer, taken] of this.held) {
      timer.cancel();
      taken.drop();
    }
    this.held.clear();
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
    const taken = this.take(m);
    const now = this.deps.timers.now();
    switch (target.kind) {
      case 'r':
        this.onReading(target.device, m, now, taken);
        return;
      case 'hello':
        this.onHello(target.device, m, now, taken);
        return;
      case 't':
        if (!m.retain) this.onTime(target.device, m, now);
        taken.release();
        return;
      case 'status':
        this.onStatus(target.device, m, now);
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

  // --- readings ---------------------------------------------------------------------------------

  private onReading(id: string, m: InboundMessage, now: number, taken: Taken): void {
    const parsed = parseReadingPayload(m.payload, this.config.maxPayloadBytes);
    const dev = this.devices.admit(id, now);
    if (!(dev instanceof MqttDevice)) {
      this.replier.refuse(id, null, { scope: 'err', ...dev }, null);
      taken.release();
      return;
    }
    if (parsed.meta.boot !== undefined) dev.useBoot(parsed.meta.boot);
    const boot = parsed.meta.boot ?? dev.boot;
    if (boot !== null && parsed.meta.low !== undefined && dev.acks(boot).window.raiseLow(parsed.meta.low)) this.replier.ackDue(dev, boot);
    if (!parsed.ok) {
      this.replier.refuse(id, dev, parsed.refusal, boot);
      taken.release();
      return;
    }
    if (boot === null) {
      this.replier.refuse(id, dev, { scope: 'err', code: 'NOT_AUTHENTICATED', text: 'boot unknown: publish a hello with boot= first, or put boot= before R' }, null);
      taken.release();
      return;
    }
    const { store, counters } = this.deps;
    if (store.isFull()) {
      // Not stored, so not acknowledged to the broker either: the gateway leaves the broker for the
      // retry-after time and the broker delivers the reading again then (a board in a share group no
      // longer holds it once the broker took it). The board hears BUSY and may resend it too.
      counters.busyReplies++;
      counters.countLimit('BUSY');
      this.replier.send(id, mqttReply.busy(this.deps.busyRetryAfterMs));
      taken.drop();
      this.connection?.pause(this.deps.busyRetryAfterMs);
      return;
    }
    const seq = parsed.message.seq;
    const row = toReadingRow(parsed.message, id, boot, now, m.payload.length, dev.anchor);
    counters.readingsAccepted++;
    const enqueue = () => store.committer.enqueue({ kind: 'reading', row, done: (outcome) => this.onCommitted(dev, boot, seq, outcome, taken) });
    if (this.config.testHoldReadingsMs > 0) this.hold(this.config.testHoldReadingsMs, taken, enqueue, 'mqtt reading held (test knob)', { device: id, seq });
    else enqueue();
  }

  private onCommitted(dev: MqttDevice, boot: number, seq: number, outcome: ReadingOutcome, taken: Taken): void {
    if (outcome === 'failed') {
      // Not durable: never acknowledge it. Reconnecting makes the broker redeliver it.
      taken.drop();
      this.connection?.restart();
      return;
    }
    const { window } = dev.acks(boot);
    window.settle(seq);
    if (seq <= window.acked) this.replier.ackDue(dev, boot);
    const ms = this.config.testHoldPubacksMs;
    if (ms > 0) this.hold(ms, taken, () => taken.release(), 'mqtt puback held after commit (test knob)', { device: dev.id, seq });
    else taken.release();
  }

  // --- hello, time, status ------------------------------------------------------------------------

  private onHello(id: string, m: InboundMessage, now: number, taken: Taken): void {
    if (m.payload.toString('latin1').trim() === '') {
      // An empty payload deletes a retained hello; taken for a hello without boot= it would give the
      // device a made-up boot, under which its next readings would be stored (and later stored again).
      taken.release();
      return;
    }
    const parsed = parseHelloPayload(id, m.payload);
    if (!parsed.ok) {
      this.replier.refuse(id, this.devices.get(id) ?? null, parsed.refusal, null);
      taken.release();
      return;
    }
    const proceed = (auth: AuthResult) => {
      if (!auth.ok) {
        // Not via refuse(): authenticateDevice has already counted it in the device's statistics.
        this.deps.counters.countErr(auth.code);
        this.replier.send(id, mqttReply.err(auth.code, auth.text));
      } else {
        if (auth.registered) this.deps.log.info({ device: id }, 'device registered on first use (mqtt hello)');
        this.applyHello(id, parsed, m.retain, this.deps.timers.now());
      }
      taken.release();
    };
    if (!parsed.hasToken) {
      proceed({ ok: true, registered: false });
      return;
    }
    // A token in the hello is checked like TCP's (and bound on first use in tofu mode).
    const immediate = authenticateDevice(this.deps.store, this.deps.authMode, id, parsed.hello.token, now, proceed);
    if (immediate !== null) proceed(immediate);
  }

  private applyHello(id: string, parsed: Extract<HelloResult, { ok: true }>, retained: boolean, now: number): void {
    const dev = this.devices.admit(id, now);
    if (!(dev instanceof MqttDevice)) {
      this.replier.refuse(id, null, { scope: 'err', ...dev }, null);
      return;
    }
    const { hello } = parsed;
    const boot = hello.boot ?? this.devices.freshBoot(id);
    dev.useBoot(boot);
    const delta: StatsDelta = {};
    if (hello.board !== undefined) delta.board = hello.board;
    if (hello.fw !== undefined) delta.fw = hello.fw;
    if (hello.reset !== undefined) delta.resetCause = hello.reset;
    if (hello.missed !== undefined) delta.missedSamples = hello.missed;
    if (!retained) {
      // A retained hello is old news: its up= says nothing about the time it arrives now.
      if (hello.up !== undefined) dev.anchor.fromHello(hello.up, now);
      delta.lastSeen = now;
      this.deps.sessions.claim(id, dev);
    }
    this.replier.stats(id, delta);
    const { window } = dev.acks(boot);
    if (parsed.low !== undefined) window.raiseLow(parsed.low);
    if (!retained && this.config.shareGroup === undefined) this.replier.send(id, mqttReply.helloOk(now, window.acked, boot));
    this.deps.log.info({ device: id, boot, retained, fw: hello.fw, board: hello.board }, 'mqtt device hello');
  }

  private onTime(id: string, m: InboundMessage, now: number): void {
    const parsed = parseTimePayload(m.payload);
    if (!parsed.ok) {
      this.replier.refuse(id, this.devices.get(id) ?? null, parsed.refusal, null);
      return;
    }
    const { millis, off, rtt } = parsed.request;
    this.replier.send(id, mqttReply.time(millis, now), 't/reply');
    const dev = this.devices.admit(id, now);
    if (!(dev instanceof MqttDevice)) return;
    dev.anchor.fromTimeRequest(millis, now, off);
    const offsetMs = dev.anchor.offsetMs();
    if (offsetMs !== null) this.replier.stats(id, { clock: { offsetMs, rttMs: rtt ?? null, at: now } });
  }

  private onStatus(id: string, m: InboundMessage, now: number): void {
    const status = parseStatusPayload(m.payload);
    const dev = status === null ? null : this.devices.admit(id, now);
    if (!(dev instanceof MqttDevice)) return;
    if (status === 'online') {
      if (dev.onlineAt === null) dev.onlineAt = now;
      if (!m.retain) this.replier.stats(id, { connects: 1, lastSeen: now });
    } else if (dev.onlineAt !== null) {
      this.replier.stats(id, { connectedMs: now - dev.onlineAt, ...(m.retain ? {} : { lastSeen: now }) });
      dev.onlineAt = null;
    }
  }

  // --- test knobs -------------------------------------------------------------------------------

  private hold(ms: number, taken: Taken, fn: () => void, what: string, fields: Record<string, unknown>): void {
    this.deps.log.debug(fields, what);
    const timer = this.deps.timers.after(ms, () => {
      this.held.delete(timer);
      fn();
    });
    this.held.set(timer, taken);
  }
}
