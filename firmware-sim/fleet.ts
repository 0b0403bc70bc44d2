import { randomInt } from 'node:crypto';
import { derivedToken, generatedId, type Credential } from './credentials.js';
import { addCounters, emptyCounters, type DeviceCounters } from './device-stats.js';
import { Device, type DeviceState } from './device.js';
import { LinkFaults } from './faults.js';
import { Histogram } from './histogram.js';
import type { Transport } from './link.js';
import { isProfileName, PROFILES, type ProfileName } from './profiles.js';
import type { Range } from './range-set.js';
import { createRng, deriveRng, nonZeroU32, type Rng } from './rng.js';
import { systemScheduler, withTimeout, type Scheduler, type TimerHandle } from './scheduler.js';
import { SlowTransport } from './slow-link.js';

/** States of a board with no link up: between a drop and its next connection (the backoff). */
const WAITING_STATES: ReadonlySet<DeviceState> = new Set(['offline', 'connecting']);

/**
 * N simulated boards sharing one transport, with the fleet-wide fault switches and statistics.
 * The Fleet never touches process, stdout or the network itself: the transport and the scheduler
 * are handed in, so the same class runs in the CLI, in benchmarks and in tests.
 */
export interface FleetOptions {
  transport: Transport;
  /** Default: the system clock. */
  scheduler?: Scheduler;
  /** Number of boards (with `credentials`: the first N of them; default all). */
  devices?: number;
  /** `esp8266`, `feather-m0`, `meter`, or `mixed` (esp8266 and feather-m0 alternating). Default `mixed`. */
  profile?: ProfileName | 'mixed';
  /** Readings per second per board. Default: the profile's sample period. */
  ratePerDevice?: number;
  /** Seeds sensors, drift, jitter and faults. Default: random. */
  seed?: number | string;
  /**
   * Source of boot ids. Default: seeded from crypto randomness, NOT from `seed`, so that a re-run
   * with the same seed against the same gateway does not reuse (device, boot) and collide with
   * the readings of the earlier run.
   */
  bootIdRng?: Rng;
  /** Prefix of generated device ids. Default `sim`. */
  idPrefix?: string;
  /** Ids and tokens from a token file; default generated ids with derived tokens. */
  credentials?: readonly Credential[];
  /** Each board's wall clock is off by a value drawn uniformly from ±clockSkewMs. Default 0. */
  clockSkewMs?: number;
  /** Probability per reading of also sending a malformed line. Default 0. */
  garbageProbability?: number;
  /** Per reading: a backwards energy_wh (--counter-backwards). */
  counterBackwardsProbability?: number;
  /** Per reading: an out-of-range value (--out-of-range). */
  outOfRangeProbability?: number;
  /** Probability per second per board of a Wi-Fi drop. Default 0. */
  dropLinksPerSecond?: number;
  /** Cut every link at once this often. Default: no storms. */
  stormEveryMs?: number | null;
  /** Write byte by byte, this many ms apart (`--slow`). Default: off. */
  slowByteIntervalMs?: number | null;
  /** Boards start (connect, first reading) spread over this window. Default: min(sample period, 2 s). */
  startSpreadMs?: number;
  /** Uptime at boot for every board, e.g. just below 2^32 to cross the millis() rollover. */
  startUptimeMs?: number;
  /** Called after every first transmission of a reading with the fleet's running total. */
  onReadingSent?: (totalSent: number) => void;
}

export interface FleetSnapshot {
  devices: number;
  elapsedMs: number;
  states: Partial<Record<DeviceState, number>>;
  /** Readings held by boards, not yet acknowledged. */
  pending: number;
  /** Boards holding such readings, and how many of those were not connected (waiting out a reconnect backoff). */
  pendingBoards: { holding: number; waiting: number };
  /** Sessions after a board's first (re-established links), summed over boards. */
  reconnects: number;
  /** Boards that stopped for good (AUTH_FAILED, REVOKED, UNKNOWN_DEVICE, ...). */
  failed: { id: string; reason: string }[];
  totals: DeviceCounters;
  storms: number;
}

/** What one board saw acknowledged: enough to check the gateway's store afterwards. */
export interface AckedRecord {
  deviceId: string;
  bootId: number;
  seqs: Range[];
  count: number;
}

export class Fleet {
  readonly devices: readonly Device[];
  private readonly scheduler: Scheduler;
  private readonly transport: Transport;
  private readonly faults: LinkFaults;
  private readonly credentials: readonly Credential[];
  private startedAt: number | null = null;
  private totalSent = 0;
  private readonly startSpreadMs: number;
  private readonly spreadRng: Rng;
  private startTimers: TimerHandle[] = [];
  private stopped = false;

