import { bump, type DeviceCounters } from './device-stats.js';
import type { Garbage } from './garbage.js';

/**
 * Remembers the malformed lines a board sent on its current connection and checks the gateway's
 * answers against what PROTOCOL.md prescribes: a NAK with the right code for a malformed reading,
 * an ERR with the right code for any other line. An ERR carries no seq, so it is matched by the code
 * it names (the oldest outstanding line expecting that code), not by arrival order: over MQTT the
 * lines travel on different topics (`r`, `t`) and their answers may come back in either order.
 * An ERR whose code no outstanding line expects answers the oldest one, as a mismatch.
 */
export class GarbageTracker {
  private readonly naks = new Map<number, { name: string; code: string }>();
  private errs: { name: string; code: string }[] = [];

  constructor(private readonly counters: DeviceCounters) {}

  sent(garbage: Garbage): void {
    this.counters.garbageSent += 1;
    const { expect, name } = garbage;
    if (expect.kind === 'nak') this.naks.set(expect.seq, { name, code: expect.code });
    else this.errs.push({ name, code: expect.code });
  }

  /** A NAK arrived; returns true when it answered garbage. */
  nak(seq: number, code: string): boolean {
    const expected = this.naks.get(seq);
    if (!expected) return false;
    this.naks.delete(seq);
    this.answered(expected, code);
    return true;
  }

  /** A non-closing ERR arrived; returns true when it answered garbage. */
  err(code: string): boolean {
    const i = this.errs.findIndex((e) => e.code === code);
    const expected = i >= 0 ? this.errs.splice(i, 1)[0] : this.errs.shift();
    if (!expected) return false;
    this.answered(expected, code);
    return true;
  }

  /** `ACK seq`: malformed readings up to seq that got no NAK were accepted by the gateway. */
  ack(seq: number): void {
    for (const [garbageSeq] of this.naks) {
      if (garbageSeq > seq) continue;
      this.naks.delete(garbageSeq);
      this.counters.garbageAccepted += 1;
    }
  }

  /** The connection ended: whatever is still outstanding will never be answered. */
  connectionClosed(): void {
    this.counters.garbageUnanswered += this.naks.size + this.errs.length;
    this.naks.clear();
    this.errs = [];
  }

  private answered(expected: { name: string; code: string }, code: string): void {
    if (code === expected.code) {
      this.counters.garbageAnswered += 1;
      return;
    }
    this.counters.garbageMismatched += 1;
    bump(this.counters.garbageMismatches, `${expected.name}: expected ${expected.code}, got ${code}`);
  }
}
