import type { ErrCode, NakCode } from './codes.js';

/** Encoders for gateway → device lines (each ends with '\n'). Pure. */
export const reply = {
  helloOk: (gatewayMs: number, ackedSeq: number) => `HELLO OK ${gatewayMs} ${ackedSeq}\n`,
  ack: (seq: number) => `ACK ${seq}\n`,
  nak: (seq: number, code: NakCode, text: string) => `NAK ${seq} ${code} ${oneLine(text)}\n`,
  time: (deviceMillis: number, gatewayMs: number) => `T ${deviceMillis} ${gatewayMs}\n`,
  busy: (retryAfterMs: number) => `BUSY ${retryAfterMs}\n`,
  err: (code: ErrCode, text: string) => `ERR ${code} ${oneLine(text)}\n`,
  pong: () => 'PONG\n',
  bye: () => 'BYE\n',
};

/** Keeps a reply on one line and short, whatever text an error carries. */
function oneLine(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ');
  return flat.length > 160 ? `${flat.slice(0, 160)}…` : flat;
}
