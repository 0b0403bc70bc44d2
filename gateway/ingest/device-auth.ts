import type { ErrCode } from '../protocol/codes.js';
import type { RegisterOutcome } from '../store/ops.js';
import type { IngestStore } from './session/ingest-store.js';
import { decideAuth, type AuthMode } from './auth.js';
import type { RegistrationPacer } from './registration-pacer.js';

/** Outcome of presenting a device id and token, as every transport needs it. */
export type AuthResult =
  | { ok: true; registered: boolean }
  | {
      ok: false;
      code: Extract<ErrCode, 'AUTH_FAILED' | 'UNKNOWN_DEVICE' | 'REVOKED' | 'INTERNAL' | 'AUTH_THROTTLED'>;
      text: string;
      /** The guessing throttle's delay before this refusal is answered (ms; absent or 0: at once). */
      delayMs?: number;
    }
  /**
   * A registration (trust on first use, auth off) could not be committed because the disk is full:
   * nothing was registered; the transport answers BUSY and the board tries again later.
   */
  | { ok: false; diskFull: true; text: string };

/**
 * Checks a device's credentials against the registry (docs/PROTOCOL.md section 6). When the answer
 * needs a write (trust on first use, or auth off registering a new id) the registration rides the
 * next group commit: the function returns null and calls `later` after that commit (never before it
 * has returned, even when the commit happens at once). Otherwise it returns the result at once.
 * A refusal of a known device is counted in its statistics.
 */
export function authenticateDevice(
  store: IngestStore,
  mode: AuthMode,
  device: string,
  token: string,
  at: number,
  later: (result: AuthResult) => void,
  /** Bounds the registrations in one commit (a burst of new boards); absent: unbounded. */
  pacer: RegistrationPacer | null = null,
): AuthResult | null {
  const known = store.devices.find(device);
  const decision = decideAuth(mode, known, token);
  if (decision.kind === 'accept') return { ok: true, registered: false };
  if (decision.kind === 'refuse') {
    if (known) store.committer.enqueue({ kind: 'stats', device, delta: { errors: { [decision.code]: 1 } } });
    return { ok: false, code: decision.code, text: decision.text };
  }
  // The disk is full (a commit failed with SQLITE_FULL/ENOSPC a moment ago): a registration would
  // fail too, so the board is told BUSY at once instead of costing a transaction.
  if (store.fullReason?.() === 'disk') return DISK_FULL;
  const register = (finished: () => void) => {
    if (store.fullReason?.() === 'disk') {
      finished();
      queueMicrotask(() => later(DISK_FULL));
      return;
    }
    store.committer.enqueue({
      kind: 'register',
      device,
      token,
      origin: decision.origin,
      at,
      done: (outcome) => {
        finished();
        queueMicrotask(() => later(fromOutcome(outcome)));
      },
    });
  };
  if (pacer === null) register(() => {});
  else pacer.run(register);
  return null;
}

const DISK_FULL: AuthResult = { ok: false, diskFull: true, text: 'the disk is full: the device could not be registered' };

/** A refusal with an error code (every failed result but the disk-full one). */
export type AuthRefusal = Extract<AuthResult, { ok: false; code: string }>;

function fromOutcome(outcome: RegisterOutcome): AuthResult {
  switch (outcome) {
    case 'registered':
      return { ok: true, registered: true };
    case 'accepted':
      return { ok: true, registered: false };
    case 'conflict':
      return { ok: false, code: 'AUTH_FAILED', text: 'wrong token for this device' };
    case 'revoked':
      return { ok: false, code: 'REVOKED', text: 'device was revoked' };
    case 'full':
      return DISK_FULL;
    default:
      return { ok: false, code: 'INTERNAL', text: 'could not register the device' };
  }
}
