export interface BackoffSettings {
  baseMs: number;
  maxMs: number;
}

/**
 * Jittered exponential backoff ("equal jitter": half the step is fixed, half random, so a retry
 * never comes back at once yet many gateways do not retry in lockstep). A hint from the
 * destination (Retry-After, RetryInfo) is a floor, never shortened.
 *
 * attempt 1 waits in [base/2, base], attempt 2 in [base, 2·base], ... capped at maxMs.
 */
export function backoffDelay(attempt: number, settings: BackoffSettings, random: () => number, hintMs?: number): number {
  const step = Math.min(settings.maxMs, settings.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.round(step / 2 + random() * (step / 2));
  return Math.max(jittered, hintMs ?? 0);
}
