import type { DeviceState } from './device-options.js';
import type { Profile } from './profiles.js';

/** How often a board checks its link (timeouts, keepalive, time resync). */
export const TICK_MS = 1_000;

/** What a board sees of its link at a check. */
export interface LinkView {
  state: DeviceState;
  /** Time in the current state. */
  inPhaseMs: number;
  sinceRxMs: number;
  sinceTxMs: number;
  /** A PING, a T request or a sent reading awaits its answer. */
  awaitingReply: boolean;
  /** A T request awaits its answer. */
  awaitingTime: boolean;
  /** A time-sync round is due. */
  resyncDue: boolean;
}

export type WatchdogAction = { kind: 'abort'; reason: string } | { kind: 'ping' } | { kind: 'time-request' };

/**
 * The periodic check of a board's link, as the sketches' client library does it (pure): give up a
 * phase that takes too long (connect, HELLO, closing), give up a link whose answers stopped, keep
 * an idle link alive with PING, and resync the clock when due. An abort is the only action then.
 */
export function checkLink(v: LinkView, p: Profile): WatchdogAction[] {
  switch (v.state) {
    case 'connecting':
      return v.inPhaseMs >= p.connectTimeoutMs ? [{ kind: 'abort', reason: 'connect timeout' }] : [];
    case 'hello':
      return v.inPhaseMs >= p.helloTimeoutMs ? [{ kind: 'abort', reason: 'hello timeout' }] : [];
    case 'closing':
    case 'bye':
      return v.inPhaseMs >= p.closeWaitMs ? [{ kind: 'abort', reason: 'close wait timeout' }] : [];
    case 'online': {
      if (v.awaitingReply && v.sinceRxMs >= p.replyTimeoutMs) return [{ kind: 'abort', reason: 'reply timeout' }];
      const actions: WatchdogAction[] = [];
      if (v.sinceTxMs >= p.keepaliveMs) actions.push({ kind: 'ping' });
      if (!v.awaitingTime && v.resyncDue) actions.push({ kind: 'time-request' });
      return actions;
    }
    default:
      return [];
  }
}
