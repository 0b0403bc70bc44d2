import type { FleetSnapshot } from './fleet.js';
import type { Scheduler, TimerHandle } from './scheduler.js';

/**
 * The fleet's running status: on a TTY one line rewritten in place, otherwise a plain line every
 * few seconds (logs and CI stay readable).
 */
export interface ProgressOptions {
  snapshot: () => FleetSnapshot;
  write: (text: string) => void;
  isTTY: boolean;
  scheduler: Scheduler;
  /** Default 250 ms on a TTY, 5 s otherwise. */
  intervalMs?: number;
}

export function formatProgress(now: FleetSnapshot, previous: FleetSnapshot | null): string {
  const t = now.totals;
  const seconds = (now.elapsedMs / 1000).toFixed(1);
  const online = now.states.online ?? 0;
  const dt = previous ? (now.elapsedMs - previous.elapsedMs) / 1000 : 0;
  const rate = previous && dt > 0 ? Math.round((t.acked - previous.totals.acked) / dt) : 0;
  return [
    `${seconds}s`,
    `online ${online}/${now.devices}`,
    `sent ${t.sent}`,
    `acked ${t.acked}`,
    `pending ${now.pending}`,
    `reconnects ${now.reconnects}`,
    `${rate}/s`,
    ...(t.naked > 0 ? [`naked ${t.naked}`] : []),
    ...(t.droppedOverflow > 0 ? [`dropped ${t.droppedOverflow}`] : []),
    ...(t.garbageSent > 0 ? [`garbage ${t.garbageSent}`] : []),
    ...(now.failed.length > 0 ? [`FAILED ${now.failed.length}`] : []),
  ].join('  ');
}

export class Progress {
  private timer: TimerHandle | null = null;
  private previous: FleetSnapshot | null = null;
  private readonly intervalMs: number;

  constructor(private readonly options: ProgressOptions) {
    this.intervalMs = options.intervalMs ?? (options.isTTY ? 250 : 5_000);
  }

  start(): void {
    if (this.timer) return;
    const tick = () => {
      this.render();
      this.timer = this.options.scheduler.after(this.intervalMs, tick);
    };
    this.timer = this.options.scheduler.after(this.intervalMs, tick);
  }

  /** Stops; on a TTY the live line is finished with a newline. Idempotent. */
  stop(): void {
    if (!this.timer) return;
    this.timer.cancel();
    this.timer = null;
    if (this.options.isTTY) {
      this.render();
      this.options.write('\n');
    }
  }

  private render(): void {
    const now = this.options.snapshot();
    const line = formatProgress(now, this.previous);
    this.previous = now;
    this.options.write(this.options.isTTY ? `\r\x1b[2K${line}` : `${line}\n`);
  }
}
