import type { AuthMode } from './auth.js';
import type { AuthThrottle } from './auth-throttle.js';
import type { IngestCounters } from './counters.js';
import { authenticateDevice, type AuthResult } from './device-auth.js';
import type { IngestStore } from './session/ingest-store.js';
import type { RegistrationPacer } from './registration-pacer.js';

export interface ThrottledAuthDeps {
  store: IngestStore;
  authMode: AuthMode;
  counters: IngestCounters;
  /** The gateway's guessing throttle; absent: none (auth.throttle.enabled false, unit tests). */
  authThrottle?: AuthThrottle | null;
  /** Bounds the registrations one commit carries; absent: unbounded (unit tests). */
  registrations?: RegistrationPacer | null;
}

/**
 * `authenticateDevice` behind the guessing throttle, as every transport (TCP, UDP, the embedded MQTT
 * broker) calls it: a locked source address or device id is refused with AUTH_THROTTLED without
 * looking at the token; a wrong token or unknown id is recorded and carries the delay the
 * transport waits before answering; a success resets both keys.
 */
export function authenticateThrottled(
  deps: ThrottledAuthDeps,
  source: string | null,
  device: string,
  token: string,
  now: number,
  later: (result: AuthResult) => void,
): AuthResult | null {
  const throttle = deps.authThrottle ?? null;
  if (throttle !== null) {
    const check = throttle.check(source, device, now);
    if (check.throttled) {
      deps.counters.countLimit('AUTH_THROTTLED');
      if (deps.store.devices.find(device) !== undefined) {
        deps.store.committer.enqueue({ kind: 'stats', device, delta: { errors: { AUTH_THROTTLED: 1 } } });
      }
      return {
        ok: false,
        code: 'AUTH_THROTTLED',
        text: `retry-after=${check.retryAfterMs} too many failed authentications for this ${check.key === 'address' ? 'address' : 'device id'}`,
      };
    }
  }
  const record = (result: AuthResult): AuthResult => {
    if (throttle === null) return result;
    if (result.ok) {
      throttle.succeeded(source, device);
      return result;
    }
    if ('diskFull' in result || (result.code !== 'AUTH_FAILED' && result.code !== 'UNKNOWN_DEVICE')) return result;
    const delayMs = throttle.failed(source, device, now);
    if (delayMs > 0) deps.counters.countLimit('AUTH_DELAYED');
    return { ...result, delayMs };
  };
  const immediate = authenticateDevice(deps.store, deps.authMode, device, token, now, (r) => later(record(r)), deps.registrations ?? null);
  return immediate === null ? null : record(immediate);
}
