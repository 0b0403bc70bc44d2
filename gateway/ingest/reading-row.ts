import type { ReadingMessage } from '../protocol/messages.js';
import type { ReadingRow } from '../store/ops.js';
import type { ClockAnchor } from './clock-anchor.js';
import { isTrustedTime } from './trust-window.js';

export { TRUST_AHEAD_MS, TRUST_FLOOR_MS } from './trust-window.js';

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
  // Every time the board gives, directly or through an anchor, passes the same window; one that
  // fails it is kept as device_ts for diagnosis and the row takes the gateway's receive time.
  const claimed = stamp.kind === 'epoch' ? stamp.ms : stamp.kind === 'uptime' ? anchor.toEpoch(stamp.millis) : null;
  if (claimed === null) return row;
  if (isTrustedTime(claimed, receivedMs)) {
    row.ts = claimed;
    row.tsSource = stamp.kind === 'epoch' ? 'device' : 'uptime';
  } else {
    row.deviceTs = Number.isSafeInteger(claimed) ? claimed : null;
    row.clockUntrusted = true;
  }
  return row;
}
