import { isUtf8 } from 'node:buffer';
import { parseEnvelopedReading } from '../../protocol/envelope.js';
import type { ReadingMessage, Refusal } from '../../protocol/messages.js';

/** One line of a datagram: `<device-id> <token> [boot=<u32>] R <seq> <ts> <field>=<value> ...`. */
export type UdpLine =
  | { kind: 'reading'; device: string; token: string; boot?: number; message: ReadingMessage; bytes: number }
  | { kind: 'refused'; device: string | null; refusal: Refusal; boot?: number; bytes: number };

const DEVICE_ID = /^[A-Za-z0-9_.-]{1,64}$/;
const TOKEN = /^[A-Za-z0-9_.~+/=-]{1,128}$/;

/**
 * Splits a datagram into lines and parses each (pure). Lines end with `\n` (`\r\n` accepted; the
 * last line needs no terminator); empty lines are skipped. Returns a refusal for the whole
 * datagram when it is not UTF-8.
 */
export function parseDatagram(datagram: Buffer): UdpLine[] | { refusal: Refusal } {
  if (!isUtf8(datagram)) return { refusal: { scope: 'err', code: 'BAD_UTF8', text: 'datagram is not valid UTF-8' } };
  const lines: UdpLine[] = [];
  for (const raw of datagram.toString('utf8').split('\n')) {
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (text.trim().length === 0) continue;
    lines.push(parseUdpLine(text, Buffer.byteLength(raw, 'utf8') + 1));
  }
  return lines;
}

function parseUdpLine(text: string, bytes: number): UdpLine {
  const m = /^ *(\S+) +(\S+) +(.*)$/.exec(text);
  const device = m?.[1];
  if (m === null || device === undefined || !DEVICE_ID.test(device)) {
    return { kind: 'refused', device: null, bytes, refusal: { scope: 'err', code: 'BAD_HELLO', text: 'a line starts with <device-id> <token>' } };
  }
  const token = m[2] as string;
  if (!TOKEN.test(token)) return { kind: 'refused', device, bytes, refusal: { scope: 'err', code: 'BAD_HELLO', text: 'missing or malformed token' } };
  const parsed = parseEnvelopedReading(m[3] as string);
  const boot = parsed.meta.boot;
  if (!parsed.ok) return boot === undefined ? { kind: 'refused', device, bytes, refusal: parsed.refusal } : { kind: 'refused', device, bytes, refusal: parsed.refusal, boot };
  return boot === undefined ? { kind: 'reading', device, token, message: parsed.message, bytes } : { kind: 'reading', device, token, boot, message: parsed.message, bytes };
}
