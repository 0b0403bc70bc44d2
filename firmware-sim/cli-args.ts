import { parseArgs } from 'node:util';
import { isProfileName, type ProfileName } from './profiles.js';
import { normalizeFingerprint, parseHostPort } from './transport-tcp.js';

/**
 * `npm run fleet -- ...` flags, parsed strictly (an unknown flag is an error) and validated in one
 * place. Pure: no I/O, errors are thrown as UsageError with a message for the user.
 */
export class UsageError extends Error {}

export interface CliConfig {
  devices: number | null;
  rate: number | null;
  durationMs: number | null;
  transport: 'tcp' | 'mqtt';
  /** The gateway's TCP port, or with MQTT the broker it reads. */
  gateway: { host: string; port: number };
  /** TLS to the gateway's tcp.tls listener: a pinned fingerprint or a CA file (read by the CLI). */
  tls: { fingerprint256: string } | { caFile: string } | null;
  /** QoS of the boards' MQTT publishes. */
  mqttQos: 0 | 1;
  tokenFile: string | null;
  profile: ProfileName | 'mixed';
  dropLinks: number;
  garbage: number;
  /** --counter-backwards, --out-of-range: field faults per reading. */
  counterBackwards: number;
  outOfRange: number;
  slow: boolean;
  clockSkewMs: number;
  storm: boolean;
  killAfter: number | null;
  seed: number | null;
  drainTimeoutMs: number;
  checkDb: string | null;
  audit: boolean;
  help: boolean;
}

export const USAGE = `usage: npm run fleet -- [options]

  --devices N          simulated boards (default 10; with --token-file: all listed)
  --rate R             readings per second per board (default: the profile's sample period)
  --duration S         seconds of sampling, then drain and summary (default 60; 0 = until Ctrl-C)
  --transport tcp|mqtt (default tcp)
  --gateway HOST:PORT  the gateway (default 127.0.0.1:8090); with mqtt the broker it reads (default port 1883)
  --tls                connect with TLS (the gateway's tcp.tls listener; default port 8490); needs one of:
  --fingerprint SHA256   the gateway certificate's SHA-256 fingerprint (sheetlog tls fingerprint)
  --ca FILE              a PEM CA or the gateway's certificate itself
  --mqtt-qos 0|1       QoS of the boards' MQTT publishes (default 0, like PubSubClient)
  --token-file F       JSON { "<device-id>": "<token>" }; default: generated ids, tokens derived from ids
  --profile P          esp8266 | feather-m0 | meter | mixed (default mixed)
  --drop-links P       probability per second per board that its Wi-Fi link drops (0 <= P < 1)
  --garbage P          probability per reading of also sending a malformed line (0..1)
  --counter-backwards P  probability per reading of sending energy_wh below the last one (0..1)
  --out-of-range P     probability per reading of sending temp_c -127 (meter: power_w -5) (0..1)
  --slow               write byte by byte (10 ms apart)
  --clock-skew MS      board clocks off by up to +-MS (epoch timestamps)
  --storm              every link drops at once, periodically (every duration/3, 1-30 s)
  --kill-after N       SIGKILL the fleet process after N readings were sent (crash tests)
  --seed S             seed for sensors, drift, jitter and faults (boot ids stay random)
  --drain-timeout S    seconds allowed to drain buffers at the end (default 30)
  --check-db FILE      check the gateway's SQLite file read-only: every acknowledged reading stored once
  --skip-audit         do not re-check each board's acked-seq with a final HELLO
  --help
exit code: 0 all acknowledged readings accounted for, 1 something lost or wrong, 2 usage error`;

function number(name: string, text: string | undefined, check: (n: number) => boolean, what: string): number | null {
  if (text === undefined) return null;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || !check(n)) throw new UsageError(`--${name} must be ${what}, got ${JSON.stringify(text)}`);
  return n;
}

