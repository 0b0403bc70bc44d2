import type { TimerHandle, Timers } from './timers.js';

export interface RepeatSettings {
  /** Pause between the end of one step and the start of the next. */
  intervalMs: number;
  timers: Timers;
  /** A step that threw (logged by the owner); the next step still runs. */
  onError(e: unknown): void;
}

/**
 * Runs an async step at once and then `intervalMs` after each step ends (never two at a time),
 * until stopped. `stop` waits for the step in flight, bounded, so a shutdown never hangs on it.
 * The background loop of the summary and bill jobs.
 */
export class Repeat {
  private timer: TimerHandle | null = null;
  private running: Promise<void> | null = null;
  private stoppedFlag = false;

  constructor(
    private readonly step: () => Promise<unknown>,
    private readonly settings: RepeatSettings,
  ) {}

  /** True once `stop` was called: a step in flight should finish early. */
  get stopped(): boolean {
    return this.stoppedFlag;
  }

  start(): void {
    if (this.stoppedFlag || this.timer) return;
    this.schedule(0);
  }

  /** Cancels the next step and waits up to timeoutMs for the one in flight; idempotent. */
  async stop(timeoutMs: number): Promise<void> {
    this.stoppedFlag = true;
    this.timer?.cancel();
    this.timer = null;
    if (!this.running) return;
    let t: TimerHandle | null = null;
    await Promise.race([this.running, new Promise<void>((resolve) => (t = this.settings.timers.after(timeoutMs, resolve)))]);
    (t as TimerHandle | null)?.cancel();
  }

  private schedule(ms: number): void {
    this.timer = this.settings.timers.after(ms, () => {
      this.timer = null;
      this.running = this.step()
        .then(() => undefined)
        .catch((e: unknown) => this.settings.onError(e))
        .finally(() => {
          this.running = null;
          if (!this.stoppedFlag) this.schedule(this.settings.intervalMs);
        });
    });
  }
}
