import type { ErrCode } from '../protocol/codes.js';
import { DeviceRegistry, type DeviceCredentials } from '../store/devices.js';

export type AuthMode = 'tofu' | 'required' | 'off';

/** What to do with a HELLO, decided from the registry without writing (pure given the lookup). */
export type AuthDecision =
  | { kind: 'accept' }
  | { kind: 'register'; origin: 'tofu' | 'open' }
  | { kind: 'refuse'; code: Extract<ErrCode, 'AUTH_FAILED' | 'UNKNOWN_DEVICE' | 'REVOKED'>; text: string };

export function decideAuth(mode: AuthMode, known: DeviceCredentials | undefined, token: string): AuthDecision {
  if (known === undefined) {
    if (mode === 'required') return { kind: 'refuse', code: 'UNKNOWN_DEVICE', text: 'device is not registered (sheetlog devices add)' };
    return { kind: 'register', origin: mode === 'tofu' ? 'tofu' : 'open' };
  }
  if (known.revokedAt !== null) return { kind: 'refuse', code: 'REVOKED', text: 'device was revoked' };
  if (mode === 'off' || DeviceRegistry.tokenAccepted(known, token)) return { kind: 'accept' };
  return { kind: 'refuse', code: 'AUTH_FAILED', text: 'wrong token for this device' };
}
