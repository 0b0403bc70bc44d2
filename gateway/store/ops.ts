/**
 * What the ingest side asks the store to make durable. Every kind goes through the group
 * committer, so one transaction (and one fsync) carries readings, registrations and statistics
 * from all connections, and statistics are updated in the same transactions as the readings.
 */
export type TsSource = 'device' | 'uptime' | 'gateway';

export interface ReadingRow {
  device: string;
  boot: number;
  seq: number;
  /** Epoch ms the reading was taken, as resolved by the gateway. */
  ts: number;
  tsSource: TsSource;
  /** The epoch ms the board sent when the gateway did not trust it; otherwise null. */
  deviceTs: number | null;
  received: number;
  /** The fields as a JSON object text. */
  fields: string;
  bytes: number;
  /** Whether the board's clock value was refused (counted in the device's statistics). */
  clockUntrusted: boolean;
}

/**
 * `full`: not stored because the disk is full (the board is told BUSY); `gaps`: not stored because
 * its boot holds too many runs of seqs (NAK TOO_MANY_GAPS, store/seq-ledger.ts); `failed`: not
 * stored, another error.
 */
export type ReadingOutcome = 'stored' | 'duplicate' | 'full' | 'gaps' | 'failed';
/** `full`: the registration was not committed because the disk is full (the board is told BUSY). */
export type RegisterOutcome = 'registered' | 'accepted' | 'conflict' | 'revoked' | 'full' | 'failed';

export interface ClockSample {
  /** The connection's anchor, epoch ms minus the board's millis() (docs/PROTOCOL.md, `T`). */
  offsetMs: number;
  rttMs: number | null;
  at: number;
  /**
   * How far the board's own clock is from the gateway's (board minus gateway, ms), when this
   * sample carried the board's estimate (`off=`); absent: the last known error stays.
   */
  errorMs?: number;
}

/**
 * Counters added to a device's statistics row. `connects` opens a session (at `lastSeen`, sent with
 * it); `connectedMs` closes one (its length): the device row knows the running session from them.
 */
export interface StatsDelta {
  errors?: Record<string, number>;
  connects?: number;
  connectedMs?: number;
  bytes?: number;
  clock?: ClockSample;
  board?: string;
  fw?: string;
  lastSeen?: number;
  /** HELLO reset= and missed=: the board's latest report, replacing the previous one. */
  resetCause?: string;
  missedSamples?: number;
}

export type WriteOp =
  | { kind: 'reading'; row: ReadingRow; done: (outcome: ReadingOutcome) => void }
  | {
      kind: 'register';
      device: string;
      token: string;
      /** 'tofu': bind the token; 'open' (auth off): register without a token. */
      origin: 'tofu' | 'open';
      at: number;
      done: (outcome: RegisterOutcome) => void;
    }
  | { kind: 'stats'; device: string; delta: StatsDelta };
