/**
 * The board's half of the MQTT mapping (the gateway's side: gateway/ingest/mqtt/), pure: where
 * each protocol line the board writes goes, and which gateway messages become lines for the board.
 * One instance per link (one MQTT connection of one board).
 *
 *   board writes      topic                    payload
 *   HELLO ...         <prefix>/<id>/hello      the line, token included (the gateway checks it)
 *   T <millis> ...    <prefix>/<id>/t          the line
 *   [low=<l>] R ...   <prefix>/<id>/r          `boot=<boot> ` + the line: no connection carries the
 *   (and any other                             boot, and a reading must not be filed under another
 *   line)                                      (low=: the lowest seq the board still holds)
 *   PING              -                        answered PONG by the transport (MQTT keepalive
 *                                              watches the link)
 *   BYE               <prefix>/<id>/status     retained `offline`; answered BYE by the transport
 *
 *   gateway topic             payload                                   the board gets
 *   <prefix>/<id>/ack         HELLO OK <ms> <acked> boot=<b>            HELLO OK <ms> <acked>
 *                             ACK <s> boot=<b>                          ACK <s>
 *                             NAK <s> <code> [boot=<b>] <text>          NAK <s> <code> <text>
 *                             BUSY <ms>, ERR <code> <text>              as they are (the link closes)
 *   <prefix>/<id>/t/reply     T <millis> <gateway-ms>                   as it is
 *
 * The ack topic outlives links and boots, so a message may answer something an earlier link (or
 * boot) sent. It is dropped as stale when it names another boot, when it is a HELLO OK and every
 * HELLO of this link is answered, an ACK or NAK before this link's HELLO OK (a NAK also when its
 * seq was not sent on this link), or a time reply to a T this link did not send. What passes is
 * exactly what a TCP connection would have said.
 */
import { CLOSING_ERR_CODES } from './protocol.js';

export type Outbound =
  /** `qos0`: at QoS 0 whatever the board's QoS (a late time request is useless, PROTOCOL.md 9.7). */
  | { kind: 'publish'; topic: string; payload: Buffer; retain: boolean; qos0?: true }
  /** A reply the transport gives itself, with no gateway involved. */
  | { kind: 'local'; line: 'PONG' | 'BYE' };

export type Inbound =
  | { kind: 'line'; line: string; /** The gateway would close a TCP connection now: close the link. */ closes: boolean }
  | { kind: 'stale'; reason: string };

export class MqttTopics {
  constructor(
    readonly deviceId: string,
    readonly prefix = 'sheetlog',
  ) {}

  of(leaf: 'hello' | 'r' | 't' | 'status' | 'ack' | 't/reply'): string {
    return `${this.prefix}/${this.deviceId}/${leaf}`;
  }
}

const BOOT_KEY = /(?:^| )boot=(\d{1,10})(?= |$)/;

export class MqttLinkMapping {
  readonly topics: MqttTopics;
  private boot: number | null = null;
  private hellosSent = 0;
  private helloOks = 0;
  private readonly timeRequests = new Set<number>();
  /** Seqs of R lines sent on this link and not yet covered by an ACK. */
  private readonly readings = new Set<number>();

  constructor(deviceId: string, prefix?: string) {
    this.topics = new MqttTopics(deviceId, prefix);
  }

  /** What to do with one line the board wrote (without its '\n'). */
  outbound(line: Buffer): Outbound[] {
    const head = line.subarray(0, 80).toString('latin1');
    const verb = /^\S*/.exec(head)?.[0] ?? '';
    switch (verb) {
      case 'HELLO': {
        const boot = BOOT_KEY.exec(head)?.[1];
        if (boot !== undefined) this.boot = Number(boot);
        this.hellosSent += 1;
        return [this.publish('hello', line)];
      }
      case 'T': {
        const millis = /^T +(\d{1,10})(?: |$)/.exec(head)?.[1];
        if (millis !== undefined) this.timeRequests.add(Number(millis));
        return [{ kind: 'publish', topic: this.topics.of('t'), payload: line, retain: false, qos0: true }];
      }
      case 'PING':
        return [{ kind: 'local', line: 'PONG' }];
      case 'BYE':
        return [{ kind: 'publish', topic: this.topics.of('status'), payload: Buffer.from('offline'), retain: true }, { kind: 'local', line: 'BYE' }];
      default: {
        const seq = /^(?:[a-z]+=\S* +)*R +(\d{1,10})(?: |$)/.exec(head)?.[1];
        if (seq !== undefined) this.readings.add(Number(seq));
        const envelope = this.boot === null ? Buffer.alloc(0) : Buffer.from(`boot=${this.boot} `);
        return [this.publish('r', Buffer.concat([envelope, line]))];
      }
    }
  }

