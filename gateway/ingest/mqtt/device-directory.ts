import type { ErrCode } from '../../protocol/codes.js';
import { IngestSession, type SessionContext } from '../session/session.js';
import { MqttDevice } from './device-state.js';

export interface DeviceDirectoryDeps extends SessionContext {
  /** How stale a device's registry check may get (revocations are noticed within this). */
  revocationCheckMs: number;
}

export type Admission = MqttDevice | { code: ErrCode; text: string };

/**
 * The MQTT boards the gateway knows, each checked against the device registry. The broker has
 * authenticated the publisher (embedded broker: token as password; external broker: its own ACL),
 * so admission asks only what the registry says about the id: revoked, or unknown in `required`.
 */
export class DeviceDirectory {
  private readonly devices = new Map<string, MqttDevice>();

  constructor(
    private readonly deps: DeviceDirectoryDeps,
    /** A device was kicked (revoked, taken over on another transport): tell the board, drop it. */
    private readonly onKicked: (device: MqttDevice, code: ErrCode, text: string) => void,
  ) {}

  get(id: string): MqttDevice | undefined {
    return this.devices.get(id);
  }

  all(): IterableIterator<MqttDevice> {
    return this.devices.values();
  }

  /** The device's state, or why its messages are refused. The registry is asked again when stale. */
  admit(id: string, now: number): Admission {
    const existing = this.devices.get(id);
    if (existing !== undefined && now - existing.checkedAt < this.deps.revocationCheckMs) return existing;
    const { store, authMode } = this.deps;
    const known = store.devices.find(id);
    let refusal: { code: ErrCode; text: string } | null = null;
    if (known !== undefined && known.revokedAt !== null) refusal = { code: 'REVOKED', text: 'device was revoked' };
    else if (known === undefined && authMode === 'required') refusal = { code: 'UNKNOWN_DEVICE', text: 'device is not registered (sheetlog devices add)' };
    if (refusal !== null) {
      if (existing !== undefined) this.forget(existing, now);
      return refusal;
    }
    if (known === undefined) {
      // The broker vouched for the publisher; list the device (without a token, like auth off does)
      // so that its statistics have a row from the first message on.
      store.committer.enqueue({ kind: 'register', device: id, token: '', origin: 'open', at: now, done: () => {} });
    }
    const dev =
      existing ??
      new MqttDevice(
        id,
        now,
        (boot, after) => store.readings.contiguousSeq(id, boot, after),
        (d, code, text) => this.onKicked(d, code, text),
        new IngestSession(this.deps, () => this.deps.log.child({ device: id })),
      );
    dev.checkedAt = now;
    this.devices.set(id, dev);
    return dev;
  }

  /** Forgets a device (its next message is admitted afresh), closing its connected time. */
  forget(dev: MqttDevice, now: number): void {
    this.closeOnline(dev, now);
    if (this.devices.get(dev.id) === dev) this.devices.delete(dev.id);
    this.deps.sessions.release(dev.id, dev);
  }

  /** Adds the time since the board's `online` to its connected time. */
  closeOnline(dev: MqttDevice, now: number): void {
    if (dev.onlineAt !== null) this.deps.store.committer.enqueue({ kind: 'stats', device: dev.id, delta: { connectedMs: now - dev.onlineAt } });
    dev.onlineAt = null;
  }
}
