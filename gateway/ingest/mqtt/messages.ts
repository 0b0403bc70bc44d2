import type { MqttConfig } from '../../config/sections/mqtt.js';
import type { ReadingOutcome } from '../../store/ops.js';
import type { TimerHandle, Timers } from '../../time/timers.js';
import { authenticateDevice, type AuthResult } from '../device-auth.js';
import type { SessionContext } from '../session/session.js';
import { checkTimeRequest } from '../clock-anchor.js';
import type { InboundMessage } from './broker-connection.js';
import type { DeviceDirectory } from './device-directory.js';
import { MqttDevice } from './device-state.js';
import { parseHelloPayload, parseReadingPayload, parseStatusPayload, parseTimePayload, type HelloResult } from './payloads.js';
import type { Replier } from './replier.js';
import { mqttReply } from './replies.js';
import { tooManyGaps } from '../session/store-refusals.js';

/** A message taken in: `release` lets its PUBACK go; `drop` forgets it unacknowledged (redelivered later). */
export interface Taken {
  release(): void;
  drop(): void;
}

/** Holds for crash tests: each is logged when it starts, so a test can kill the gateway inside it. */
export interface MqttTestHolds {
  /** Hold each reading this long before queueing it for commit. */
  readingsMs?: number;
  /** Hold each PUBACK this long after the commit. */
  pubacksMs?: number;
}

export interface MessageDeps extends SessionContext {
  timers: Timers;
  devices: DeviceDirectory;
  replier: Replier;
  /** The gateway's broker connection: BUSY pauses it, a failed commit restarts it (redelivery). */
  broker: { pause(ms: number): void; restart(): void };
  /** Crash tests only (never configuration). */
  testHolds?: MqttTestHolds | undefined;
}

/**
 * What the gateway does with each board message on MQTT: readings, hellos, time requests and
 * status, each through the device's IngestSession; replies go out through the Replier. The
 * source (source.ts) owns the broker connection and when a PUBACK may go.
 */
export class MqttMessages {
  /** Held messages (test holds), dropped unacknowledged when the gateway stops. */
  readonly held = new Map<TimerHandle, Taken>();
  private readonly devices: DeviceDirectory;
  private readonly replier: Replier;

  constructor(
    private readonly config: Pick<MqttConfig, 'maxPayloadBytes' | 'shareGroup'>,
    private readonly deps: MessageDeps,
  ) {
    this.devices = deps.devices;
    this.replier = deps.replier;
  }

  onReading(id: string, m: InboundMessage, now: number, taken: Taken): void {
    const parsed = parseReadingPayload(m.payload, this.config.maxPayloadBytes);
    const dev = this.devices.admit(id, now);
    if (!(dev instanceof MqttDevice)) {
      this.replier.refuse(id, null, { scope: 'err', ...dev }, null);
      taken.release();
      return;
    }
    if (parsed.meta.boot !== undefined) dev.useBoot(parsed.meta.boot);
    const boot = parsed.meta.boot ?? dev.boot;
    if (boot !== null && parsed.meta.low !== undefined && dev.acks(boot).window.raiseLow(parsed.meta.low)) this.replier.ackDue(dev, boot);
    if (!parsed.ok) {
      this.replier.refuse(id, dev, parsed.refusal, boot);
      taken.release();
      return;
    }
    if (boot === null) {
      this.replier.refuse(id, dev, { scope: 'err', code: 'NOT_AUTHENTICATED', text: 'boot unknown: publish a hello with boot= first, or put boot= before R' }, null);
      taken.release();
      return;
    }
    const retryAfterMs = dev.session.busy();
    if (retryAfterMs !== null) {
      // Not stored, so not acknowledged to the broker either: the gateway leaves the broker for the
      // retry-after time and the broker delivers the reading again then (a board in a share group no
      // longer holds it once the broker took it). The board hears BUSY and may resend it too.
      this.replier.send(id, mqttReply.busy(retryAfterMs));
      taken.drop();
      this.deps.broker.pause(retryAfterMs);
      return;
    }
    const seq = parsed.message.seq;
    const msg = parsed.message;
    const refusal = dev.session.screen(msg);
    if (refusal !== null) {
      this.replier.refuse(id, dev, refusal, boot);
      taken.release();
      return;
    }
    // The session stores under its current boot: `boot` (a boot= of this message was made current above).
    const enqueue = () => dev.session.accept(msg, m.payload.length, now, (outcome) => this.onCommitted(dev, boot, seq, outcome, taken));
    const holdMs = this.deps.testHolds?.readingsMs ?? 0;
    if (holdMs > 0) this.hold(holdMs, taken, enqueue, 'mqtt reading held (test hold)', { device: id, seq });
    else enqueue();
  }

  private onCommitted(dev: MqttDevice, boot: number, seq: number, outcome: ReadingOutcome, taken: Taken): void {
    if (outcome === 'full') {
      // The disk is full: as for BUSY above, not acknowledged; the broker redelivers after the pause.
      const retryAfterMs = dev.session.diskFull();
      this.replier.send(dev.id, mqttReply.busy(retryAfterMs));
      taken.drop();
      this.deps.broker.pause(retryAfterMs);
      return;
    }
    if (outcome === 'gaps') {
      // Refused by the store, for good: NAKed like a refusal of the field rules, counted.
      this.replier.refuse(dev.id, dev, tooManyGaps(seq), boot);
      taken.release();
      return;
    }
    if (outcome === 'failed') {
      // Not durable: never acknowledge it. Reconnecting makes the broker redeliver it.
      taken.drop();
      this.deps.broker.restart();
      return;
    }
    const { window } = dev.acks(boot);
    window.settle(seq);
    if (seq <= window.acked) this.replier.ackDue(dev, boot);
    const ms = this.deps.testHolds?.pubacksMs ?? 0;
    if (ms > 0) this.hold(ms, taken, () => taken.release(), 'mqtt puback held after commit (test hold)', { device: dev.id, seq });
    else taken.release();
  }

