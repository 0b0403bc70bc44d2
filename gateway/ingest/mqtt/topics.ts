/**
 * The MQTT topic tree (docs/PROTOCOL.md, MQTT), pure. With the default prefix:
 *
 *   sheetlog/<device>/r        board → gateway  one reading (R line text or JSON)
 *   sheetlog/<device>/hello    board → gateway  boot, up, fw, board (publish retained)
 *   sheetlog/<device>/t        board → gateway  time request
 *   sheetlog/<device>/status   board → all      retained "online"; last will "lost"
 *   sheetlog/<device>/ack      gateway → board  HELLO OK, ACK, NAK, ERR, BUSY
 *   sheetlog/<device>/t/reply  gateway → board  time reply
 */
export type InboundKind = 'r' | 'hello' | 't' | 'status';
export type OutboundKind = 'ack' | 't/reply';

const DEVICE_ID = /^[A-Za-z0-9_.-]{1,64}$/;
const INBOUND: ReadonlySet<string> = new Set<InboundKind>(['r', 'hello', 't', 'status']);

export class Topics {
  private readonly prefixParts: number;

  constructor(readonly prefix: string) {
    this.prefixParts = prefix.split('/').length;
  }

  /** The device and kind of an inbound topic, or null when it is not one of ours. */
  parse(topic: string): { device: string; kind: InboundKind } | null {
    const parts = topic.split('/');
    if (parts.length !== this.prefixParts + 2 || !topic.startsWith(`${this.prefix}/`)) return null;
    const device = parts[this.prefixParts] as string;
    const kind = parts[this.prefixParts + 1] as string;
    if (!DEVICE_ID.test(device) || !INBOUND.has(kind)) return null;
    return { device, kind: kind as InboundKind };
  }

  to(device: string, kind: OutboundKind | InboundKind): string {
    return `${this.prefix}/${device}/${kind}`;
  }

  /**
   * The gateway's subscriptions. With a share group, readings, time requests and status go to one
   * member of the group each; hello stays a plain subscription so every member learns every board's
   * boot (and receives the retained hellos when it starts).
   */
  subscriptions(shareGroup: string | undefined): string[] {
    const shared = (kind: InboundKind) => (shareGroup ? `$share/${shareGroup}/${this.prefix}/+/${kind}` : `${this.prefix}/+/${kind}`);
    return [shared('r'), shared('t'), shared('status'), `${this.prefix}/+/hello`];
  }

  /** Whether a board (authenticated as `device`) may publish to `topic` (embedded broker). */
  boardMayPublish(device: string, topic: string): boolean {
    const parsed = this.parse(topic);
    return parsed !== null && parsed.device === device;
  }

  /** Whether a board may subscribe to `filter`: only below its own `<prefix>/<device>/`. */
  boardMaySubscribe(device: string, filter: string): boolean {
    // Device ids and the prefix hold no wildcard characters, so the own part cannot widen the filter.
    return filter.startsWith(`${this.prefix}/${device}/`);
  }
}

export function isValidPrefix(prefix: string): boolean {
  return /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(prefix);
}
