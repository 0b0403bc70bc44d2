import { TCP_TRAITS, writeLine, type Link, type Transport } from './link.js';
import { BYE_LINE, encodeHello, parseGatewayLine } from './protocol.js';
import type { Scheduler } from './scheduler.js';

/**
 * End-of-run check over the protocol itself: reconnect once as each board's boot and read
 * HELLO OK's acked-seq, the highest seq the gateway holds durable. It must not be lower than the
 * highest seq the board saw acknowledged.
 */
export interface AuditRequest {
  deviceId: string;
  token: string;
  bootId: number;
  /** The board's millis() for `up=`. */
  up: number;
  board: string;
  /** Highest seq the board saw acknowledged (null: none, nothing to check). */
  highestAcked: number | null;
  /**
   * Connectionless transports (MQTT) acknowledge only up to the first gap in the seqs: 1 + the
   * highest seq the board gave up (dropped, NAKed) is sent as `low=`, so the check covers every
   * acknowledged reading above it.
   */
  low?: number;
}

export type AuditResult =
  | { deviceId: string; ok: true; ackedSeq: number }
  | { deviceId: string; ok: false; ackedSeq: number | null; reason: string };

export function auditDevice(
  request: AuditRequest,
  transport: Transport,
  scheduler: Scheduler,
  timeoutMs = 10_000,
): Promise<AuditResult> {
  const { deviceId } = request;
  return new Promise((resolve) => {
    let link: Link | null = null;
    let ackedSeq: number | null = null;
    let done = false;
    const finish = (result: AuditResult, close: (l: Link) => void) => {
      if (done) return;
      done = true;
      timer.cancel();
      if (link) close(link);
      resolve(result);
    };
    const fail = (reason: string) => finish({ deviceId, ok: false, ackedSeq, reason }, (l) => l.destroy());
    const judge = (): AuditResult => {
      if (ackedSeq === null) return { deviceId, ok: false, ackedSeq, reason: 'no HELLO OK' };
      if (request.highestAcked !== null && ackedSeq < request.highestAcked) {
        return { deviceId, ok: false, ackedSeq, reason: `gateway holds up to seq ${ackedSeq}, board saw ${request.highestAcked} acknowledged` };
      }
      return { deviceId, ok: true, ackedSeq };
    };
    const timer = scheduler.after(timeoutMs, () => fail('audit timeout'));
    const { token, bootId, up, board } = request;
    const low = (transport.traits ?? TCP_TRAITS).connectionless ? request.low : undefined;
    link = transport.open(deviceId, {
      onOpen: () => {
        if (link) writeLine(link, encodeHello({ deviceId, token, boot: bootId, up, board, fw: 'sim-audit', ...(low !== undefined ? { low } : {}) }));
      },
      onLine: (line) => {
        const message = parseGatewayLine(line);
        if (message.kind === 'hello-ok' && ackedSeq === null) {
          ackedSeq = message.ackedSeq;
          if (link) writeLine(link, BYE_LINE);
        } else if (message.kind === 'bye' && ackedSeq !== null) {
          finish(judge(), (l) => l.end());
        } else if (message.kind === 'err') {
          fail(`ERR ${message.code}`);
        }
      },
      onClose: (reason) => (ackedSeq !== null ? finish(judge(), () => undefined) : fail(reason)),
    }, token);
  });
}

/** Audits many boards with at most `concurrency` connections at a time. */
export async function auditAll(
  requests: readonly AuditRequest[],
  transport: Transport,
  scheduler: Scheduler,
  concurrency = 64,
): Promise<AuditResult[]> {
  const results: AuditResult[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < requests.length; i = next++) {
      results[i] = await auditDevice(requests[i] as AuditRequest, transport, scheduler);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, requests.length) }, worker));
  return results;
}
