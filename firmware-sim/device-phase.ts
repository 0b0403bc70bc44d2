import { FINAL_STATES, type DeviceState } from './device-options.js';

/**
 * Where a board is in its state machine (docs in device.ts), since when, and who waits for its
 * end: `finish()` callers resolve once it is stopped or failed.
 */
export class DevicePhase {
  private current: DeviceState = 'idle';
  private sinceAt = 0;
  private waiters: ((state: DeviceState) => void)[] = [];

  constructor(private readonly now: () => number) {}

  get state(): DeviceState {
    return this.current;
  }

  /** When the board entered its current state (scheduler time). */
  get since(): number {
    return this.sinceAt;
  }

  get final(): boolean {
    return FINAL_STATES.has(this.current);
  }

  enter(state: DeviceState): void {
    this.current = state;
    this.sinceAt = this.now();
  }

  /** Resolves with the final state, at once when the board already reached it. */
  whenFinal(): Promise<DeviceState> {
    if (this.final) return Promise.resolve(this.current);
    return new Promise<DeviceState>((resolve) => this.waiters.push(resolve));
  }

  /** Enters a final state and resolves every waiter with it. */
  settle(state: 'stopped' | 'failed'): void {
    this.enter(state);
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve(state);
  }
}
