/**
 * Reconnect delay after `attempt` failed attempts (0 = the first retry): exponential from `minMs`,
 * capped at `maxMs`, with "equal jitter" (half fixed, half random) so that a fleet of gateways, or
 * one gateway's retries, do not hit a recovering broker in step. `random` is in [0, 1). Pure.
 */
export function backoffDelay(attempt: number, minMs: number, maxMs: number, random: number): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}
