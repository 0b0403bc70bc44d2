import type { ReadingMessage } from '../protocol/messages.js';
import type { ReadingRow } from '../store/ops.js';
import type { ClockAnchor } from './clock-anchor.js';

/** Device clocks before this are not trusted (an unset RTC counts from 1970 or 2000). */
export const TRUST_FLOOR_MS = Date.UTC(2020, 0, 1);
/** Device clocks more than this ahead of the gateway are not trusted. */
export const TRUST_AHEAD_MS = 24 * 60 * 60 * 1000;

/**
 * Turns a parsed reading into the row the store writes, resolving its time (pure).
 * See docs/PROTOCOL.md, "Timestamps".
 */
export function toReadingRow(
  msg: ReadingMessage,
  device: string,
  boot: number,
  receivedMs: number,
  bytes: number,
  anchor: ClockAnchor,
): ReadingRow {
  const row: ReadingRow = {
    device,
    boot,
    seq: msg.seq,
    ts: receivedMs,
    tsSource: 'gateway',
    deviceTs: null,
    received: receivedMs,
    fields: JSON.stringify(msg.fields),
    bytes,
    clockUntrusted: false,
  };
  const stamp = msg.ts;
  if (stamp.kind === 'epoch') {
    if (stamp.ms >= TRUST_FLOOR_MS && stamp.ms <= receivedMs + TRUST_AHEAD_MS) {
      row.ts = stamp.ms;
      row.tsSource = 'device';
    } else {
      row.deviceTs = stamp.ms;
      row.clockUntrusted = true;
    }
  } else if (stamp.kind === 'uptime') {
    const epoch = anchor.toEpoch(stamp.millis);
    if (epoch !== null) {
      row.ts = epoch;
      row.tsSource = 'uptime';
    }
  }
  return row;
}
