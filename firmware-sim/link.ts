/**
 * What a device needs from a transport: a line-oriented duplex link. The TCP transport, the slow
 * sender and the tests' scripted peers all implement it.
 */
export interface LinkHandlers {
  /** The link is up; the board may write. */
  onOpen(): void;
  /** One complete line from the gateway, without its terminator. */
  onLine(line: string): void;
  /** The link is gone (closed by the peer, refused, reset). `reason` is for statistics. */
  onClose(reason: string): void;
}

export interface Link {
  /** Writes bytes as they are; framing ('\n') is the caller's (see writeLine). */
  write(bytes: Buffer): void;
  /** Graceful close (after `BYE`). No more handler calls. */
  end(): void;
  /** Abrupt close, like a reset. No more handler calls. */
  destroy(): void;
  /**
   * The board vanishes without closing: a Wi-Fi drop. The connection stays open on the gateway's
   * side until it times out or is taken over. No more handler calls.
   */
  abandon(): void;
}

export interface Transport {
  /**
   * Starts a connection. Handlers are never called before `open` returns.
   * `deviceId` lets transports that need it (MQTT client ids, topics) address the board;
   * `token` is for transports that log in before any line is written (an MQTT broker's password).
   */
  open(deviceId: string, handlers: LinkHandlers, token?: string): Link;
  /** Closes every link this transport opened, abandoned ones included. Idempotent. */
  close(): void;
  /** What the board must know about the transport; absent: TCP's (TCP_TRAITS). */
  readonly traits?: TransportTraits;
}

/** Where the protocol's behaviour depends on the transport (docs/PROTOCOL.md, MQTT). */
export interface TransportTraits {
  /** Longest line the gateway takes as one message (malformed-line faults go past it). */
  maxLineBytes: number;
  /**
   * The gateway holds no connection for the board (MQTT): acknowledgements belong to the boot
   * and never skip a gap in the seqs, so HELLO declares with `low=` the lowest seq the board
   * still holds (it gave up everything below), and a second HELLO is an ordinary hello.
   */
  connectionless: boolean;
}

export const TCP_TRAITS: TransportTraits = { maxLineBytes: 512, connectionless: false };

const NEWLINE = Buffer.from('\n');

/** Writes one protocol line: UTF-8 text or raw bytes (malformed lines), then '\n'. */
export function writeLine(link: Link, line: string | Buffer): void {
  const body = typeof line === 'string' ? Buffer.from(line, 'utf8') : line;
  link.write(Buffer.concat([body, NEWLINE]));
}