  /** A message from the gateway on one of the link's subscriptions. */
  inbound(topic: string, payload: Buffer): Inbound {
    const text = payload.toString('utf8').replace(/\r?\n$/, '');
    if (topic === this.topics.of('t/reply')) return this.timeReply(text);
    if (topic !== this.topics.of('ack')) return { kind: 'stale', reason: `unexpected topic ${topic}` };
    const words = text.split(/ +/);
    switch (words[0]) {
      case 'HELLO':
        return this.helloOk(text);
      case 'ACK':
        return this.ack(text);
      case 'NAK':
        return this.nak(text, words);
      case 'BUSY':
        return { kind: 'line', line: text, closes: true };
      case 'ERR':
        return { kind: 'line', line: text, closes: CLOSING_ERR_CODES.has(words[1] ?? '') };
      default:
        return { kind: 'line', line: text, closes: false };
    }
  }

  private publish(leaf: 'hello' | 'r', payload: Buffer): Outbound {
    return { kind: 'publish', topic: this.topics.of(leaf), payload, retain: false };
  }

  /** Removes a trailing ` boot=<b>`; null when it names another boot than this link's. */
  private ownBoot(text: string): string | null {
    const m = / boot=(\d{1,10})$/.exec(text);
    if (!m) return text;
    return this.boot === null || Number(m[1]) === this.boot ? text.slice(0, m.index) : null;
  }

  private helloOk(text: string): Inbound {
    const line = this.ownBoot(text);
    if (line === null) return { kind: 'stale', reason: 'HELLO OK for another boot' };
    if (this.helloOks >= this.hellosSent) return { kind: 'stale', reason: 'HELLO OK answering an earlier link' };
    this.helloOks += 1;
    return { kind: 'line', line, closes: false };
  }

  private ack(text: string): Inbound {
    const line = this.ownBoot(text);
    if (line === null) return { kind: 'stale', reason: 'ACK for another boot' };
    if (this.helloOks === 0) return { kind: 'stale', reason: 'ACK before this link\'s HELLO OK' };
    const seq = Number(/^ACK +(\d{1,10})$/.exec(line)?.[1] ?? NaN);
    for (const s of this.readings) if (s <= seq) this.readings.delete(s);
    return { kind: 'line', line, closes: false };
  }

  private nak(text: string, words: string[]): Inbound {
    // NAK <seq> <code> [boot=<b>] <text>
    const boot = /^boot=(\d{1,10})$/.exec(words[3] ?? '')?.[1];
    if (boot !== undefined && this.boot !== null && Number(boot) !== this.boot) return { kind: 'stale', reason: 'NAK for another boot' };
    if (this.helloOks === 0) return { kind: 'stale', reason: 'NAK before this link\'s HELLO OK' };
    const seq = Number(words[1]);
    if (!this.readings.delete(seq)) return { kind: 'stale', reason: `NAK for seq ${words[1]}, not sent on this link` };
    const line = boot === undefined ? text : text.replace(/^(NAK +\S+ +\S+) +boot=\d+/, '$1');
    return { kind: 'line', line, closes: false };
  }

  private timeReply(text: string): Inbound {
    const millis = Number(/^T +(\d{1,10}) /.exec(text)?.[1] ?? NaN);
    if (!this.timeRequests.delete(millis)) return { kind: 'stale', reason: 'time reply to a request of an earlier link' };
    return { kind: 'line', line: text, closes: false };
  }
}