  onHello(id: string, m: InboundMessage, now: number, taken: Taken): void {
    if (m.payload.toString('latin1').trim() === '') {
      // An empty payload deletes a retained hello; taken for a hello without boot= it would give the
      // device a made-up boot, under which its next readings would be stored (and later stored again).
      taken.release();
      return;
    }
    const parsed = parseHelloPayload(id, m.payload);
    if (!parsed.ok) {
      this.replier.refuse(id, this.devices.get(id) ?? null, parsed.refusal, null);
      taken.release();
      return;
    }
    const proceed = (auth: AuthResult) => {
      if (!auth.ok && 'diskFull' in auth) {
        // The registration could not be committed: nothing registered, the hello not acknowledged
        // (the broker delivers it again after the pause), the board told BUSY, as for a reading.
        const retryAfterMs = this.diskFull();
        this.replier.send(id, mqttReply.busy(retryAfterMs));
        taken.drop();
        this.deps.broker.pause(retryAfterMs);
        return;
      }
      if (!auth.ok) {
        // Not via refuse(): authenticateDevice has already counted it in the device's statistics.
        this.deps.counters.countErr(auth.code);
        this.replier.send(id, mqttReply.err(auth.code, auth.text));
      } else {
        if (auth.registered) this.deps.log.info({ device: id }, 'device registered on first use (mqtt hello)');
        this.applyHello(id, parsed, m.retain, this.deps.timers.now());
      }
      taken.release();
    };
    if (!parsed.hasToken) {
      proceed({ ok: true, registered: false });
      return;
    }
    // A token in the hello is checked like TCP's (and bound on first use in tofu mode).
    const immediate = authenticateDevice(this.deps.store, this.deps.authMode, id, parsed.hello.token, now, proceed, this.deps.registrations ?? null);
    if (immediate !== null) proceed(immediate);
  }

  /** The disk is full before a device has a session here: counted as BUSY and DISK_FULL like a reading's. */
  private diskFull(): number {
    this.deps.counters.busyReplies++;
    this.deps.counters.countLimit('DISK_FULL');
    return this.deps.busyRetryAfterMs;
  }

  private applyHello(id: string, parsed: Extract<HelloResult, { ok: true }>, retained: boolean, now: number): void {
    const dev = this.devices.admit(id, now);
    if (!(dev instanceof MqttDevice)) {
      this.replier.refuse(id, null, { scope: 'err', ...dev }, null);
      return;
    }
    const { hello } = parsed;
    // A retained hello is old news: its up= says nothing about the time it arrives now, and the
    // board is not necessarily there. MQTT counts connects from the board's `online` status.
    const boot = dev.session.hello(hello, now, { live: !retained, connects: false, claimAs: dev });
    const { window } = dev.acks(boot);
    if (parsed.low !== undefined) window.raiseLow(parsed.low);
    if (!retained && this.config.shareGroup === undefined) this.replier.send(id, mqttReply.helloOk(now, window.acked, boot));
    this.deps.log.info({ device: id, boot, retained, fw: hello.fw, board: hello.board }, 'mqtt device hello');
  }

  onTime(id: string, m: InboundMessage, now: number): void {
    const parsed = parseTimePayload(m.payload);
    if (!parsed.ok) {
      this.replier.refuse(id, this.devices.get(id) ?? null, parsed.refusal, null);
      return;
    }
    // The trust window is checked before the reply, also for a board not admitted yet.
    const refused = checkTimeRequest(parsed.request, now);
    if (refused !== null) {
      this.replier.refuse(id, this.devices.get(id) ?? null, refused, null);
      return;
    }
    this.replier.send(id, mqttReply.time(parsed.request.millis, now), 't/reply');
    const dev = this.devices.admit(id, now);
    if (dev instanceof MqttDevice) dev.session.timeRequest(parsed.request, now);
  }

  onStatus(id: string, m: InboundMessage, now: number): void {
    const status = parseStatusPayload(m.payload);
    const dev = status === null ? null : this.devices.admit(id, now);
    if (!(dev instanceof MqttDevice)) return;
    if (status === 'online') {
      if (dev.onlineAt === null) dev.onlineAt = now;
      if (!m.retain) this.replier.stats(id, { connects: 1, lastSeen: now });
    } else if (dev.onlineAt !== null) {
      this.replier.stats(id, { connectedMs: now - dev.onlineAt, ...(m.retain ? {} : { lastSeen: now }) });
      dev.onlineAt = null;
    }
  }

  private hold(ms: number, taken: Taken, fn: () => void, what: string, fields: Record<string, unknown>): void {
    this.deps.log.debug(fields, what);
    const timer = this.deps.timers.after(ms, () => {
      this.held.delete(timer);
      fn();
    });
    this.held.set(timer, taken);
  }
}
