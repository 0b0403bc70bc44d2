/**
 * The one window every time a reading gets must fall in: a device's own epoch, a `u<millis>`
 * value converted through an anchor, and the anchor a board's `T ... off=` estimate implies.
 * See docs/PROTOCOL.md, "Timestamps".
 */

/** Times before this are not trusted (an unset RTC counts from 1970 or 2000). */
export const TRUST_FLOOR_MS = Date.UTC(2020, 0, 1);
/** Times more than this ahead of the gateway's clock are not trusted. */
export const TRUST_AHEAD_MS = 24 * 60 * 60 * 1000;

/** Whether `epochMs` is a time the gateway accepts as the moment of a reading seen at `receivedMs`. */
export function isTrustedTime(epochMs: number, receivedMs: number): boolean {
  return Number.isSafeInteger(epochMs) && epochMs >= TRUST_FLOOR_MS && epochMs <= receivedMs + TRUST_AHEAD_MS;
}
