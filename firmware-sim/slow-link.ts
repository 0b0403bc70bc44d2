import type { Link, LinkHandlers, Transport, TransportTraits } from './link.js';
import type { Scheduler, TimerHandle } from './scheduler.js';

/**
 * The `--slow` fault: a transport decorator that writes one byte at a time, `byteIntervalMs`
 * apart, like a board on a very poor link. Writes queue up behind each other in order.
 */
export class SlowTransport implements Transport {
  constructor(
    private readonly inner: Transport,
    private readonly scheduler: Scheduler,
    private readonly byteIntervalMs: number,
  ) {
    if (!(byteIntervalMs > 0)) throw new RangeError(`byteIntervalMs must be > 0, got ${byteIntervalMs}`);
  }

  get traits(): TransportTraits | undefined {
    return this.inner.traits;
  }

  open(deviceId: string, handlers: LinkHandlers, token?: string): Link {
    return new SlowLink(this.inner.open(deviceId, handlers, token), this.scheduler, this.byteIntervalMs);
  }

  close(): void {
    this.inner.close();
  }
}

class SlowLink implements Link {
  private queue: Buffer[] = [];
  private offset = 0;
  private timer: TimerHandle | null = null;

  constructor(
    private readonly inner: Link,
    private readonly scheduler: Scheduler,
    private readonly byteIntervalMs: number,
  ) {}

  write(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.queue.push(Buffer.from(bytes));
    if (!this.timer) this.drip();
  }

  end(): void {
    // A graceful close lets the queued bytes out first.
    if (!this.timer) return this.inner.end();
    this.timer.cancel();
    this.inner.write(Buffer.concat(this.queue).subarray(this.offset));
    this.stop();
    this.inner.end();
  }

  destroy(): void {
    this.stop();
    this.inner.destroy();
  }

  abandon(): void {
    this.stop();
    this.inner.abandon();
  }

  private drip(): void {
    const head = this.queue[0];
    if (!head) {
      this.timer = null;
      return;
    }
    this.inner.write(head.subarray(this.offset, this.offset + 1));
    this.offset += 1;
    if (this.offset === head.length) {
      this.queue.shift();
      this.offset = 0;
    }
    this.timer = this.scheduler.after(this.byteIntervalMs, () => this.drip());
  }

  private stop(): void {
    this.timer?.cancel();
    this.timer = null;
    this.queue = [];
    this.offset = 0;
  }
}
