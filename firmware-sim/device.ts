import { Backoff } from './backoff.js';
import { DeviceClock, U32_RANGE } from './clock.js';
import { bump, emptyCounters, type DeviceCounters } from './device-stats.js';
import { pickGarbage } from './garbage.js';
import { GarbageTracker } from './garbage-tracker.js';
import { Histogram } from './histogram.js';
import { TCP_TRAITS, writeLine, type Link, type Transport, type TransportTraits } from './link.js';
import type { Profile } from './profiles.js';
import {
  BYE_LINE,
  CLOSING_ERR_CODES,
  encodeHello,
  encodeReading,
  encodeTimeRequest,
  FATAL_ERR_CODES,
  parseGatewayLine,
  PING_LINE,
  type GatewayMessage,
  type Timestamp,
} from './protocol.js';
import { Outbox } from './outbox.js';
import { RangeSet } from './range-set.js';
import { chance, nonZeroU32, uniform, type Rng } from './rng.js';
import type { Scheduler, TimerHandle } from './scheduler.js';
import { Sensors } from './sensors.js';
import { TimeSync } from './time-sync.js';

/**
 * One simulated board: the same state machine as the sketches' client library.
 *
 *   offline --connect--> connecting --open: [T] HELLO--> hello --HELLO OK--> online
 *      ^                                                                      |
 *      +-- backoff (jittered, exponential) <-- link lost / BUSY / closing ERR --+
 *
 * Readings go into a bounded ring buffer and stay there until an ACK (cumulative) or HELLO OK's
 * acked-seq confirms them, or a NAK rejects them. On every new session everything still buffered
 * is resent, oldest first. Time comes from the injected Scheduler, randomness from the injected Rng.
 */
export type DeviceState = 'idle' | 'offline' | 'connecting' | 'hello' | 'online' | 'closing' | 'bye' | 'stopped' | 'failed';

export interface DeviceOptions {
  id: string;
  token: string;
  profile: Profile;
  transport: Transport;
  scheduler: Scheduler;
  /** Sensor noise, jitter, drift and garbage draw from this. */
  rng: Rng;
  /** The boot id (random per power-up). Default: drawn from `rng`. */
  bootId?: number;
  /** Overrides the profile's sample period (board milliseconds). */
  samplePeriodMs?: number;
  /** Delay before the first reading (real ms). Default: uniform in [0, period) so a fleet spreads out. */
  firstSampleDelayMs?: number;
  /** Crystal drift; default drawn uniformly from ±profile.driftPpm. */
  driftPpm?: number;
  /** Uptime at boot (to start near the millis() rollover). Default 0. */
  startUptimeMs?: number;
  /** Error of the board's wall clock, added to every epoch timestamp it sends. Default 0. */
  clockSkewMs?: number;
  /** Probability, per reading, of also sending a malformed line. Default 0. */
  garbageProbability?: number;
  /** HELLO `fw=`. */
  fw?: string;
  /** Called when a reading is sent for the first time (the fleet counts them for --kill-after). */
  onFirstSend?: () => void;
}

const TICK_MS = 1_000;
const FINAL_STATES: ReadonlySet<DeviceState> = new Set(['stopped', 'failed']);

export class Device {
  readonly id: string;
  readonly bootId: number;
  readonly counters: DeviceCounters = emptyCounters();
  readonly latency = new Histogram();
  /** HELLO sent → HELLO OK received, ms (authentication and session set-up at the gateway). */
  readonly helloLatency = new Histogram();
  /** Seqs of this boot the gateway confirmed durable. */
  readonly ackedSeqs = new RangeSet();

  private stateValue: DeviceState = 'idle';
  private readonly clock: DeviceClock;
  private readonly sensors: Sensors;
  private readonly outbox: Outbox;
  private readonly backoff: Backoff;
  private readonly timeSync: TimeSync;
  private readonly garbage: GarbageTracker;
  private readonly samplePeriodMs: number;
  private readonly skewMs: number;

