import type { Device } from '../../firmware-sim/device.js';
import type { Fleet } from '../../firmware-sim/fleet.js';
import type { RunOptions } from '../../firmware-sim/run.js';

/**
 * Fleet test helpers that state properties instead of counts: how many links a storm cuts, or how
 * many readings a time-bounded run sends, depends on the machine's speed; that every board a storm
 * cut came back, or that a run ends after N readings, does not.
 */

/** Run options that end a run once the fleet has sent `n` readings: by count, not by the clock. */
export function untilSent(n: number): Pick<RunOptions, 'durationMs' | 'signal' | 'onReadingSent'> {
  const abort = new AbortController();
  return {
    durationMs: null,
    signal: abort.signal,
    onReadingSent: (sent) => {
      if (sent >= n) abort.abort();
    },
  };
}

/** Each board's sessions (HELLO OK received) so far. */
export function sessionsNow(fleet: Fleet): Map<Device, number> {
  return new Map(fleet.devices.map((d) => [d, d.counters.sessions]));
}

/**
 * The boards whose links storms cut, each with its sessions at its latest cut. After a drained run
 * each of them must hold a newer session (it had readings to deliver after the storm).
 */
export class StormCuts {
  readonly cut = new Map<Device, number>();

  /** Runs a storm on the fleet and notes which boards it cut. */
  storm(fleet: Fleet): void {
    const drops = new Map(fleet.devices.map((d) => [d, d.counters.linkDrops]));
    fleet.storm();
    for (const d of fleet.devices) if (d.counters.linkDrops > (drops.get(d) ?? 0)) this.cut.set(d, d.counters.sessions);
  }
}

/** Ids of the boards that got no new session after `before` (sessions per board at some moment). */
export function stayedAway(before: Map<Device, number>): string[] {
  return [...before].filter(([d, sessions]) => d.counters.sessions <= sessions).map(([d]) => d.id);
}
