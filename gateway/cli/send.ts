import { Command, InvalidArgumentError, Option } from 'commander';
import type { FieldValue } from '../../firmware-sim/protocol.js';
import { MAX_FIELDS } from '../protocol/parse.js';
import { decodeValue, isFieldName, MAX_STRING_BYTES } from '../protocol/values.js';
import { configFor, type CommonFlags } from './options.js';
import { sendReadings } from './send-session.js';

/** Thrown when the gateway refused or did not answer; the CLI prints it and exits 1. */
export class SendError extends Error {
  readonly code = 'SEND_FAILED';
}

interface SendFlags extends CommonFlags {
  token?: string;
  gateway?: string;
  count: number;
  every: number;
  boot?: number;
  timeout: number;
}

/**
 * `sheetlog send <device> field=value ...`: a small board in the terminal, for trying the gateway
 * without `nc` or hardware. Exit 0 when every reading was acknowledged; 1 on NAK, ERR, BUSY, a
 * closed connection or a timeout; 2 on usage errors.
 */
export function sendCommand(out: (s: string) => void): Command {
  const cmd = new Command('send')
    .description('send readings as a board would (HELLO, R lines, BYE) and print the replies')
    .argument('<device>', 'device id')
    .argument('<field=value...>', 'fields: a number, true/false, or text')
    .option('--token <token>', 'the device token (default: $SHEETLOG_TOKEN)')
    .option('--gateway <host:port>', 'the gateway\'s TCP address (default 127.0.0.1 and tcp.port of the configuration)')
    .option('--count <n>', 'readings to send', positiveInt, 1)
    .addOption(new Option('--every <duration>', 'pause between readings: 500ms, 2s, 1m (a bare number is seconds)').argParser(parseDuration).default(1000, '1s'))
    .option('--boot <n>', 'boot id of this "board" (default: the current Unix time in seconds, a new sequence space per run)', u32)
    .option('--timeout <seconds>', 'wait at most this long for the connection and for each reply', positiveNumber, 10)
    .option('--config <file>', 'JSON configuration file (for the default port)');
  return cmd.action(async (device: string, pairs: string[], flags: SendFlags) => {
    const token = flags.token ?? process.env.SHEETLOG_TOKEN;
    if (!token) cmd.error('error: --token <token> is required (or set SHEETLOG_TOKEN)');
    const fields = parseFields(pairs, (m) => cmd.error(`error: ${m}`));
    const { host, port } = flags.gateway !== undefined ? parseGateway(flags.gateway, (m) => cmd.error(`error: ${m}`)) : { host: '127.0.0.1', port: configFor(flags).tcp.port };
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(device)) cmd.error(`error: device id must match [A-Za-z0-9_.-]{1,64}: ${JSON.stringify(device)}`);
    const result = await sendReadings(
      { host, port, deviceId: device, token: token as string, boot: flags.boot ?? Math.floor(Date.now() / 1000) % 2 ** 32, fields, count: flags.count, everyMs: flags.every, timeoutMs: flags.timeout * 1000 },
      (line) => out(`${line}\n`),
    );
    if (!result.ok) throw new SendError(`${result.reason} (${result.acked} of ${flags.count} acknowledged)`);
  });
}

/**
 * `name=value` arguments, read with the gateway's own value grammar (gateway/protocol/values.ts).
 * A bare word that is not a number or true/false is taken as text, so `state=ok` needs no quotes.
 */
export function parseFields(pairs: readonly string[], usage: (message: string) => never): [string, FieldValue][] {
  if (pairs.length > MAX_FIELDS) usage(`at most ${MAX_FIELDS} fields per reading`);
  const seen = new Set<string>();
  return pairs.map((pair) => {
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    if (eq < 0 || !isFieldName(name)) usage(`expected field=value with a field name like temp_c, got ${JSON.stringify(pair)}`);
    if (seen.has(name)) usage(`field ${name} given twice`);
    seen.add(name);
    const raw = pair.slice(eq + 1);
    const decoded = decodeValue(raw);
    if ('value' in decoded) return [name, decoded.value];
    if (raw.startsWith('"') || raw === '') usage(`${name}: ${decoded.error}`);
    if (/[\r\n\0]/.test(raw) || Buffer.byteLength(raw, 'utf8') > MAX_STRING_BYTES) usage(`${name}: text must be one line of at most ${MAX_STRING_BYTES} bytes`);
    return [name, raw];
  });
}

export function parseGateway(value: string, usage: (message: string) => never): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value);
  const port = Number(m?.[3]);
  if (!m || port < 1 || port > 65535) usage(`--gateway must be host:port (e.g. 127.0.0.1:8090), got ${JSON.stringify(value)}`);
  return { host: (m[1] ?? m[2]) as string, port };
}

/** `500ms`, `2s`, `1.5m`, or a bare number of seconds, in milliseconds. */
export function parseDuration(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError('a duration like 500ms, 2s or 1m');
  const n = Number(m[1]);
  return Math.round(m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000);
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return n;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a number above 0');
  return n;
}

function u32(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new InvalidArgumentError('must be an integer 0..4294967295');
  return n;
}
