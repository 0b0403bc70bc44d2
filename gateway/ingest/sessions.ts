import type { ErrCode } from '../protocol/codes.js';

/** Something that speaks for a device on one transport connection. */
export interface DeviceSession {
  /** Ends the session with a connection-level error (taken over, revoked). */
  kick(code: ErrCode, text: string): void;
}

/**
 * Which session currently speaks for each device, across transports. A device that authenticates
 * again takes over: the older session is kicked (its socket is often already dead after a Wi-Fi drop).
 */
export class SessionRegistry {
  private readonly byDevice = new Map<string, DeviceSession>();

  claim(device: string, session: DeviceSession): void {
    const previous = this.byDevice.get(device);
    this.byDevice.set(device, session);
    if (previous !== undefined && previous !== session) previous.kick('TAKEN_OVER', 'another connection authenticated as this device');
  }

  release(device: string, session: DeviceSession): void {
    if (this.byDevice.get(device) === session) this.byDevice.delete(device);
  }

  kick(device: string, code: ErrCode, text: string): boolean {
    const session = this.byDevice.get(device);
    if (session === undefined) return false;
    this.byDevice.delete(device);
    session.kick(code, text);
    return true;
  }

  get size(): number {
    return this.byDevice.size;
  }

  devices(): string[] {
    return [...this.byDevice.keys()];
  }
}
