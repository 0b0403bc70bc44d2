import type { LineEvent } from '../../protocol/lines.js';
import type { Message, Refusal } from '../../protocol/messages.js';
import { parseLine, readingSeqOf } from '../../protocol/parse.js';

/** What one framed line is: a message to act on, or a refusal (NAK when its seq can be read). */
export type LineOutcome =
  | { kind: 'message'; message: Message; bytes: number }
  | { kind: 'refusal'; refusal: Refusal; tooLong: boolean };

/** Turns a framed line (or a framing failure) into a message or a refusal (pure). */
export function interpretLine(ev: LineEvent, maxLineBytes: number): LineOutcome {
  if (ev.kind === 'line') {
    const parsed = parseLine(ev.text);
    return parsed.ok ? { kind: 'message', message: parsed.message, bytes: ev.bytes } : { kind: 'refusal', refusal: parsed.refusal, tooLong: false };
  }
  const tooLong = ev.kind === 'too-long';
  const code = tooLong ? 'LINE_TOO_LONG' : 'BAD_UTF8';
  const text = tooLong ? `line longer than ${maxLineBytes} bytes` : 'line is not valid UTF-8';
  const seq = readingSeqOf(ev.head);
  return { kind: 'refusal', refusal: seq !== null ? { scope: 'nak', seq, code, text } : { scope: 'err', code, text }, tooLong };
}
