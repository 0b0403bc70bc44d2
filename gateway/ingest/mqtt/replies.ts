import type { ErrCode, NakCode } from '../../protocol/codes.js';
import { reply } from '../../protocol/replies.js';

/**
 * Gateway → board payloads on MQTT (pure): the TCP reply lines without their line end. Replies about
 * readings name the boot they belong to, because the ack topic outlives the board's boot: a late ACK
 * for the previous boot must not make a rebooted board drop readings of its new one.
 */
export const mqttReply = {
  helloOk: (gatewayMs: number, ackedSeq: number, boot: number) => `${line(reply.helloOk(gatewayMs, ackedSeq))} boot=${boot}`,
  ack: (seq: number, boot: number) => `${line(reply.ack(seq))} boot=${boot}`,
  nak: (seq: number, code: NakCode, text: string, boot: number | null) => line(reply.nak(seq, code, boot === null ? text : `boot=${boot} ${text}`)),
  err: (code: ErrCode, text: string) => line(reply.err(code, text)),
  busy: (retryAfterMs: number) => line(reply.busy(retryAfterMs)),
  time: (deviceMillis: number, gatewayMs: number) => line(reply.time(deviceMillis, gatewayMs)),
};

function line(s: string): string {
  return s.endsWith('\n') ? s.slice(0, -1) : s;
}
