import type { ErrCode } from '../../gateway/protocol/codes.js';
import { parseHelloPayload, parseReadingPayload, parseTimePayload } from '../../gateway/ingest/mqtt/payloads.js';
import { mqttReply } from '../../gateway/ingest/mqtt/replies.js';
import { SeqWindow } from '../../gateway/ingest/mqtt/seq-window.js';
import type { Link, LinkHandlers, Transport, TransportTraits } from '../../firmware-sim/link.js';
import { MqttLinkMapping, MqttTopics } from '../../firmware-sim/mqtt-mapping.js';
import type { Scheduler } from '../../firmware-sim/scheduler.js';

/**
 * The MQTT side of the gateway in memory, for the simulator's unit tests under a ManualScheduler:
 * the gateway's own payload parsers, acknowledgement window (SeqWindow: never past a gap unless
 * the board declares low=) and reply formats, behind the board's real MqttLinkMapping. A broker
 * hop takes `latencyMs` each way, so a reply can reach a later link of the board; chosen
 * publishes can be lost, as QoS 0 may lose them.
 */
interface LinkEnd {
  deviceId: string;
  subscribed: boolean;
  deliver(topic: string, payload: Buffer): void;
}

export class MemoryMqttGateway implements Transport {
  readonly traits: TransportTraits = { maxLineBytes: 1024, connectionless: true };
  /** `<device>/<boot>` → stored seqs (each stored once; duplicates counted). */
  readonly stored = new Map<string, Set<number>>();
  duplicates = 0;
  /** Every publish the boards made, as `<topic> <payload>`. */
  readonly published: string[] = [];
  /** Publishes lost on purpose. */
  readonly lost: string[] = [];
  /** Replies the boards' mappings dropped as stale. */
  stale = 0;
  /** Return true to lose this publish on its way to the gateway. */
  lose: (topic: string, payload: string) => boolean = () => false;
  /** While false, connections are refused (Wi-Fi out of range). */
  reachable = true;
  private readonly links = new Set<LinkEnd>();
  private readonly windows = new Map<string, SeqWindow>();
  private readonly bootOf = new Map<string, number>();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly latencyMs = 5,
  ) {}

  open(deviceId: string, handlers: LinkHandlers): Link {
    const mapping = new MqttLinkMapping(deviceId);
    let live = true;
    const end: LinkEnd = {
      deviceId,
      subscribed: false,
      deliver: (topic, payload) => {
        if (!live) return;
        const inbound = mapping.inbound(topic, payload);
        if (inbound.kind === 'stale') {
          this.stale += 1;
          return;
        }
        handlers.onLine(inbound.line);
        if (inbound.closes && live) close('closed after reply');
      },
    };
    const close = (reason: string) => {
      live = false;
      this.links.delete(end);
      handlers.onClose(reason);
    };
    const kill = () => {
      live = false;
      this.links.delete(end);
    };
    this.scheduler.after(1, () => {
      if (!live) return;
      if (!this.reachable) return close('ECONNREFUSED');
      this.links.add(end);
      end.subscribed = true;
      handlers.onOpen();
    });
    let pending = Buffer.alloc(0);
    return {
      write: (bytes) => {
        if (!live) return;
        pending = Buffer.concat([pending, bytes]);
        for (let nl = pending.indexOf(0x0a); nl !== -1; nl = pending.indexOf(0x0a)) {
          const line = pending.subarray(0, nl);
          pending = pending.subarray(nl + 1);
          for (const action of mapping.outbound(line)) {
            if (action.kind === 'local') this.scheduler.after(0, () => live && handlers.onLine(action.line));
            else this.publish(deviceId, action.topic, action.payload);
          }
        }
      },
      end: kill,
      destroy: kill,
      abandon: kill,
    };
  }

  close(): void {
    this.links.clear();
  }

  has(device: string, boot: number, seq: number): boolean {
    return this.stored.get(`${device}/${boot}`)?.has(seq) ?? false;
  }

  private publish(device: string, topic: string, payload: Buffer): void {
    const text = `${topic} ${payload.toString('latin1')}`;
    this.published.push(text);
    if (this.lose(topic, payload.toString('latin1'))) {
      this.lost.push(text);
      return;
    }
    this.scheduler.after(this.latencyMs, () => this.receive(device, topic.slice(topic.lastIndexOf('/') + 1), payload));
  }

  /** The gateway's handling of one message (gateway/ingest/mqtt/source.ts, without the store). */
  private receive(device: string, kind: string, payload: Buffer): void {
    const topics = new MqttTopics(device);
    const reply = (text: string, leaf: 'ack' | 't/reply' = 'ack'): void => {
      this.scheduler.after(this.latencyMs, () => {
        for (const l of [...this.links]) if (l.deviceId === device && l.subscribed) l.deliver(topics.of(leaf), Buffer.from(text));
      });
    };
    if (kind === 'hello') {
      const parsed = parseHelloPayload(device, payload);
      if (!parsed.ok) return reply(mqttReply.err(parsed.refusal.code as ErrCode, parsed.refusal.text));
      const boot = parsed.hello.boot as number;
      this.bootOf.set(device, boot);
      const window = this.window(device, boot);
      if (parsed.low !== undefined) window.raiseLow(parsed.low);
      return reply(mqttReply.helloOk(this.scheduler.now(), window.acked, boot));
    }
    if (kind === 't') {
      const parsed = parseTimePayload(payload);
      if (!parsed.ok) return reply(mqttReply.err(parsed.refusal.code as ErrCode, parsed.refusal.text));
      return reply(mqttReply.time(parsed.request.millis, this.scheduler.now()), 't/reply');
    }
    if (kind !== 'r') return;
    const parsed = parseReadingPayload(payload, this.traits.maxLineBytes);
    const boot = parsed.meta.boot ?? this.bootOf.get(device);
    if (boot !== undefined && parsed.meta.low !== undefined && this.window(device, boot).raiseLow(parsed.meta.low)) {
      reply(mqttReply.ack(this.window(device, boot).acked, boot));
    }
    if (!parsed.ok) {
      const r = parsed.refusal;
      if (r.scope === 'err' || boot === undefined) return reply(mqttReply.err(r.code as ErrCode, r.text));
      const window = this.window(device, boot);
      window.settle(r.seq);
      reply(mqttReply.nak(r.seq, r.code, r.text, boot));
      if (window.acked > r.seq) reply(mqttReply.ack(window.acked, boot));
      return;
    }
    if (boot === undefined) return reply(mqttReply.err('NOT_AUTHENTICATED', 'boot unknown'));
    const key = `${device}/${boot}`;
    const seqs = this.stored.get(key) ?? new Set<number>();
    this.stored.set(key, seqs);
    if (seqs.has(parsed.message.seq)) this.duplicates += 1;
    seqs.add(parsed.message.seq);
    const window = this.window(device, boot);
    window.settle(parsed.message.seq);
    if (parsed.message.seq <= window.acked) reply(mqttReply.ack(window.acked, boot));
  }

  private window(device: string, boot: number): SeqWindow {
    const key = `${device}/${boot}`;
    let w = this.windows.get(key);
    if (!w) {
      w = new SeqWindow((after) => {
        const seqs = this.stored.get(key) ?? new Set<number>();
        let prefix = after;
        while (seqs.has(prefix + 1)) prefix++;
        const more = [...seqs].some((s) => s > prefix + 1);
        return { prefix, more };
      });
      this.windows.set(key, w);
    }
    return w;
  }
}
