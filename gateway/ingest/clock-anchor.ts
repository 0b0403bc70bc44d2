/**
 * Maps a board's uptime millis to epoch ms for one connection (pure). An anchor is a pair
 * (device millis, epoch ms) known to coincide; other millis are converted by their signed 32-bit
 * distance from it, so a millis() rollover between reading and anchor does not matter.
 *
 * Preference: the board's own Cristian estimate (`T ... off=`) beats the HELLO `up=` anchor, which
 * beats the gateway's one-way estimate from T requests (smallest receive - millis wins).
 */
import type { Refusal, TimeRequestMessage } from '../protocol/messages.js';
import { isTrustedTime } from './trust-window.js';

export type AnchorSource = 'board-estimate' | 'hello' | 'time-request';

const RANK: Record<AnchorSource, number> = { 'board-estimate': 3, hello: 2, 'time-request': 1 };

export interface Anchor {
  deviceMillis: number;
  epochMs: number;
  source: AnchorSource;
}

export class ClockAnchor {
  private anchor: Anchor | null = null;

  get current(): Anchor | null {
    return this.anchor;
  }

  /** HELLO carried `up=`: the board's millis when it wrote the line, seen at `receivedMs`. */
  fromHello(up: number, receivedMs: number): void {
    this.offer({ deviceMillis: up, epochMs: receivedMs, source: 'hello' });
  }

  /**
   * A `T` request: its millis seen at `receivedMs`, and maybe the board's own estimate. An
   * estimate outside the trust window is never kept (callers refuse it first: checkTimeRequest).
   */
  fromTimeRequest(millis: number, receivedMs: number, boardOffsetMs?: number): void {
    if (boardOffsetMs !== undefined) {
      if (!isTrustedTime(millis + boardOffsetMs, receivedMs)) return;
      this.offer({ deviceMillis: millis, epochMs: millis + boardOffsetMs, source: 'board-estimate' });
    } else {
      this.offer({ deviceMillis: millis, epochMs: receivedMs, source: 'time-request' });
    }
  }

  /** Epoch ms for a device millis value, or null with no anchor. */
  toEpoch(millis: number): number | null {
    const a = this.anchor;
    if (a === null) return null;
    return a.epochMs + ((millis - a.deviceMillis) | 0);
  }

  /** The current offset (epoch - millis) at the anchor, for statistics. */
  offsetMs(): number | null {
    return this.anchor === null ? null : this.anchor.epochMs - this.anchor.deviceMillis;
  }

  private offer(candidate: Anchor): void {
    const a = this.anchor;
    if (a === null || RANK[candidate.source] > RANK[a.source]) {
      this.anchor = candidate;
      return;
    }
    if (RANK[candidate.source] < RANK[a.source]) return;
    // Same kind: a board estimate is replaced by the newer one; one-way estimates keep the
    // earliest-predicting sample, which carried the least network delay.
    if (candidate.source === 'board-estimate') this.anchor = candidate;
    else if (candidate.epochMs < (this.toEpoch(candidate.deviceMillis) as number)) this.anchor = candidate;
  }
}

/**
 * Refuses a `T` whose `off=` puts the board's clock outside the trust window at the moment the
 * line was written (pure). Answered `ERR BAD_TIME_REQUEST`, counted, and never used as an anchor.
 */
export function checkTimeRequest(msg: TimeRequestMessage, receivedMs: number): Refusal | null {
  if (msg.off === undefined || isTrustedTime(msg.millis + msg.off, receivedMs)) return null;
  return {
    scope: 'err',
    code: 'BAD_TIME_REQUEST',
    text: `off=${msg.off} puts the clock at ${msg.millis + msg.off}, outside 2020-01-01 .. gateway time + 24 h`,
  };
}
