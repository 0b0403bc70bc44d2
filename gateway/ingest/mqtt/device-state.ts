import type { ErrCode } from '../../protocol/codes.js';
import type { ClockAnchor } from '../clock-anchor.js';
import type { IngestSession } from '../session/session.js';
import type { DeviceSession } from '../sessions.js';
import { SeqWindow, type StoredRun } from './seq-window.js';

/** How many boots' acknowledgement windows a device keeps (the current one and a few before). */
const BOOTS_KEPT = 4;

interface BootAcks {
  window: SeqWindow;
  /** An ACK should be published after the current commit. */
  due: boolean;
}

/**
 * What the gateway knows about one board that speaks MQTT. There is no connection to hang this on
 * (the board's connection is to the broker), so it lives per device id until the device is kicked
 * (revoked, taken over by a TCP connection) or its registry check goes stale.
 */
export class MqttDevice implements DeviceSession {
  /** When its retained status last said `online` (for connected time). */
  onlineAt: number | null = null;
  private readonly boots = new Map<number, BootAcks>();

  constructor(
    readonly id: string,
    /** When the registry was last asked about this device (revocations are noticed on the next look). */
    public checkedAt: number,
    private readonly rescan: (boot: number, after: number) => StoredRun,
    private readonly onKick: (device: MqttDevice, code: ErrCode, text: string) => void,
    /** The device's ingest session: its boot, clock anchor, acceptance and statistics. */
    readonly session: IngestSession,
  ) {
    session.device = id;
  }

  /** The boot of the latest hello, or of the latest reading that carried `boot=`. */
  get boot(): number | null {
    return this.session.boot;
  }

  /** Maps `u<millis>` of the current boot (a new boot restarts millis()). */
  get anchor(): ClockAnchor {
    return this.session.anchor;
  }

  kick(code: ErrCode, text: string): void {
    this.onKick(this, code, text);
  }

  /** Makes `boot` the current boot; a different one starts a fresh clock anchor. */
  useBoot(boot: number): void {
    this.session.useBoot(boot);
  }

  /** The acknowledgement window of a boot, created from what the store holds. */
  acks(boot: number): BootAcks {
    let b = this.boots.get(boot);
    if (b === undefined) {
      b = { window: new SeqWindow((after) => this.rescan(boot, after)), due: false };
      this.boots.set(boot, b);
      if (this.boots.size > BOOTS_KEPT) this.boots.delete(this.boots.keys().next().value as number);
    } else {
      // Most recently used last, so the oldest boot is the one forgotten.
      this.boots.delete(boot);
      this.boots.set(boot, b);
    }
    return b;
  }

  /** Boots with an ACK due, clearing the marks. */
  takeDueAcks(): { boot: number; acked: number }[] {
    const out: { boot: number; acked: number }[] = [];
    for (const [boot, b] of this.boots) {
      if (!b.due) continue;
      b.due = false;
      if (b.window.acked > 0) out.push({ boot, acked: b.window.acked });
    }
    return out;
  }
}
