import type { IClientOptions, IConnackPacket, IPublishPacket, MqttClient } from 'mqtt';
import type { Logger } from '../../log.js';
import type { TimerHandle, Timers } from '../../time/timers.js';
import { backoffDelay } from './backoff.js';
import { HELD, PubackQueue } from './puback-queue.js';

export interface BrokerOptions {
  url: string;
  clientId: string;
  username?: string | undefined;
  password?: string | undefined;
  ca?: Buffer | undefined;
  rejectUnauthorized: boolean;
  protocolVersion: 4 | 5;
  sessionExpirySec: number;
  keepaliveSec: number;
  receiveMaximum: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  subscriptions: readonly string[];
}

/** One PUBLISH from the broker. `release()` lets its PUBACK go (QoS 1); call it exactly once. */
export interface InboundMessage {
  topic: string;
  payload: Buffer;
  /** Delivered because the gateway subscribed (a retained message), not because it was just sent. */
  retain: boolean;
  release(): void;
}

export interface BrokerDeps {
  timers: Timers;
  log: Logger;
  onMessage(message: InboundMessage): void;
  random?: () => number;
}

const noop = (): void => {};

/**
 * The gateway's connection to a broker (MQTT.js): a persistent session under a stable client id,
 * QoS 1 subscriptions, our own reconnect loop with jittered exponential backoff (MQTT.js's is a
 * fixed period), and PUBACKs only when the message's handler releases it (PubackQueue).
 * MQTT.js (~120 ms to import) is loaded by start(), so a gateway without MQTT never loads it.
 */
export class BrokerConnection {
  private client: MqttClient | null = null;
  private pubacks: PubackQueue | null = null;
  private attempt = 0;
  private reconnectTimer: TimerHandle | null = null;
  /** Set while the connection closes for a pause (the store is full): how long to stay away. */
  private pauseMs: number | null = null;
  private stopped = false;
  private subscribedOnce = false;
  private subscribedWaiters: (() => void)[] = [];

  constructor(
    private readonly options: BrokerOptions,
    private readonly deps: BrokerDeps,
  ) {}

