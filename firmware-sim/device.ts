import { Backoff } from './backoff.js';
import { DeviceClock } from './clock.js';
import { bump, emptyCounters, type DeviceCounters } from './device-stats.js';
import { pickGarbage } from './garbage.js';
import { GarbageTracker } from './garbage-tracker.js';
import { Histogram } from './histogram.js';
import { TCP_TRAITS, writeLine, type Link, type Transport, type TransportTraits } from './link.js';
import type { Profile } from './profiles.js';
import { FINAL_STATES, type DeviceOptions, type DeviceState } from './device-options.js';
import { GatewayReplies } from './gateway-replies.js';
import { checkLink, TICK_MS } from './link-watchdog.js';
import { Sampler } from './sampler.js';
import { Sensors } from './sensors.js';
import { BYE_LINE, encodeHello, encodeTimeRequest, PING_LINE } from './protocol.js';
import { Outbox } from './outbox.js';
import { RangeSet } from './range-set.js';
import { chance, nonZeroU32, uniform } from './rng.js';
import type { Scheduler, TimerHandle } from './scheduler.js';
import { TimeSync } from './time-sync.js';

export type { DeviceOptions, DeviceState } from './device-options.js';

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
  private readonly sampler: Sampler;
  private readonly outbox: Outbox;
  private readonly backoff: Backoff;
  private readonly timeSync: TimeSync;
  private readonly garbage: GarbageTracker;

  private generation = 0;
  private link: Link | null = null;
  private draining = false;
  private reconnectTimer: TimerHandle | null = null;
  private tickTimer: TimerHandle | null = null;
  private phaseSince = 0;
  private lastRxAt = 0;
  private lastTxAt = 0;
  private pingOutstanding = false;
  private busyRetryMs: number | null = null;
  private fatal: string | null = null;
  private waiters: ((state: DeviceState) => void)[] = [];
  private readonly replies: GatewayReplies;

  constructor(private readonly options: DeviceOptions) {
    const { profile, rng, scheduler } = options;
    this.id = options.id;
    this.bootId = options.bootId ?? nonZeroU32(rng);
    this.clock = new DeviceClock(() => scheduler.now(), {
      driftPpm: options.driftPpm ?? uniform(rng, -profile.driftPpm, profile.driftPpm),
      startUptimeMs: options.startUptimeMs ?? 0,
    });
    this.outbox = new Outbox(profile.bufferCapacity, this.counters, this.latency, this.ackedSeqs);
    // Sensors draw their starting values here, before the backoff: the seeded sequence of a board.
    const sensors = new Sensors(rng, profile.sensors);
    this.backoff = new Backoff(profile.backoff, rng);
    this.timeSync = new TimeSync(profile.timeSync.samples);
    this.garbage = new GarbageTracker(this.counters);
    this.sampler = new Sampler({
      sensors,
      clock: this.clock,
      outbox: this.outbox,
      timeSync: this.timeSync,
      scheduler,
      rng,
      periodMs: options.samplePeriodMs ?? profile.samplePeriodMs,
      skewMs: options.clockSkewMs ?? 0,
      fieldFaults: { counterBackwards: options.counterBackwardsProbability ?? 0, outOfRange: options.outOfRangeProbability ?? 0 },
      beforeReading: () => {
        if (this.stateValue === 'online' && chance(rng, options.garbageProbability ?? 0)) this.sendGarbage();
      },
      taken: () => {
        if (this.stateValue === 'online') this.flush();
      },
    });
    this.replies = new GatewayReplies({
      counters: this.counters,
      outbox: this.outbox,
      garbage: this.garbage,
      timeSync: this.timeSync,
      backoff: this.backoff,
      helloLatency: this.helloLatency,
      now: () => scheduler.now(),
      state: () => this.stateValue,
      phaseSince: () => this.phaseSince,
      generation: () => this.generation,
      uptimeMs: () => this.clock.uptimeMs(),
      enter: (state) => this.enter(state),
      flush: () => this.flush(),
      checkDrained: () => this.checkDrained(),
      abort: (reason) => this.abort(reason),
      byeAnswered: () => {
        this.dropConnection((link) => link.end());
        this.settle('stopped');
      },
      sendTimeRequest: () => this.sendTimeRequest(),
      giveUp: (seq) => this.sampler.giveUp(seq),
      retryAfter: (ms) => (this.busyRetryMs = ms),
      fail: (code) => (this.fatal = code),
      pongReceived: () => (this.pingOutstanding = false),
    });
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
    return this.sampler.highestGivenUp;
  }

  /** The board's millis() now (for an audit HELLO's `up=`). */
  millis(): number {
    return this.clock.millis();
  }

  /** Power-up: sampling starts and the board connects at once. */
  start(): void {
    if (this.stateValue !== 'idle') throw new Error(`device ${this.id} already started`);
    this.clock.reboot();
    this.sampler.start(this.options.firstSampleDelayMs);
    this.connect();
  }

  /** Stops taking readings; the link stays up and keeps draining the buffer. */
  stopSampling(): void {
    this.sampler.stop();
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

  private get traits(): TransportTraits {
    return this.options.transport.traits ?? TCP_TRAITS;
  }

  private sendGarbage(): void {
    const garbage = pickGarbage(this.options.rng, () => this.sampler.nextSeq(), this.helloLine(), this.traits);
    this.garbage.sent(garbage);
    if (garbage.expect.kind === 'nak') this.sampler.giveUp(garbage.expect.seq);
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
        onLine: (line) => {
          if (!current()) return;
          this.lastRxAt = this.options.scheduler.now();
          this.replies.onLine(line);
        },
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
      ...(this.traits.connectionless ? { low: this.outbox.lowestSeq ?? this.sampler.lastSeq + 1 } : {}),
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
    const low = this.traits.connectionless ? `low=${this.outbox.lowestSeq ?? this.sampler.lastSeq + 1} ` : '';
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
    const actions = checkLink(
      {
        state: this.stateValue,
        inPhaseMs: now - this.phaseSince,
        sinceRxMs: now - this.lastRxAt,
        sinceTxMs: now - this.lastTxAt,
        awaitingReply: this.pingOutstanding || this.timeSync.awaitingReply || this.outbox.awaitingAck(this.generation),
        awaitingTime: this.timeSync.awaitingReply,
        resyncDue: this.timeSync.roundDue(this.clock.uptimeMs(), this.profile.timeSync.resyncMs),
      },
      this.profile,
    );
    for (const action of actions) {
      if (action.kind === 'abort') return this.abort(action.reason);
      if (action.kind === 'ping') {
        this.pingOutstanding = true;
        this.write(PING_LINE);
      } else {
        this.sendTimeRequest();
      }
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
}