export function parseCli(argv: readonly string[]): CliConfig {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        devices: { type: 'string' },
        rate: { type: 'string' },
        duration: { type: 'string' },
        transport: { type: 'string' },
        gateway: { type: 'string' },
        'mqtt-qos': { type: 'string' },
        tls: { type: 'boolean' },
        fingerprint: { type: 'string' },
        ca: { type: 'string' },
        'token-file': { type: 'string' },
        profile: { type: 'string' },
        'drop-links': { type: 'string' },
        garbage: { type: 'string' },
        'counter-backwards': { type: 'string' },
        'out-of-range': { type: 'string' },
        slow: { type: 'boolean' },
        'clock-skew': { type: 'string' },
        storm: { type: 'boolean' },
        'kill-after': { type: 'string' },
        seed: { type: 'string' },
        'drain-timeout': { type: 'string' },
        'check-db': { type: 'string' },
        'skip-audit': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const str = (name: string) => values[name] as string | undefined;
  const positiveInt = (n: number) => Number.isInteger(n) && n > 0;
  const transport = str('transport') ?? 'tcp';
  if (transport !== 'tcp' && transport !== 'mqtt') throw new UsageError(`--transport must be tcp or mqtt, got ${transport}`);
  const profile = str('profile') ?? 'mixed';
  if (profile !== 'mixed' && !isProfileName(profile)) throw new UsageError(`--profile must be esp8266, feather-m0, meter or mixed, got ${profile}`);
  let gateway: { host: string; port: number };
  try {
    gateway = parseHostPort(str('gateway') ?? '127.0.0.1', transport === 'mqtt' ? 1883 : values.tls === true ? 8490 : 8090);
  } catch (error) {
    throw new UsageError(`--gateway: ${(error as Error).message}`);
  }
  const qos = str('mqtt-qos') ?? '0';
  if (qos !== '0' && qos !== '1') throw new UsageError(`--mqtt-qos must be 0 or 1, got ${qos}`);
  if (str('mqtt-qos') !== undefined && transport !== 'mqtt') throw new UsageError('--mqtt-qos needs --transport mqtt');
  const tls = tlsOption(values.tls === true, str('fingerprint'), str('ca'), transport);
  const duration = number('duration', str('duration'), (n) => n >= 0, 'a number of seconds >= 0') ?? 60;
  return {
    devices: number('devices', str('devices'), (n) => positiveInt(n) && n <= 100_000, 'an integer 1-100000'),
    rate: number('rate', str('rate'), (n) => n > 0 && n <= 1000, 'readings per second per board, 0 < R <= 1000'),
    durationMs: duration === 0 ? null : duration * 1000,
    transport,
    gateway,
    tls,
    mqttQos: qos === '1' ? 1 : 0,
    tokenFile: str('token-file') ?? null,
    profile,
    dropLinks: number('drop-links', str('drop-links'), (n) => n >= 0 && n < 1, 'a probability 0 <= P < 1') ?? 0,
    garbage: number('garbage', str('garbage'), (n) => n >= 0 && n <= 1, 'a probability 0..1') ?? 0,
    counterBackwards: number('counter-backwards', str('counter-backwards'), (n) => n >= 0 && n <= 1, 'a probability 0..1') ?? 0,
    outOfRange: number('out-of-range', str('out-of-range'), (n) => n >= 0 && n <= 1, 'a probability 0..1') ?? 0,
    slow: values.slow === true,
    clockSkewMs: number('clock-skew', str('clock-skew'), (n) => Number.isInteger(n) && n >= 0, 'milliseconds >= 0') ?? 0,
    storm: values.storm === true,
    killAfter: number('kill-after', str('kill-after'), positiveInt, 'a positive integer'),
    seed: number('seed', str('seed'), (n) => Number.isInteger(n) && n >= 0 && n < 2 ** 32, 'an integer 0..2^32-1'),
    drainTimeoutMs: (number('drain-timeout', str('drain-timeout'), (n) => n > 0, 'seconds > 0') ?? 30) * 1000,
    checkDb: str('check-db') ?? null,
    audit: values['skip-audit'] !== true,
    help: values.help === true,
  };
}

function tlsOption(on: boolean, fingerprint: string | undefined, caFile: string | undefined, transport: string): CliConfig['tls'] {
  if (!on) {
    if (fingerprint !== undefined || caFile !== undefined) throw new UsageError('--fingerprint and --ca need --tls');
    return null;
  }
  if (transport !== 'tcp') throw new UsageError('--tls is for --transport tcp');
  if ((fingerprint === undefined) === (caFile === undefined)) throw new UsageError('--tls needs one of --fingerprint SHA256 or --ca FILE (a board that trusts any certificate is not protected)');
  if (caFile !== undefined) return { caFile };
  try {
    return { fingerprint256: normalizeFingerprint(fingerprint as string) };
  } catch (error) {
    throw new UsageError(`--fingerprint: ${(error as Error).message}`);
  }
}

/** A storm every third of the run, between 1 and 30 seconds (30 s for open-ended runs). */
export function stormPeriodMs(durationMs: number | null): number {
  return durationMs === null ? 30_000 : Math.min(30_000, Math.max(1_000, durationMs / 3));
}