  /**
   * Loads MQTT.js and starts connecting; resolves without waiting for the broker, and never
   * rejects for an unreachable one (it keeps retrying).
   */
  async start(): Promise<void> {
    const { default: mqtt } = await import('mqtt');
    if (this.stopped) return;
    const o = this.options;
    const clientOptions: IClientOptions = {
      clientId: o.clientId,
      clean: false,
      protocolVersion: o.protocolVersion,
      keepalive: o.keepaliveSec,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      resubscribe: false,
      queueQoSZero: false,
      rejectUnauthorized: o.rejectUnauthorized,
    };
    if (o.username !== undefined) clientOptions.username = o.username;
    if (o.password !== undefined) clientOptions.password = o.password;
    if (o.ca !== undefined) clientOptions.ca = o.ca;
    if (o.protocolVersion === 5) clientOptions.properties = { sessionExpiryInterval: o.sessionExpirySec, receiveMaximum: o.receiveMaximum };
    const client = mqtt.connect(o.url, clientOptions);
    this.client = client;
    this.pubacks = new PubackQueue(client);
    client.handleMessage = (packet, callback) => this.onPublish(packet, callback);
    client.on('connect', (connack) => this.onConnect(connack));
    client.on('close', () => this.onClose());
    client.on('error', (e) => this.deps.log.warn({ err: e.message, url: o.url }, 'mqtt connection error'));
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** Messages handed to the handler whose PUBACK is still held. */
  get unacknowledged(): number {
    return this.pubacks?.pending ?? 0;
  }

  /** Resolves once the subscriptions of this run are in place. */
  subscribed(): Promise<void> {
    if (this.subscribedOnce && this.connected) return Promise.resolve();
    return new Promise((resolve) => this.subscribedWaiters.push(resolve));
  }

  /** Fire-and-forget reply (QoS 0): a board that misses one asks again and is answered again. */
  publish(topic: string, payload: string): void {
    if (this.client?.connected && this.pauseMs === null) this.client.publish(topic, payload, { qos: 0, retain: false });
  }

  /**
   * Leaves the broker for `ms` (the store is over its limit). Nothing taken on this connection is
   * acknowledged any more, so the broker keeps those readings in the gateway's session and delivers
   * them again after the reconnect, with what arrived meanwhile. Writes already made (the BUSY reply)
   * are flushed before the socket closes.
   */
  pause(ms: number): void {
    if (this.pauseMs !== null || !this.connected) return;
    this.pauseMs = ms;
    this.pubacks?.reset();
    this.client?.stream?.end();
  }

  /**
   * Drops the connection so the broker redelivers every unacknowledged reading (used when a commit
   * failed: those readings must not be acknowledged, and will be tried again).
   */
  restart(): void {
    this.client?.stream?.destroy();
  }

  /** Graceful end: a DISCONNECT that keeps the session. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.reconnectTimer?.cancel();
    this.reconnectTimer = null;
    const client = this.client;
    if (client === null) return;
    await client.endAsync(!client.connected);
  }

  private onPublish(packet: IPublishPacket, callback: (error?: Error) => void): void {
    const held = packet.qos === 1 && packet.messageId !== undefined && this.pubacks !== null;
    const release = held ? (this.pubacks as PubackQueue).hold(packet.messageId as number) : noop;
    try {
      this.deps.onMessage({
        topic: packet.topic,
        payload: typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload,
        retain: packet.retain,
        release,
      });
    } catch (e) {
      // A bug in a handler must not wedge the connection; the message stays unacknowledged.
      this.deps.log.error({ err: String(e), stack: (e as Error).stack, topic: packet.topic }, 'mqtt message handler failed');
    }
    callback(held ? HELD : undefined);
  }

  private onConnect(connack: IConnackPacket): void {
    this.attempt = 0;
    const client = this.client as MqttClient;
    this.deps.log.info({ url: this.options.url, clientId: this.options.clientId, sessionPresent: connack.sessionPresent }, 'mqtt connected');
    if (connack.sessionPresent && this.subscribedOnce) {
      this.notifySubscribed();
      return;
    }
    const topics = Object.fromEntries(this.options.subscriptions.map((t) => [t, { qos: 1 as const }]));
    client.subscribe(topics, (err, granted) => {
      const refused = (granted ?? []).filter((g) => g.qos !== 0 && g.qos !== 1).map((g) => g.topic);
      if (err || refused.length > 0) {
        this.deps.log.error({ err: err?.message, refused }, 'mqtt subscription refused by the broker');
        return;
      }
      this.subscribedOnce = true;
      this.deps.log.info({ topics: this.options.subscriptions }, 'mqtt subscribed');
      this.notifySubscribed();
    });
  }

  private notifySubscribed(): void {
    for (const w of this.subscribedWaiters.splice(0)) w();
  }

  private onClose(): void {
    this.pubacks?.reset();
    const pauseMs = this.pauseMs;
    this.pauseMs = null;
    if (this.stopped || this.reconnectTimer !== null) return;
    let delay: number;
    if (pauseMs !== null) {
      delay = pauseMs;
      this.deps.log.info({ url: this.options.url, retryInMs: delay }, 'mqtt paused while the store is full; the broker keeps the readings');
    } else {
      delay = backoffDelay(this.attempt++, this.options.reconnectMinMs, this.options.reconnectMaxMs, (this.deps.random ?? Math.random)());
      this.deps.log.warn({ url: this.options.url, retryInMs: delay, attempt: this.attempt }, 'mqtt disconnected; reconnecting');
    }
    this.reconnectTimer = this.deps.timers.after(delay, () => {
      this.reconnectTimer = null;
      if (!this.stopped) this.client?.reconnect();
    });
  }
}
