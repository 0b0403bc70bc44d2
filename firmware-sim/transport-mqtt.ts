import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Link, LinkHandlers, Transport, TransportTraits } from './link.js';
import { MqttLinkMapping, type Outbound } from './mqtt-mapping.js';
import type { Scheduler, TimerHandle } from './scheduler.js';

export interface MqttTransportOptions {
  /** The broker the gateway reads: its embedded one (`mqtt.embedded`) or Mosquitto, EMQX ... */
  host: string;
  port: number;
  scheduler: Scheduler;
  /** QoS of the board's publishes. Default 0, like PubSubClient (the gateway's ACKs are end to end). */
  qos?: 0 | 1;
  /** The gateway's `mqtt.topicPrefix`. Default `sheetlog`. */
  topicPrefix?: string;
  /** MQTT keepalive in seconds. Default 15, PubSubClient's. */
  keepaliveSec?: number;
  /** The gateway's `mqtt.maxPayloadBytes` (malformed-line faults go past it). Default 1024. */
  maxPayloadBytes?: number;
  /**
   * An abandoned link (Wi-Fi drop) goes silent: no keepalive, nothing read. The broker drops it
   * after 1.5 keepalives and publishes its last will; the socket is closed after this long at
   * the latest. Default 130 s.
   */
  abandonLingerMs?: number;
  /** Creates the MQTT client (tests). Default MQTT.js's `connect`. */
  connect?: (url: string, options: IClientOptions) => MqttClient;
}

/** CONNACK return codes (MQTT 3.1.1) of a refused login, as the ERR a TCP HELLO would have got. */
const REFUSALS: Record<number, string> = {
  4: 'ERR AUTH_FAILED broker refused the login: bad username or password (CONNACK 4)',
  5: 'ERR UNKNOWN_DEVICE broker refused the login: not authorized, an unknown or revoked device (CONNACK 5)',
};

/**
 * The board side over MQTT, like a PubSubClient board: one MQTT 3.1.1 connection per link, client
 * id and username the device id, password the token, a retained `online` status with the last
 * will `lost`. Lines map to topics as firmware-sim/mqtt-mapping.ts describes.
 *
 *   device ─line─▶ MqttLinkMapping ─PUBLISH (QoS 0/1)─▶ broker ─▶ gateway
 *   device ◀─line─ MqttLinkMapping ◀─ sheetlog/<id>/ack, /t/reply ◀─ gateway (after the commit)
 */
export class MqttTransport implements Transport {
  readonly traits: TransportTraits;
  private readonly clients = new Set<MqttClient>();
  private closed = false;
  private stale = 0;

  constructor(private readonly options: MqttTransportOptions) {
    if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535) {
      throw new RangeError(`port must be 1-65535, got ${options.port}`);
    }
    if (options.qos !== undefined && options.qos !== 0 && options.qos !== 1) throw new RangeError(`qos must be 0 or 1, got ${String(options.qos)}`);
    this.traits = { maxLineBytes: options.maxPayloadBytes ?? 1024, connectionless: true };
  }

  /** MQTT connections currently open, abandoned ones included. */
  get openClients(): number {
    return this.clients.size;
  }

  /** Gateway messages dropped because they answered an earlier link or boot. */
  get staleReplies(): number {
    return this.stale;
  }

  open(deviceId: string, handlers: LinkHandlers, token?: string): Link {
    const o = this.options;
    const qos = o.qos ?? 0;
    const mapping = new MqttLinkMapping(deviceId, o.topicPrefix);
    const client = (o.connect ?? mqtt.connect)(`mqtt://${o.host.includes(':') ? `[${o.host}]` : o.host}:${o.port}`, {
      clientId: deviceId,
      username: deviceId,
      ...(token !== undefined ? { password: token } : {}),
      protocolVersion: 4,
      clean: true,
      keepalive: o.keepaliveSec ?? 15,
      reconnectPeriod: 0, // the board reconnects itself, with its backoff
      connectTimeout: 30_000, // the board gives up earlier (its connect timeout)
      resubscribe: false,
      will: { topic: mapping.topics.of('status'), payload: Buffer.from('lost'), qos, retain: true },
    });
    this.clients.add(client);
    if (this.closed) client.end(true);
    let live = true; // handlers still wanted
    let silent = false; // abandoned: say nothing more to the broker
    let refusal: string | null = null;
    let lastError: string | null = null;
    let linger: TimerHandle | null = null;
    let pending = Buffer.alloc(0);

    const finish = (reason: string) => {
      if (!live) return;
      live = false;
      handlers.onClose(reason);
    };
    const silence = () => client.keepaliveManager?.destroy();

    client.on('connect', () => {
      if (silent) return silence();
      if (!live) return;
      client.subscribe([mapping.topics.of('ack'), mapping.topics.of('t/reply')], { qos: 0 }, (error, granted) => {
        if (!live) return;
        if (error || (granted ?? []).some((g) => g.qos === 128)) {
          live = false;
          client.end(true);
          handlers.onClose(`subscribe refused: ${error?.message ?? 'not authorized'}`);
          return;
        }
        client.publish(mapping.topics.of('status'), 'online', { qos, retain: true });
        handlers.onOpen();
      });
    });
    client.on('message', (topic, payload) => {
      if (!live) return;
      const inbound = mapping.inbound(topic, payload);
      if (inbound.kind === 'stale') {
        this.stale += 1;
        return;
      }
      handlers.onLine(inbound.line);
      // BUSY and closing ERRs end a TCP connection; the board's MQTT link ends likewise.
      if (inbound.closes && live) {
        client.end(true);
        finish(`closed after ${inbound.line.split(' ', 2).join(' ')}`);
      }
    });
    client.on('error', (error: Error & { code?: unknown }) => {
      if (typeof error.code === 'number') refusal = REFUSALS[error.code] ?? null;
      lastError = typeof error.code === 'string' ? error.code : error.message;
    });
    client.on('close', () => {
      this.clients.delete(client);
      linger?.cancel();
      if (!live) return;
      if (refusal !== null) handlers.onLine(refusal);
      finish(lastError ?? 'closed by peer');
    });

    const deliverLocal = (line: 'PONG' | 'BYE') =>
      o.scheduler.after(0, () => {
        // PONG stands for the broker's keepalive: only while the MQTT connection is up.
        if (live && (line === 'BYE' || client.connected)) handlers.onLine(line);
      });
    const send = (action: Outbound) => {
      if (action.kind === 'local') deliverLocal(action.line);
      else if (client.connected) client.publish(action.topic, action.payload, { qos: action.qos0 ? 0 : qos, retain: action.retain });
    };

    return {
      write: (bytes) => {
        if (!live) return;
        pending = Buffer.concat([pending, bytes]);
        for (let nl = pending.indexOf(0x0a); nl !== -1; nl = pending.indexOf(0x0a)) {
          const line = pending.subarray(0, nl);
          pending = pending.subarray(nl + 1);
          for (const action of mapping.outbound(line)) send(action);
        }
      },
      end: () => {
        live = false;
        client.end(false); // DISCONNECT: the broker discards the last will
      },
      destroy: () => {
        live = false;
        client.end(true); // no DISCONNECT: the broker publishes the last will
      },
      abandon: () => {
        live = false;
        silent = true;
        silence();
        linger = o.scheduler.after(o.abandonLingerMs ?? 130_000, () => client.end(true));
      },
    };
  }

  close(): void {
    this.closed = true;
    for (const client of this.clients) client.end(true);
    this.clients.clear();
  }
}