  constructor(options: FleetOptions) {
    this.scheduler = options.scheduler ?? systemScheduler;
    const seed = options.seed ?? randomInt(0, 2 ** 32);
    const bootIds = options.bootIdRng ?? createRng(randomInt(0, 2 ** 32));
    const slow = options.slowByteIntervalMs ?? null;
    this.transport = slow ? new SlowTransport(options.transport, this.scheduler, slow) : options.transport;
    const profileChoice = options.profile ?? 'mixed';
    if (profileChoice !== 'mixed' && !isProfileName(profileChoice)) throw new RangeError(`unknown profile ${profileChoice}`);
    const rate = options.ratePerDevice;
    if (rate !== undefined && !(rate > 0 && rate <= 1000)) throw new RangeError(`rate must be in (0, 1000] per device, got ${rate}`);
    const skew = options.clockSkewMs ?? 0;
    const garbage = options.garbageProbability ?? 0;
    if (!(garbage >= 0 && garbage <= 1)) throw new RangeError(`garbage probability must be in [0, 1], got ${garbage}`);

    const profileOf = (i: number): ProfileName =>
      profileChoice === 'mixed' ? (i % 2 === 0 ? 'esp8266' : 'feather-m0') : profileChoice;
    this.credentials = resolveCredentials(options, profileOf);
    const periodMs = (name: ProfileName) => (rate ? 1000 / rate : PROFILES[name].samplePeriodMs);
    this.devices = this.credentials.map(({ id, token }, i) => {
      const profile = PROFILES[profileOf(i)];
      const rng = deriveRng(seed, `device:${id}`);
      return new Device({
        id,
        token,
        profile,
        transport: this.transport,
        scheduler: this.scheduler,
        rng,
        bootId: nonZeroU32(bootIds),
        samplePeriodMs: periodMs(profile.name),
        clockSkewMs: skew ? Math.round((rng.next() * 2 - 1) * skew) : 0,
        garbageProbability: garbage,
        counterBackwardsProbability: options.counterBackwardsProbability ?? 0,
        outOfRangeProbability: options.outOfRangeProbability ?? 0,
        ...(options.startUptimeMs !== undefined ? { startUptimeMs: options.startUptimeMs } : {}),
        onFirstSend: () => {
          this.totalSent += 1;
          options.onReadingSent?.(this.totalSent);
        },
      });
    });
    this.startSpreadMs = options.startSpreadMs ?? Math.min(2_000, periodMs(profileOf(0)));
    this.faults = new LinkFaults(this.devices, this.scheduler, deriveRng(seed, 'faults'), {
      dropLinksPerSecond: options.dropLinksPerSecond ?? 0,
      stormEveryMs: options.stormEveryMs ?? null,
    });
    this.spreadRng = deriveRng(seed, 'start');
  }

  /** Powers every board up (spread over the start window) and starts the link faults. */
  start(): void {
    if (this.startedAt !== null) throw new Error('fleet already started');
    this.startedAt = this.scheduler.now();
    for (const device of this.devices) {
      this.startTimers.push(this.scheduler.after(this.spreadRng.next() * this.startSpreadMs, () => device.start()));
    }
    this.faults.start();
  }

  /** Every board loses its link at once (also what `stormEveryMs` does periodically). */
  storm(): void {
    this.faults.storm();
  }

  /**
   * Ends the run: faults off, sampling off, every board drains its buffer and says BYE.
   * Resolves true when all boards finished within `timeoutMs`, false otherwise (boards that did
   * not finish are still running; call stop()).
   */
  async finish(timeoutMs: number): Promise<boolean> {
    this.faults.stop();
    for (const timer of this.startTimers) timer.cancel();
    const started = this.devices.filter((d) => d.state !== 'idle');
    const all = Promise.all(started.map((d) => d.finish())).then(() => true);
    return withTimeout(this.scheduler, all, timeoutMs, false);
  }

  /** Stops everything at once and closes every socket. Idempotent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.faults.stop();
    for (const timer of this.startTimers) timer.cancel();
    for (const device of this.devices) device.stop();
    this.transport.close();
  }

  snapshot(): FleetSnapshot {
    const totals = emptyCounters();
    const states: Partial<Record<DeviceState, number>> = {};
    const failed: { id: string; reason: string }[] = [];
    let pending = 0;
    const pendingBoards = { holding: 0, waiting: 0 };
    let reconnects = 0;
    for (const device of this.devices) {
      reconnects += Math.max(0, device.counters.sessions - 1);
      addCounters(totals, device.counters);
      states[device.state] = (states[device.state] ?? 0) + 1;
      pending += device.pending;
      if (device.pending > 0) {
        pendingBoards.holding++;
        if (WAITING_STATES.has(device.state)) pendingBoards.waiting++;
      }
      if (device.failure) failed.push({ id: device.id, reason: device.failure });
    }
    const elapsedMs = this.startedAt === null ? 0 : this.scheduler.now() - this.startedAt;
    return { devices: this.devices.length, elapsedMs, states, pending, pendingBoards, reconnects, failed, totals, storms: this.faults.stormCount };
  }

  /** ACK latency (send → ACK, ms) of the whole fleet. */
  latency(): Histogram {
    const merged = new Histogram();
    for (const device of this.devices) merged.merge(device.latency);
    return merged;
  }

  /** Session set-up latency (HELLO → HELLO OK, ms) of the whole fleet. */
  helloLatency(): Histogram {
    const merged = new Histogram();
    for (const device of this.devices) merged.merge(device.helloLatency);
    return merged;
  }

  acked(): AckedRecord[] {
    return this.devices.map((d) => ({ deviceId: d.id, bootId: d.bootId, seqs: d.ackedSeqs.toArray(), count: d.ackedSeqs.size }));
  }

  /** Ids and tokens in use (tests provision or inspect the gateway with them). */
  credentialList(): readonly Credential[] {
    return this.credentials;
  }
}

function resolveCredentials(options: FleetOptions, profileOf: (i: number) => ProfileName): Credential[] {
  if (options.credentials) {
    const count = options.devices ?? options.credentials.length;
    if (count > options.credentials.length) {
      throw new RangeError(`${count} devices requested but the token file lists ${options.credentials.length}`);
    }
    return options.credentials.slice(0, count);
  }
  const count = options.devices ?? 1;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`devices must be a positive integer, got ${count}`);
  const prefix = options.idPrefix ?? 'sim';
  return Array.from({ length: count }, (_, i) => {
    const id = generatedId(prefix, profileOf(i), i, count);
    return { id, token: derivedToken(id) };
  });
}
