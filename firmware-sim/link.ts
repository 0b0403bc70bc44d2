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
   * `deviceId` lets transports that need it (MQTT client ids, topics) address the board.
   */
  open(deviceId: string, handlers: LinkHandlers): Link;
  /** Closes every link this transport opened, abandoned ones included. Idempotent. */
  close(): void;
}

const NEWLINE = Buffer.from('\n');

/** Writes one protocol line: UTF-8 text or raw bytes (malformed lines), then '\n'. */
export function writeLine(link: Link, line: string | Buffer): void {
  const body = typeof line === 'string' ? Buffer.from(line, 'utf8') : line;
  link.write(Buffer.concat([body, NEWLINE]));
}