  private generation = 0;
  private link: Link | null = null;
  private lastSeq = 0;
  /** Highest seq the board gave up without an ACK: dropped (overflow), NAKed, or used by garbage. */
  private givenUp = 0;
  private sampling = false;
  private draining = false;
  private sampleTimer: TimerHandle | null = null;
  private reconnectTimer: TimerHandle | null = null;
  private tickTimer: TimerHandle | null = null;
  private phaseSince = 0;
  private lastRxAt = 0;
  private lastTxAt = 0;
  private pingOutstanding = false;
  private busyRetryMs: number | null = null;
  private fatal: string | null = null;
  private waiters: ((state: DeviceState) => void)[] = [];

  constructor(private readonly options: DeviceOptions) {
    const { profile, rng, scheduler } = options;
    this.id = options.id;
    this.bootId = options.bootId ?? nonZeroU32(rng);
    this.samplePeriodMs = options.samplePeriodMs ?? profile.samplePeriodMs;
    if (!(this.samplePeriodMs > 0)) throw new RangeError(`sample period must be > 0, got ${this.samplePeriodMs}`);
    this.skewMs = options.clockSkewMs ?? 0;
    this.clock = new DeviceClock(() => scheduler.now(), {
      driftPpm: options.driftPpm ?? uniform(rng, -profile.driftPpm, profile.driftPpm),
      startUptimeMs: options.startUptimeMs ?? 0,
    });
    this.sensors = new Sensors(rng);
    this.outbox = new Outbox(profile.bufferCapacity, this.counters, this.latency, this.ackedSeqs);
    this.backoff = new Backoff(profile.backoff, rng);
    this.timeSync = new TimeSync(profile.timeSync.samples);
    this.garbage = new GarbageTracker(this.counters);
  }

  get state(): DeviceState {
    return this.stateValue;
  }

  /** Readings held, not yet acknowledged or rejected. */
  get pending(): number {
    return this.outbox.size;
  }

  get profile(): Profile {
    return this.options.profile;
  }

  /** Why the device failed for good (AUTH_FAILED, ...), or null. */
  get failure(): string | null {
    return this.fatal;
  }

  get timeSynced(): boolean {
    return this.timeSync.synced;
  }

  /** Highest seq this boot gave up without an ACK (0: none); every later seq was sent as a reading. */
  get highestGivenUpSeq(): number {
    return this.givenUp;
  }

  /** The board's millis() now (for an audit HELLO's `up=`). */
  millis(): number {
    return this.clock.millis();
  }

  /** Power-up: sampling starts and the board connects at once. */
  start(): void {
    if (this.stateValue !== 'idle') throw new Error(`device ${this.id} already started`);
    this.clock.reboot();
    this.sampling = true;
    const first = this.options.firstSampleDelayMs ?? this.options.rng.next() * this.clock.realDuration(this.samplePeriodMs);
    this.sampleTimer = this.options.scheduler.after(first, () => this.sample());
    this.connect();
  }

  /** Stops taking readings; the link stays up and keeps draining the buffer. */
  stopSampling(): void {
    this.sampling = false;
    this.sampleTimer?.cancel();
    this.sampleTimer = null;
  }

  /**
   * Stops sampling, waits until every buffered reading is acknowledged (reconnecting as needed),
   * then says BYE. Resolves with the final state; `stop()` ends the wait early.
   */
  finish(): Promise<DeviceState> {
    this.stopSampling();
    this.draining = true;
    if (FINAL_STATES.has(this.stateValue)) return Promise.resolve(this.stateValue);
    const done = new Promise<DeviceState>((resolve) => this.waiters.push(resolve));
    this.checkDrained();
    return done;
  }

  /** Stops at once: timers cancelled, link closed abruptly. Idempotent. */
  stop(): void {
    this.stopSampling();
    this.reconnectTimer?.cancel();
    this.reconnectTimer = null;
    if (this.link) this.dropConnection((link) => link.destroy());
    this.settle(this.fatal ? 'failed' : 'stopped');
  }

