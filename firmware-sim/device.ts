import { Backoff } from './backoff.js';
import { DeviceClock } from './clock.js';
import { bump, emptyCounters, type DeviceCounters } from './device-stats.js';
import { GarbageTracker } from './garbage-tracker.js';
import { Histogram } from './histogram.js';
import { DeviceLink } from './device-link.js';
import { DevicePhase } from './device-phase.js';
import type { Link } from './link.js';
import type { Profile } from './profiles.js';
import type { DeviceOptions, DeviceState } from './device-options.js';
import { GatewayReplies } from './gateway-replies.js';
import { Sampler } from './sampler.js';
import { Sensors } from './sensors.js';
import { Outbox } from './outbox.js';
import { RangeSet } from './range-set.js';
import { chance, nonZeroU32, uniform } from './rng.js';
import { Reconnect } from './reconnect.js';
import { TimeSync } from './time-sync.js';
import { Uplink } from './uplink.js';

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
 *
 * This class is the state machine; each part has its own file: the link and its periodic check
 * (device-link.ts), the state and the waiters for its end (device-phase.ts), when to reconnect
 * (reconnect.ts), what the board writes (uplink.ts), how it handles replies (gateway-replies.ts),
 * its readings (sampler.ts into outbox.ts, the unacked window), its clock and the clock's sync
 * (clock.ts, time-sync.ts).
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

  private readonly phase: DevicePhase;
  private readonly link: DeviceLink;
  private readonly clock: DeviceClock;
  private readonly sampler: Sampler;
  private readonly outbox: Outbox;
  private readonly reconnect: Reconnect;
  private readonly timeSync: TimeSync;
  private readonly garbage: GarbageTracker;
  private readonly uplink: Uplink;

  private draining = false;
  private fatal: string | null = null;
  private readonly replies: GatewayReplies;

  constructor(private readonly options: DeviceOptions) {
    const { profile, rng, scheduler } = options;
    this.id = options.id;
    this.bootId = options.bootId ?? nonZeroU32(rng);
    this.phase = new DevicePhase(() => scheduler.now());
    this.clock = new DeviceClock(() => scheduler.now(), {
      driftPpm: options.driftPpm ?? uniform(rng, -profile.driftPpm, profile.driftPpm),
      startUptimeMs: options.startUptimeMs ?? 0,
    });
    this.outbox = new Outbox(profile.bufferCapacity, this.counters, this.latency, this.ackedSeqs);
    // Sensors draw their starting values here, before the backoff: the seeded sequence of a board.
    const sensors = new Sensors(rng, profile.sensors);
    const backoff = new Backoff(profile.backoff, rng);
    this.reconnect = new Reconnect(backoff, rng, scheduler);
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
        if (this.phase.state === 'online' && chance(rng, options.garbageProbability ?? 0)) this.uplink.garbage();
      },
      taken: () => {
        if (this.phase.state === 'online') this.uplink.readings();
      },
    });
    this.link = new DeviceLink(
      { deviceId: this.id, token: options.token, transport: options.transport, scheduler, profile },
      {
        onOpen: () => this.onOpen(),
        onLine: (line) => this.replies.onLine(line),
        onClose: (reason) => {
          this.dropConnection(() => undefined);
          this.afterClose(reason);
        },
        view: (now) => ({
          state: this.phase.state,
          inPhaseMs: now - this.phase.since,
          awaitingReply: this.timeSync.awaitingReply || this.outbox.awaitingAck(this.link.generation),
          awaitingTime: this.timeSync.awaitingReply,
          resyncDue: this.timeSync.roundDue(this.clock.uptimeMs(), profile.timeSync.resyncMs),
        }),
        abort: (reason) => this.abort(reason),
        timeRequest: () => this.uplink.timeRequest(),
      },
    );
    this.uplink = new Uplink({
      hello: { deviceId: this.id, token: options.token, boot: this.bootId, fw: options.fw ?? 'sim-0.1.0', board: profile.board },
      traits: options.transport.traits,
      link: this.link,
      clock: this.clock,
      outbox: this.outbox,
      sampler: this.sampler,
      timeSync: this.timeSync,
      garbage: this.garbage,
      rng,
      now: () => scheduler.now(),
      ...(options.onFirstSend ? { onFirstSend: options.onFirstSend } : {}),
    });
    this.replies = new GatewayReplies({
      counters: this.counters,
      outbox: this.outbox,
      garbage: this.garbage,
      timeSync: this.timeSync,
      backoff,
      helloLatency: this.helloLatency,
      now: () => scheduler.now(),
      phase: this.phase,
      link: this.link,
      uptimeMs: () => this.clock.uptimeMs(),
      flush: () => this.uplink.readings(),
      checkDrained: () => this.checkDrained(),
      abort: (reason) => this.abort(reason),
      byeAnswered: () => {
        this.dropConnection((link) => link.end());
        this.settle('stopped');
      },
      sendTimeRequest: () => this.uplink.timeRequest(),
      giveUp: (seq) => this.sampler.giveUp(seq),
      retryAfter: (ms) => this.reconnect.retryAfter(ms),
      fail: (code) => (this.fatal = code),
    });
  }

  get state(): DeviceState {
    return this.phase.state;
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
    if (this.phase.state !== 'idle') throw new Error(`device ${this.id} already started`);
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
    const done = this.phase.whenFinal();
    if (!this.phase.final) this.checkDrained();
    return done;
  }

  /** Stops at once: timers cancelled, link closed abruptly. Idempotent. */
  stop(): void {
    this.stopSampling();
    this.reconnect.cancel();
    if (this.link.up) this.dropConnection((link) => link.destroy());
    this.settle(this.fatal ? 'failed' : 'stopped');
  }

  /** Fault: the Wi-Fi link drops. `silent` leaves the gateway a half-open socket; `reset` closes it. */
  dropLink(mode: 'silent' | 'reset'): void {
    if (!this.link.up || this.phase.final) return;
    this.counters.linkDrops += 1;
    this.dropConnection((link) => (mode === 'silent' ? link.abandon() : link.destroy()));
    this.afterClose(`link drop (${mode})`);
  }

  // ---- connection lifecycle ----------------------------------------------------------------

  private connect(): void {
    this.counters.connectAttempts += 1;
    this.phase.enter('connecting');
    this.link.open();
  }

  private onOpen(): void {
    this.phase.enter('hello');
    if (this.timeSync.roundDue(this.clock.uptimeMs(), this.profile.timeSync.resyncMs)) this.uplink.timeRequest();
    this.uplink.hello();
  }

  /** Detaches the current link (closing it with `close`): what was in flight on it is forgotten. */
  private dropConnection(close: (link: Link) => void): void {
    this.timeSync.abandonRequest();
    this.garbage.connectionClosed();
    this.link.detach(close);
  }

  /** The link is gone: finish, fail, or reconnect after a backoff. */
  private afterClose(reason: string): void {
    bump(this.counters.closes, reason);
    if (this.phase.final) return;
    if (this.fatal) return this.settle('failed');
    if (this.draining && this.outbox.size === 0) return this.settle('stopped');
    this.phase.enter('offline');
    this.reconnect.schedule(() => this.connect());
  }

  /** Our own decision to give up on the link (timeouts). */
  private abort(reason: string): void {
    this.dropConnection((link) => link.destroy());
    this.afterClose(reason);
  }

  private settle(state: 'stopped' | 'failed'): void {
    this.stopSampling();
    this.reconnect.cancel();
    this.phase.settle(state);
  }

  private checkDrained(): void {
    if (!this.draining || this.outbox.size > 0) return;
    if (this.phase.state === 'online') {
      this.uplink.bye();
      this.phase.enter('bye');
    } else if (this.phase.state === 'offline' || this.phase.state === 'idle') {
      this.settle('stopped');
    }
  }
}
