/**
 * The counters one simulated board keeps. Invariant at every moment:
 * taken = acked + naked + droppedOverflow + pending (pending = readings still in the ring buffer).
 */
export interface DeviceCounters {
  /** Readings the sensors produced. */
  taken: number;
  /** Readings sent at least once. */
  sent: number;
  /** Extra transmissions of readings already sent on an earlier connection. */
  resent: number;
  /** Readings the gateway confirmed durable (by ACK, or by HELLO OK's acked-seq). */
  acked: number;
  /** Of `acked`, those confirmed by HELLO OK's acked-seq after a reconnect. */
  ackedAtHello: number;
  /** Valid readings the gateway NAKed (the simulator sends none on purpose). */
  naked: number;
  /** Readings dropped from the full ring buffer (oldest first) before they were acknowledged. */
  droppedOverflow: number;
  /** TCP connections attempted. */
  connectAttempts: number;
  /** Sessions established (HELLO OK received). */
  sessions: number;
  /** Links cut by the `--drop-links` or `--storm` faults. */
  linkDrops: number;
  /** BUSY replies. */
  busy: number;
  /** BYE sent by the gateway on its own (shutdown). */
  gatewayByes: number;
  /** Completed `T` rounds. */
  timeSyncRounds: number;
  /** Malformed lines sent by the `--garbage` fault. */
  garbageSent: number;
  /** ...answered with the NAK/ERR code PROTOCOL.md prescribes. */
  garbageAnswered: number;
  /** ...answered with another NAK/ERR code (see `garbageMismatches`). */
  garbageMismatched: number;
  /** ...malformed readings the gateway acknowledged without a NAK: a protocol violation. */
  garbageAccepted: number;
  /** ...whose answer never came because the link went away first. */
  garbageUnanswered: number;
  /** Gateway lines that break the protocol, or replies that match nothing sent. */
  protocolViolations: number;
  /** NAK codes received for valid readings. */
  naks: Record<string, number>;
  /** ERR codes received, except those answering garbage. */
  errors: Record<string, number>;
  /** `<garbage kind>: expected X, got Y` → count. */
  garbageMismatches: Record<string, number>;
  /** Why links ended (closed by peer, ECONNREFUSED, reply timeout, ...). */
  closes: Record<string, number>;
}

export function emptyCounters(): DeviceCounters {
  return {
    taken: 0,
    sent: 0,
    resent: 0,
    acked: 0,
    ackedAtHello: 0,
    naked: 0,
    droppedOverflow: 0,
    connectAttempts: 0,
    sessions: 0,
    linkDrops: 0,
    busy: 0,
    gatewayByes: 0,
    timeSyncRounds: 0,
    garbageSent: 0,
    garbageAnswered: 0,
    garbageMismatched: 0,
    garbageAccepted: 0,
    garbageUnanswered: 0,
    protocolViolations: 0,
    naks: {},
    errors: {},
    garbageMismatches: {},
    closes: {},
  };
}

export function bump(record: Record<string, number>, key: string, by = 1): void {
  record[key] = (record[key] ?? 0) + by;
}

/** Adds `from` into `into` (fleet totals). */
export function addCounters(into: DeviceCounters, from: DeviceCounters): void {
  for (const key of Object.keys(from) as (keyof DeviceCounters)[]) {
    const value = from[key];
    if (typeof value === 'number') (into[key] as number) += value;
    else for (const [k, v] of Object.entries(value)) bump(into[key] as Record<string, number>, k, v);
  }
}