  /** Fault: the Wi-Fi link drops. `silent` leaves the gateway a half-open socket; `reset` closes it. */
  dropLink(mode: 'silent' | 'reset'): void {
    if (!this.link || FINAL_STATES.has(this.stateValue)) return;
    this.counters.linkDrops += 1;
    this.dropConnection((link) => (mode === 'silent' ? link.abandon() : link.destroy()));
    this.afterClose(`link drop (${mode})`);
  }

  // ---- sampling ----------------------------------------------------------------------------

  private sample(): void {
    this.sampleTimer = null;
    if (!this.sampling) return;
    this.takeReading();
    this.sampleTimer = this.options.scheduler.after(this.clock.realDuration(this.samplePeriodMs), () => this.sample());
  }

  private takeReading(): void {
    const uptime = this.clock.uptimeMs();
    const values = this.sensors.read(uptime);
    if (this.stateValue === 'online' && chance(this.options.rng, this.options.garbageProbability ?? 0)) this.sendGarbage();
    const seq = this.nextSeq();
    const dropped = this.outbox.add(seq, encodeReading({ seq, ts: this.timestampFor(uptime), fields: Object.entries(values) }));
    if (dropped !== null) this.giveUp(dropped);
    if (this.stateValue === 'online') this.flush();
  }

  /** `u<millis>` until the first time sync, the board's epoch estimate (plus its skew) after. */
  private timestampFor(uptime: number): Timestamp {
    const epoch = this.timeSync.epochAt(uptime);
    if (epoch === null) return { kind: 'uptime', millis: uptime % U32_RANGE };
    return { kind: 'epoch', ms: Math.max(0, epoch + this.skewMs) };
  }

  private nextSeq(): number {
    this.lastSeq += 1;
    return this.lastSeq;
  }

  private giveUp(seq: number): void {
    this.givenUp = Math.max(this.givenUp, seq);
  }

  private get traits(): TransportTraits {
    return this.options.transport.traits ?? TCP_TRAITS;
  }

  private sendGarbage(): void {
    const garbage = pickGarbage(this.options.rng, () => this.nextSeq(), this.helloLine(), this.traits);
    this.garbage.sent(garbage);
    if (garbage.expect.kind === 'nak') this.giveUp(garbage.expect.seq);
    this.write(garbage.bytes);
  }

  // ---- connection lifecycle ----------------------------------------------------------------

  private connect(): void {
    this.reconnectTimer = null;
    const generation = ++this.generation;
    const current = () => generation === this.generation;
    this.counters.connectAttempts += 1;
    this.enter('connecting');
    this.lastRxAt = this.options.scheduler.now();
    this.link = this.options.transport.open(
      this.id,
      {
        onOpen: () => current() && this.onOpen(),
        onLine: (line) => current() && this.onLine(line),
        onClose: (reason) => {
          if (!current()) return;
          this.dropConnection(() => undefined);
          this.afterClose(reason);
        },
      },
      this.options.token,
    );
    this.scheduleTick();
  }

  private onOpen(): void {
    this.enter('hello');
    if (this.timeSync.roundDue(this.clock.uptimeMs(), this.profile.timeSync.resyncMs)) this.sendTimeRequest();
    this.write(this.helloLine());
  }

  private helloLine(): string {
    return encodeHello({
      deviceId: this.id,
      token: this.options.token,
      boot: this.bootId,
      up: this.clock.millis(),
      fw: this.options.fw ?? 'sim-0.1.0',
      board: this.profile.board,
      // Without a connection at the gateway, ACKs never skip a gap: say what was given up.
      ...(this.traits.connectionless ? { low: this.outbox.lowestSeq ?? this.lastSeq + 1 } : {}),
    });
  }

