/**
 * Names of the limits ingest counts (`limits` in the API's ingest counters and the metrics).
 * One list, so a transport cannot count a limit under a misspelt name.
 */
export const LIMIT_NAMES = [
  /** The store buffer is full: boards are told BUSY. */
  'BUSY',
  /** The disk is full (SQLITE_FULL, ENOSPC): boards are told BUSY, the connection stays open. */
  'DISK_FULL',
  /** A connection has too many readings awaiting commit: input pauses (flow control, not an error). */
  'BACKPRESSURE',
  'LINE_TOO_LONG',
  'TOO_MANY_ERRORS',
  'HELLO_TIMEOUT',
  'IDLE_TIMEOUT',
  /** A peer that does not read its replies: its input is paused; after tcp.slowReaderTimeoutMs it is disconnected. */
  'SLOW_READER',
  /** A connection over its input budget (lines per second): paused until the budget is back. */
  'INPUT_BUDGET',
  /** A connection over its input budget for tcp.overBudgetCloseMs: closed. */
  'INPUT_RATE',
  'TOO_MANY_CONNECTIONS',
  'DATAGRAM_TOO_LARGE',
  /** A TLS client that did not complete the handshake (a plain-text client on the TLS port, an untrusted certificate). */
  'TLS_HANDSHAKE',
  'UDP_RATE',
  /** A failed authentication answered after the guessing throttle's delay. */
  'AUTH_DELAYED',
  /** An authentication refused with AUTH_THROTTLED (too many failures from the address or for the device id). */
  'AUTH_THROTTLED',
] as const;

export type LimitName = (typeof LIMIT_NAMES)[number];
