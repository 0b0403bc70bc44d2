/**
 * How far a board's own clock is from the gateway's, from one `T <millis> [rtt=] off=` line (pure).
 *
 * `off=` is the board's estimate of (gateway epoch − its millis()) at `<millis>`, so the board
 * believed the time was `millis + off` when it wrote the line. The gateway read the line one
 * network trip later: about `rtt / 2` (the round trip the board reports with its estimate), or
 * nothing when it reports none. Board minus gateway at the same instant:
 *
 *   error = (millis + off) − (received − rtt / 2)
 *
 * positive: the board's clock is ahead. A board that only stamps uptime (`T` without `off=`) has no
 * clock of its own to be wrong: undefined. The gateway's own one-way estimate is not compared
 * with itself.
 */
export function boardClockErrorMs(millis: number, receivedMs: number, off: number | undefined, rtt: number | undefined): number | undefined {
  if (off === undefined) return undefined;
  return Math.round(millis + off - (receivedMs - (rtt ?? 0) / 2));
}