  /** Detaches the current link (closing it with `close`) so that its late events are ignored. */
  private dropConnection(close: (link: Link) => void): void {
    const link = this.link;
    this.link = null;
    this.generation += 1;
    this.tickTimer?.cancel();
    this.tickTimer = null;
    this.pingOutstanding = false;
    this.timeSync.abandonRequest();
    this.garbage.connectionClosed();
    if (link) close(link);
  }

  /** The link is gone: finish, fail, or reconnect after a backoff. */
  private afterClose(reason: string): void {
    bump(this.counters.closes, reason);
    if (FINAL_STATES.has(this.stateValue)) return;
    if (this.fatal) return this.settle('failed');
    if (this.draining && this.outbox.size === 0) return this.settle('stopped');
    const retry = this.busyRetryMs;
    this.busyRetryMs = null;
    const delay = retry !== null ? retry + (retry / 2) * this.options.rng.next() : this.backoff.next();
    this.enter('offline');
    this.reconnectTimer = this.options.scheduler.after(delay, () => this.connect());
  }

  /** Our own decision to give up on the link (timeouts). */
  private abort(reason: string): void {
    this.dropConnection((link) => link.destroy());
    this.afterClose(reason);
  }

  private enter(state: DeviceState): void {
    this.stateValue = state;
    this.phaseSince = this.options.scheduler.now();
  }

  private settle(state: 'stopped' | 'failed'): void {
    this.stopSampling();
    this.reconnectTimer?.cancel();
    this.reconnectTimer = null;
    this.enter(state);
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve(state);
  }

  private write(line: string | Buffer): void {
    if (!this.link) return;
    writeLine(this.link, line);
    this.lastTxAt = this.options.scheduler.now();
  }

  /** Sends every buffered reading not yet sent on this connection, oldest first. */
  private flush(): void {
    const now = this.options.scheduler.now();
    const lines = this.outbox.takeUnsent(this.generation, now, this.options.onFirstSend);
    // Connectionless (MQTT): each reading also says what the board no longer holds (`low=` before
    // the R line), in case the full buffer dropped a reading after the HELLO went out.
    const low = this.traits.connectionless ? `low=${this.outbox.lowestSeq ?? this.lastSeq + 1} ` : '';
    for (const line of lines) this.write(low + line);
  }

  private checkDrained(): void {
    if (!this.draining || this.outbox.size > 0) return;
    if (this.stateValue === 'online') {
      this.write(BYE_LINE);
      this.enter('bye');
    } else if (this.stateValue === 'offline' || this.stateValue === 'idle') {
      this.settle('stopped');
    }
  }

  // ---- periodic checks (timeouts, keepalive, resync) ------------------------------------------

  private scheduleTick(): void {
    this.tickTimer = this.options.scheduler.after(TICK_MS, () => {
      this.tickTimer = null;
      this.tick();
      if (this.link) this.scheduleTick();
    });
  }

  private tick(): void {
    const now = this.options.scheduler.now();
    const p = this.profile;
    const inPhase = now - this.phaseSince;
    switch (this.stateValue) {
      case 'connecting':
        if (inPhase >= p.connectTimeoutMs) this.abort('connect timeout');
        return;
      case 'hello':
        if (inPhase >= p.helloTimeoutMs) this.abort('hello timeout');
        return;
      case 'closing':
      case 'bye':
        if (inPhase >= p.closeWaitMs) this.abort('close wait timeout');
        return;
      case 'online':
        return this.tickOnline(now);
      default:
        return;
    }
  }

  private tickOnline(now: number): void {
    const p = this.profile;
    const waiting = this.pingOutstanding || this.timeSync.awaitingReply || this.outbox.awaitingAck(this.generation);
    if (waiting && now - this.lastRxAt >= p.replyTimeoutMs) return this.abort('reply timeout');
    if (now - this.lastTxAt >= p.keepaliveMs) {
      this.pingOutstanding = true;
      this.write(PING_LINE);
    }
    if (!this.timeSync.awaitingReply && this.timeSync.roundDue(this.clock.uptimeMs(), p.timeSync.resyncMs)) {
      this.sendTimeRequest();
    }
  }

