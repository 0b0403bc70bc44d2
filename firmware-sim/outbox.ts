import { bump, type DeviceCounters } from './device-stats.js';
import type { Histogram } from './histogram.js';
import type { RangeSet } from './range-set.js';
import { RingBuffer } from './ring-buffer.js';

/**
 * A board's unacknowledged readings: the bounded ring buffer plus the bookkeeping of what was sent
 * on which connection. Readings leave it in exactly one way each: acknowledged (ACK, or HELLO OK's
 * acked-seq), rejected (NAK), or dropped because the buffer was full.
 *
 * Readings go out oldest first and every connection resends from the oldest, so the readings sent
 * on the current connection are always a prefix of the buffer: a cumulative `ACK s` removes a
 * prefix, never a reading sent on an earlier connection (those are resent first).
 */
interface Entry {
  seq: number;
  line: string;
  /** Connection generation it was last sent on (0: never sent). */
  sentOn: number;
  sentAt: number;
}

export class Outbox {
  private readonly ring: RingBuffer<Entry>;

  constructor(
    capacity: number,
    private readonly counters: DeviceCounters,
    private readonly latency: Histogram,
    private readonly ackedSeqs: RangeSet,
  ) {
    this.ring = new RingBuffer<Entry>(capacity);
  }

  get size(): number {
    return this.ring.size;
  }

  /** Seq of the oldest reading held, or null when empty. */
  get lowestSeq(): number | null {
    return this.ring.peek()?.seq ?? null;
  }

  /**
   * A new reading (already encoded). When full, the oldest is dropped and counted; returns the
   * dropped reading's seq, or null.
   */
  add(seq: number, line: string): number | null {
    this.counters.taken += 1;
    const evicted = this.ring.push({ seq, line, sentOn: 0, sentAt: 0 });
    if (!evicted) return null;
    this.counters.droppedOverflow += 1;
    return evicted.seq;
  }

  /** Lines not yet sent on connection `generation`, oldest first; marks them sent at `now`. */
  takeUnsent(generation: number, now: number, onFirstSend?: () => void): string[] {
    let first = this.ring.size;
    while (first > 0 && (this.ring.at(first - 1) as Entry).sentOn !== generation) first -= 1;
    const lines: string[] = [];
    for (let i = first; i < this.ring.size; i++) {
      const entry = this.ring.at(i) as Entry;
      if (entry.sentOn === 0) {
        this.counters.sent += 1;
        onFirstSend?.();
      } else this.counters.resent += 1;
      entry.sentOn = generation;
      entry.sentAt = now;
      lines.push(entry.line);
    }
    return lines;
  }

  /** `ACK seq` on connection `generation`: removes what it covers, records latencies. */
  acknowledge(seq: number, generation: number, now: number): number {
    const acked = this.ring.shiftWhile((e) => e.sentOn === generation && e.seq <= seq);
    for (const entry of acked) {
      this.counters.acked += 1;
      this.ackedSeqs.add(entry.seq);
      this.latency.record(now - entry.sentAt);
    }
    return acked.length;
  }

  /** `HELLO OK <gateway-time> <acked-seq>`: everything up to acked-seq is already durable. */
  confirmDurable(ackedSeq: number): number {
    const durable = this.ring.shiftWhile((e) => e.seq <= ackedSeq);
    for (const entry of durable) {
      this.counters.acked += 1;
      this.counters.ackedAtHello += 1;
      this.ackedSeqs.add(entry.seq);
    }
    return durable.length;
  }

  /** `NAK seq code`: drops that reading if it was sent on this connection. */
  reject(seq: number, code: string, generation: number): boolean {
    if (!this.ring.removeFirst((e) => e.seq === seq && e.sentOn === generation)) return false;
    this.counters.naked += 1;
    bump(this.counters.naks, code);
    return true;
  }

  /** Some reading sent on this connection still waits for its ACK. */
  awaitingAck(generation: number): boolean {
    return this.ring.peek()?.sentOn === generation;
  }
}
