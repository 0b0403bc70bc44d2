/** The guessing throttle's settings (`auth.throttle` in the configuration). */
export interface AuthThrottleSettings {
  /** Failures of one key answered without delay (a board with a mistyped token is told at once). */
  freeFailures: number;
  /** The delay after the first failure past `freeFailures`; it doubles with every further failure. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Failures of one key after which it is refused with AUTH_THROTTLED for `lockoutMs`. */
  maxFailures: number;
  lockoutMs: number;
  /** A key whose last failure is this old starts again from zero. */
  forgetAfterMs: number;
  /** Keys remembered at most (the oldest are forgotten first), so a flood of addresses is bounded in memory. */
  maxKeys: number;
}

interface Entry {
  failures: number;
  lastFailureAt: number;
  lockedUntil: number;
}

/** What the throttle says before an authentication is tried. */
export type ThrottleCheck = { throttled: false } | { throttled: true; retryAfterMs: number; key: 'address' | 'device' };

/**
 * Failed authentications per source address and per device id (docs/PROTOCOL.md section 6,
 * "Guessing"): each failure past a few free ones is answered after a delay that doubles, a success
 * resets both keys, and past `maxFailures` the key is refused for `lockoutMs`. Pure apart from the
 * clock values it is handed; one per gateway, shared by TCP, UDP and the embedded MQTT broker.
 */
export class AuthThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly settings: AuthThrottleSettings) {}

  /** Whether the address or the device is locked out now, and for how long still. */
  check(address: string | null, device: string, now: number): ThrottleCheck {
    for (const [key, name] of keys(address, device)) {
      const e = this.live(key, now);
      if (e !== undefined && e.lockedUntil > now) return { throttled: true, retryAfterMs: e.lockedUntil - now, key: name };
    }
    return { throttled: false };
  }

  /** Records a failure of both keys; returns the delay before the refusal is answered (ms). */
  failed(address: string | null, device: string, now: number): number {
    let failures = 0;
    for (const [key] of keys(address, device)) {
      const e = this.live(key, now) ?? { failures: 0, lastFailureAt: now, lockedUntil: 0 };
      e.failures++;
      e.lastFailureAt = now;
      if (e.failures >= this.settings.maxFailures) e.lockedUntil = now + this.settings.lockoutMs;
      // Re-inserted last: the map's order is the order of last failure, oldest first.
      this.entries.delete(key);
      this.entries.set(key, e);
      failures = Math.max(failures, e.failures);
    }
    this.bound();
    return this.delayFor(failures);
  }

  /** A success resets the failures of the address and of the device. */
  succeeded(address: string | null, device: string): void {
    for (const [key] of keys(address, device)) this.entries.delete(key);
  }

  /** The delay for the n-th failure of a key. */
  delayFor(failures: number): number {
    const over = failures - this.settings.freeFailures;
    if (over <= 0) return 0;
    return Math.min(this.settings.maxDelayMs, this.settings.baseDelayMs * 2 ** Math.min(over - 1, 30));
  }

  /** Keys remembered (for tests and the status). */
  get size(): number {
    return this.entries.size;
  }

  private live(key: string, now: number): Entry | undefined {
    const e = this.entries.get(key);
    if (e === undefined) return undefined;
    if (e.lockedUntil <= now && now - e.lastFailureAt >= this.settings.forgetAfterMs) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  private bound(): void {
    while (this.entries.size > this.settings.maxKeys) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) return;
      this.entries.delete(oldest);
    }
  }
}

/** The keys of an attempt: its source address (unknown for readings relayed by an external broker) and device id. */
function keys(address: string | null, device: string): (readonly [string, 'address' | 'device'])[] {
  const k: (readonly [string, 'address' | 'device'])[] = [[deviceKey(device), 'device']];
  if (address !== null && address !== '') k.unshift([addressKey(address), 'address']);
  return k;
}

function addressKey(address: string): string {
  // An IPv4 peer on a dual-stack socket is ::ffff:a.b.c.d: one key either way.
  return `a:${address.startsWith('::ffff:') ? address.slice(7) : address}`;
}

function deviceKey(device: string): string {
  return `d:${device}`;
}
