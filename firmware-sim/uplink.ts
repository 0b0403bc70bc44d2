import type { DeviceClock } from './clock.js';
import type { DeviceLink } from './device-link.js';
import { pickGarbage } from './garbage.js';
import type { GarbageTracker } from './garbage-tracker.js';
import { TCP_TRAITS, type TransportTraits } from './link.js';
import type { Outbox } from './outbox.js';
import { BYE_LINE, encodeHello } from './protocol.js';
import type { Rng } from './rng.js';
import type { Sampler } from './sampler.js';
import { timeRequestLine, type TimeSync } from './time-sync.js';

export interface UplinkDeps {
  /** What the HELLO says of the board. */
  hello: { deviceId: string; token: string; boot: number; fw: string; board: string };
  traits: TransportTraits | undefined;
  link: Pick<DeviceLink, 'write' | 'generation'>;
  clock: DeviceClock;
  outbox: Outbox;
  sampler: Sampler;
  timeSync: TimeSync;
  garbage: GarbageTracker;
  rng: Rng;
  now(): number;
  /** Called when a reading is sent for the first time. */
  onFirstSend?: () => void;
}

/**
 * What a board writes to the gateway, in the form its transport needs: the HELLO, its buffered
 * readings, time requests, BYE, and (as a fault) malformed lines. The state machine (device.ts)
 * decides when; this decides what.
 */
export class Uplink {
  constructor(private readonly deps: UplinkDeps) {}

  private get traits(): TransportTraits {
    return this.deps.traits ?? TCP_TRAITS;
  }

  /** The lowest seq the board still holds (it gave up every seq below). */
  private get lowestHeld(): number {
    return this.deps.outbox.lowestSeq ?? this.deps.sampler.lastSeq + 1;
  }

  helloLine(): string {
    return encodeHello({
      ...this.deps.hello,
      up: this.deps.clock.millis(),
      // Without a connection at the gateway, ACKs never skip a gap: say what was given up.
      ...(this.traits.connectionless ? { low: this.lowestHeld } : {}),
    });
  }

  hello(): void {
    this.deps.link.write(this.helloLine());
  }

  /** Sends every buffered reading not yet sent on this connection, oldest first. */
  readings(): void {
    const { outbox, link } = this.deps;
    const lines = outbox.takeUnsent(link.generation, this.deps.now(), this.deps.onFirstSend);
    // Connectionless (MQTT): each reading also says what the board no longer holds (`low=` before
    // the R line), in case the full buffer dropped a reading after the HELLO went out.
    const low = this.traits.connectionless ? `low=${this.lowestHeld} ` : '';
    for (const line of lines) link.write(low + line);
  }

  /** Starts a time-sync request (`T`, with the previous round's result). */
  timeRequest(): void {
    this.deps.link.write(timeRequestLine(this.deps.timeSync.request(this.deps.clock.uptimeMs())));
  }

  bye(): void {
    this.deps.link.write(BYE_LINE);
  }

  /** A malformed line; the tracker expects the reply it deserves (a NAK gives the seq up). */
  garbage(): void {
    const { sampler } = this.deps;
    const garbage = pickGarbage(this.deps.rng, () => sampler.nextSeq(), this.helloLine(), this.traits);
    this.deps.garbage.sent(garbage);
    if (garbage.expect.kind === 'nak') sampler.giveUp(garbage.expect.seq);
    this.deps.link.write(garbage.bytes);
  }
}
