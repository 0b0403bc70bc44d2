/**
 * A TCP proxy between a board and its MQTT broker that can lose chosen PUBLISH packets on their way
 * to the broker, as QoS 0 may: the connection stays up, the message just never arrives. It reads
 * the board's stream packet by packet (MQTT fixed header + remaining length) and records every
 * PUBLISH, so a test can also see exactly what the board published.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface Published {
  topic: string;
  payload: string;
  /** Lost on purpose (never forwarded). */
  lost: boolean;
}

const PUBLISH = 3;

export class MqttLossyProxy {
  readonly published: Published[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** `lose(topic, payload)` decides for each PUBLISH from a board whether it is lost. */
  static async start(target: { host: string; port: number }, lose: (topic: string, payload: string) => boolean): Promise<MqttLossyProxy> {
    let proxy: MqttLossyProxy | undefined;
    const server = createServer((board) => proxy?.relay(board, target, lose));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new MqttLossyProxy(server, (server.address() as { port: number }).port);
    return proxy;
  }

  lost(): Published[] {
    return this.published.filter((p) => p.lost);
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(board: Socket, target: { host: string; port: number }, lose: (topic: string, payload: string) => boolean): void {
    const broker = createConnection(target);
    for (const s of [board, broker]) {
      this.sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        this.sockets.delete(s);
        // Either side gone: the other goes too (a reset board is a dropped connection at the broker).
        board.destroy();
        broker.destroy();
      });
    }
    broker.on('data', (d: Buffer) => board.write(d));
    let pending = Buffer.alloc(0);
    board.on('data', (d: Buffer) => {
      pending = Buffer.concat([pending, d]);
      for (;;) {
        const packet = nextPacket(pending);
        if (packet === null) return;
        pending = pending.subarray(packet.length);
        const bytes = packet.bytes;
        if (bytes[0]! >> 4 === PUBLISH) {
          const p = parsePublish(bytes, packet.headerLength);
          const lost = lose(p.topic, p.payload);
          this.published.push({ ...p, lost });
          if (lost) continue;
        }
        broker.write(bytes);
      }
    });
  }
}

/** The first complete packet in `buf`, or null while it is incomplete. */
function nextPacket(buf: Buffer): { bytes: Buffer; length: number; headerLength: number } | null {
  if (buf.length < 2) return null;
  let remaining = 0;
  let multiplier = 1;
  let i = 1;
  for (;;) {
    if (i >= buf.length) return null;
    const byte = buf[i]!;
    remaining += (byte & 0x7f) * multiplier;
    multiplier *= 128;
    i += 1;
    if ((byte & 0x80) === 0) break;
    if (i > 4) throw new Error('malformed MQTT remaining length');
  }
  const length = i + remaining;
  if (buf.length < length) return null;
  return { bytes: buf.subarray(0, length), length, headerLength: i };
}

function parsePublish(bytes: Buffer, headerLength: number): { topic: string; payload: string } {
  const qos = (bytes[0]! >> 1) & 0x03;
  const topicLength = bytes.readUInt16BE(headerLength);
  const topicStart = headerLength + 2;
  const topic = bytes.subarray(topicStart, topicStart + topicLength).toString('utf8');
  const payloadStart = topicStart + topicLength + (qos > 0 ? 2 : 0);
  return { topic, payload: bytes.subarray(payloadStart).toString('utf8') };
}
