/**
 * A stand-in for the gateway's MQTT side (which does not exist yet), speaking the topic mapping
 * of DESIGN.md section 3 as SheetlogMqtt.h implements it, over a real broker (aedes). It stores
 * readings by (device, boot, seq), answers HELLO with the highest seq it holds without a gap,
 * acknowledges with that same contiguous seq (cumulative ACKs past a gap would lose a reading that
 * QoS 0 dropped), and answers T. It can lose chosen messages, as QoS 0 may.
 */
import { createServer, type Server } from 'node:net';

import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';

const GATEWAY_PASSWORD = 'gateway-secret';

export interface StoredMqttReading {
  boot: number;
  seq: number;
  ts: string;
  line: string;
  copies: number;
}

export class MqttGatewayDouble {
  readonly readings = new Map<string, StoredMqttReading>();
  readonly statuses: string[] = [];
  readonly hellos: string[] = [];
  /** 1-based numbers of R messages to lose (counted over the run). */
  loseReadings = new Set<number>();
  /** The seqs of the R messages dropped because of `loseReadings`. */
  readonly lostSeqs: number[] = [];
  private rCount = 0;
  private readonly boots = new Map<string, number>();

  private constructor(
    private readonly broker: Aedes,
    private readonly server: Server,
    private readonly client: MqttClient,
    readonly port: number,
  ) {}

  /** Starts a broker on a free port that accepts `tokens` (device id -> token) and the double. */
  static async start(tokens: Record<string, string>): Promise<MqttGatewayDouble> {
    const gatewayPassword = GATEWAY_PASSWORD;
    const broker = await Aedes.createBroker({
      authenticate: (c, username, password, done) => {
        const ok =
          (username === 'gateway' && password?.toString() === gatewayPassword) ||
          (username !== undefined && username === c.id && tokens[username] === password?.toString());
        done(null, ok);
      },
    });
    const server = createServer(broker.handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
      clientId: 'sheetlog-gateway-double',
      username: 'gateway',
      password: gatewayPassword,
    });
    const double = new MqttGatewayDouble(broker, server, client, port);
    client.on('message', (topic, payload) => double.onMessage(topic, payload.toString()));
    await client.subscribeAsync(['sheetlog/+/hello', 'sheetlog/+/r', 'sheetlog/+/t', 'sheetlog/+/status']);
    return double;
  }

  async stop(): Promise<void> {
    await this.client.endAsync(true);
    await new Promise<void>((resolve) => this.broker.close(() => resolve()));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /**
   * The retained status of a device, as a client subscribing now sees it. (aedes 1.2 does not
   * forward a retained QoS 0 publish to existing subscribers live, so `statuses` only sees the
   * will; a fresh subscription gets the retained value.)
   */
  async retainedStatus(device: string): Promise<string | undefined> {
    const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${this.port}`, {
      clientId: `status-reader-${Date.now()}`,
      username: 'gateway',
      password: GATEWAY_PASSWORD,
    });
    try {
      const got = new Promise<string | undefined>((resolve) => {
        c.on('message', (_t, payload, packet) => resolve(packet.retain ? payload.toString() : undefined));
        setTimeout(() => resolve(undefined), 5000);
      });
      await c.subscribeAsync(`sheetlog/${device}/status`);
      return await got;
    } finally {
      await c.endAsync(true);
    }
  }

  /** The highest seq of this boot such that 1..seq are all stored. */
  contiguous(device: string, boot: number): number {
    let seq = 0;
    while (this.readings.has(`${device}/${boot}/${seq + 1}`)) seq++;
    return seq;
  }

  private reply(device: string, leaf: string, line: string): void {
    this.client.publish(`sheetlog/${device}/${leaf}`, line);
  }

  private onMessage(topic: string, text: string): void {
    const m = /^sheetlog\/([^/]+)\/(hello|r|t|status)$/.exec(topic);
    if (!m) return;
    const device = m[1] as string;
    const words = text.split(/ +/);
    switch (m[2]) {
      case 'status':
        this.statuses.push(text);
        break;
      case 'hello': {
        this.hellos.push(text);
        const boot = Number(/ boot=(\d+)/.exec(text)?.[1] ?? 0);
        this.boots.set(device, boot);
        this.reply(device, 'ack', `HELLO OK ${Date.now()} ${this.contiguous(device, boot)}`);
        break;
      }
      case 'r': {
        if (this.loseReadings.has(++this.rCount)) {
          this.lostSeqs.push(Number(words[1]));
          return;
        }
        const boot = this.boots.get(device);
        const seq = Number(words[1]);
        if (boot === undefined || words[0] !== 'R' || !(seq > 0)) return;
        const key = `${device}/${boot}/${seq}`;
        const known = this.readings.get(key);
        if (known) known.copies++;
        else this.readings.set(key, { boot, seq, ts: words[2] ?? '', line: text, copies: 1 });
        this.reply(device, 'ack', `ACK ${this.contiguous(device, boot)}`);
        break;
      }
      case 't':
        this.reply(device, 't/reply', `T ${words[1]} ${Date.now()}`);
        break;
    }
  }
}