  private sendTimeRequest(): void {
    const request = this.timeSync.request(this.clock.uptimeMs());
    const report = request.report;
    this.write(
      encodeTimeRequest({
        deviceMillis: request.deviceMillis,
        ...(report ? { rttMs: Math.max(0, Math.round(report.rttMs)), offMs: report.offMs } : {}),
      }),
    );
  }

  // ---- gateway replies --------------------------------------------------------------------

  private onLine(line: string): void {
    this.lastRxAt = this.options.scheduler.now();
    this.handle(parseGatewayLine(line));
  }

  private handle(message: GatewayMessage): void {
    switch (message.kind) {
      case 'hello-ok':
        return this.onHelloOk(message.ackedSeq);
      case 'ack':
        return this.onAck(message.seq);
      case 'nak':
        return this.onNak(message.seq, message.code);
      case 'time':
        return this.onTime(message.deviceMillis, message.gatewayEpochMs);
      case 'busy':
        return this.onBusy(message.retryAfterMs);
      case 'err':
        return this.onErr(message.code);
      case 'pong':
        this.pingOutstanding = false;
        return;
      case 'bye':
        return this.onBye();
      case 'invalid':
        this.counters.protocolViolations += 1;
        return;
    }
  }

  private onHelloOk(ackedSeq: number): void {
    if (this.stateValue !== 'hello') {
      this.counters.protocolViolations += 1;
      return;
    }
    this.helloLatency.record(this.options.scheduler.now() - this.phaseSince);
    this.enter('online');
    this.counters.sessions += 1;
    this.backoff.reset();
    this.outbox.confirmDurable(ackedSeq);
    this.flush();
    this.checkDrained();
  }

  private onAck(seq: number): void {
    if (!['online', 'closing', 'bye'].includes(this.stateValue)) {
      this.counters.protocolViolations += 1;
      return;
    }
    this.outbox.acknowledge(seq, this.generation, this.options.scheduler.now());
    this.garbage.ack(seq);
    this.checkDrained();
  }

  private onNak(seq: number, code: string): void {
    if (this.garbage.nak(seq, code)) return;
    if (!this.outbox.reject(seq, code, this.generation)) {
      this.counters.protocolViolations += 1;
      return;
    }
    this.giveUp(seq);
    this.checkDrained();
  }

  private onTime(deviceMillis: number, gatewayEpochMs: number): void {
    const outcome = this.timeSync.reply(deviceMillis, gatewayEpochMs, this.clock.uptimeMs());
    if (outcome === 'ignored') this.counters.protocolViolations += 1;
    else if (outcome === 'done') this.counters.timeSyncRounds += 1;
    else this.sendTimeRequest();
  }

  /** The gateway refuses this and later readings, acknowledges what it took, then closes. */
  private onBusy(retryAfterMs: number): void {
    this.counters.busy += 1;
    this.busyRetryMs = retryAfterMs;
    this.enter('closing');
  }

  private onErr(code: string): void {
    if (CLOSING_ERR_CODES.has(code)) {
      bump(this.counters.errors, code);
      if (FATAL_ERR_CODES.has(code)) this.fatal = code;
      this.enter('closing');
      return;
    }
    if (this.garbage.err(code)) return;
    bump(this.counters.errors, code);
    // Our own HELLO refused: a bug in the simulator, retrying would only repeat it.
    if (code === 'BAD_HELLO' && this.stateValue === 'hello') {
      this.fatal = code;
      this.abort(`ERR ${code}`);
    }
  }

  private onBye(): void {
    if (this.stateValue === 'bye') {
      this.dropConnection((link) => link.end());
      this.settle('stopped');
      return;
    }
    // The gateway is shutting down: it closes after its last ACK; the board reconnects later.
    this.counters.gatewayByes += 1;
    this.enter('closing');
  }
}
