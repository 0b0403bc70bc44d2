import type { Refusal } from '../../protocol/messages.js';
import type { StatsDelta } from '../../store/ops.js';
import type { IngestCounters } from '../counters.js';
import type { IngestStore } from '../session/ingest-store.js';
import { countRefusal } from '../session/session.js';
import type { MqttDevice } from './device-state.js';
import { mqttReply } from './replies.js';
import type { OutboundKind, Topics } from './topics.js';

export interface ReplierDeps {
  topics: Topics;
  store: IngestStore;
  counters: IngestCounters;
  publish(topic: string, payload: string): void;
  /** In a share group each gateway sees only part of a board's readings: no cumulative ACKs. */
  acks: boolean;
}

/**
 * What the gateway says to MQTT boards: replies on `<prefix>/<id>/ack`, refusals (counted like
 * TCP's), and cumulative ACKs coalesced to one per device and boot per commit.
 */
export class Replier {
  private readonly due = new Set<MqttDevice>();
  private flushScheduled = false;

  constructor(private readonly deps: ReplierDeps) {}

  send(device: string, payload: string, kind: OutboundKind = 'ack'): void {
    this.deps.publish(this.deps.topics.to(device, kind), payload);
  }

  /** NAK (settling the seq in the boot's window) or ERR; counted in the counters and the device's statistics. */
  refuse(device: string, dev: MqttDevice | null, refusal: Refusal, boot: number | null): void {
    countRefusal(this.deps, device, refusal);
    if (refusal.scope === 'nak') {
      if (dev !== null && boot !== null) {
        const { window } = dev.acks(boot);
        window.settle(refusal.seq);
        // As on TCP, an advance over this NAKed reading alone sends no ACK: it got its NAK.
        if (window.acked > refusal.seq) this.ackDue(dev, boot);
      }
      this.send(device, mqttReply.nak(refusal.seq, refusal.code, refusal.text, boot));
    } else {
      this.send(device, mqttReply.err(refusal.code, refusal.text));
    }
  }

  /** A reading of (dev, boot) is durable: once the batch's outcomes are in, publish the ACK. */
  ackDue(dev: MqttDevice, boot: number): void {
    if (!this.deps.acks) return;
    dev.acks(boot).due = true;
    this.due.add(dev);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => {
      this.flushScheduled = false;
      for (const d of this.due) for (const { boot: b, acked } of d.takeDueAcks()) this.send(d.id, mqttReply.ack(acked, b));
      this.due.clear();
    });
  }

  stats(device: string, delta: StatsDelta): void {
    if (Object.keys(delta).length > 0) this.deps.store.committer.enqueue({ kind: 'stats', device, delta });
  }
}
