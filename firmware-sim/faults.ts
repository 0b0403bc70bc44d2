import type { Device } from './device.js';
import { chance, exponentialMs, type Rng } from './rng.js';
import type { Scheduler, TimerHandle } from './scheduler.js';

/**
 * Link faults for a fleet: each board's Wi-Fi drops at random (a Poisson process with
 * `dropLinksPerSecond` = P, the probability of a drop within any one second), and a storm cuts
 * every link at once. Half of the drops are silent (the gateway is left a half-open socket), half
 * are resets.
 */
export interface LinkFaultOptions {
  /** Probability per second per device that its link drops, 0 <= P < 1. */
  dropLinksPerSecond: number;
  /** Cut every link at once this often; null: no storms. */
  stormEveryMs: number | null;
}

export class LinkFaults {
  private readonly timers = new Set<TimerHandle>();
  private running = false;
  private storms = 0;

  constructor(
    private readonly devices: readonly Device[],
    private readonly scheduler: Scheduler,
    private readonly rng: Rng,
    private readonly options: LinkFaultOptions,
  ) {
    const p = options.dropLinksPerSecond;
    if (!(p >= 0 && p < 1)) throw new RangeError(`drop-links probability must be in [0, 1), got ${p}`);
    if (options.stormEveryMs !== null && !(options.stormEveryMs > 0)) {
      throw new RangeError(`storm period must be > 0 ms, got ${options.stormEveryMs}`);
    }
  }

  /** Storms so far. */
  get stormCount(): number {
    return this.storms;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    if (this.options.dropLinksPerSecond > 0) for (const device of this.devices) this.scheduleDrop(device);
    if (this.options.stormEveryMs !== null) this.scheduleStorm(this.options.stormEveryMs);
  }

  stop(): void {
    this.running = false;
    for (const timer of this.timers) timer.cancel();
    this.timers.clear();
  }

  /** Every board loses its link now. */
  storm(): void {
    this.storms += 1;
    for (const device of this.devices) device.dropLink(this.mode());
  }

  private mode(): 'silent' | 'reset' {
    return chance(this.rng, 0.5) ? 'silent' : 'reset';
  }

  private scheduleDrop(device: Device): void {
    // A per-second probability P is a Poisson rate of -ln(1 - P) events per second.
    const perMs = -Math.log(1 - this.options.dropLinksPerSecond) / 1000;
    this.later(exponentialMs(this.rng, perMs), () => {
      device.dropLink(this.mode());
      this.scheduleDrop(device);
    });
  }

  private scheduleStorm(everyMs: number): void {
    this.later(everyMs, () => {
      this.storm();
      this.scheduleStorm(everyMs);
    });
  }

  private later(ms: number, fn: () => void): void {
    const timer = this.scheduler.after(ms, () => {
      this.timers.delete(timer);
      if (this.running) fn();
    });
    this.timers.add(timer);
  }
}
