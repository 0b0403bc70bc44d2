import { readFileSync, writeSync } from 'node:fs';
import { parseCli, stormPeriodMs, USAGE, UsageError, type CliConfig } from './cli-args.js';
import { readTokenFile } from './credentials.js';
import { Progress } from './progress.js';
import { runFleet, type RunOptions } from './run.js';
import { systemScheduler } from './scheduler.js';
import { formatSummary } from './summary.js';
import type { Transport } from './link.js';
import { MqttTransport } from './transport-mqtt.js';
import { TcpTransport, type BoardTls } from './transport-tcp.js';

function readCaFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`--ca ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/**
 * `npm run fleet`: the only simulator module that touches process (argv, signals, exit code,
 * stdout). Ctrl-C once ends sampling and drains; twice stops at once.
 */
const SLOW_BYTE_INTERVAL_MS = 10;

async function main(argv: string[]): Promise<number> {
  let config: CliConfig;
  try {
    config = parseCli(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`fleet: ${error.message}\n${USAGE}\n`);
    return 2;
  }
  if (config.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let credentials: ReturnType<typeof readTokenFile> | undefined;
  let tls: BoardTls | undefined;
  try {
    credentials = config.tokenFile ? readTokenFile(config.tokenFile) : undefined;
    if (config.tls) tls = 'caFile' in config.tls ? { ca: readCaFile(config.tls.caFile) } : config.tls;
  } catch (error) {
    process.stderr.write(`fleet: ${(error as Error).message}\n`);
    return 2;
  }
  const scheduler = systemScheduler;
  const transport = (): Transport =>
    config.transport === 'mqtt'
      ? new MqttTransport({ ...config.gateway, scheduler, qos: config.mqttQos })
      : new TcpTransport({ ...config.gateway, scheduler, ...(tls ? { tls } : {}) });
  const abort = new AbortController();
  let interrupts = 0;
  let stopNow: (() => void) | null = null;
  process.on('SIGINT', () => {
    interrupts += 1;
    if (interrupts === 1) {
      process.stderr.write('\nfleet: stopping: draining buffers (Ctrl-C again to stop at once)\n');
      abort.abort();
    } else {
      stopNow?.();
      process.exit(130);
    }
  });
  let progress: Progress | null = null;
  const options: RunOptions = {
    transport: transport(),
    scheduler,
    ...(config.devices !== null ? { devices: config.devices } : credentials ? {} : { devices: 10 }),
    ...(credentials ? { credentials } : {}),
    profile: config.profile,
    ...(config.rate !== null ? { ratePerDevice: config.rate } : {}),
    ...(config.seed !== null ? { seed: config.seed } : {}),
    clockSkewMs: config.clockSkewMs,
    garbageProbability: config.garbage,
    counterBackwardsProbability: config.counterBackwards,
    outOfRangeProbability: config.outOfRange,
    dropLinksPerSecond: config.dropLinks,
    stormEveryMs: config.storm ? stormPeriodMs(config.durationMs) : null,
    slowByteIntervalMs: config.slow ? SLOW_BYTE_INTERVAL_MS : null,
    durationMs: config.durationMs,
    drainTimeoutMs: config.drainTimeoutMs,
    signal: abort.signal,
    ...(config.audit ? { auditTransport: transport() } : {}),
    ...(config.checkDb ? { storePath: config.checkDb } : {}),
    ...(config.killAfter !== null ? { onReadingSent: killAfter(config.killAfter) } : {}),
    onStart: (fleet) => {
      stopNow = () => fleet.stop();
      progress = new Progress({
        snapshot: () => fleet.snapshot(),
        write: (text) => process.stdout.write(text),
        isTTY: process.stdout.isTTY === true,
        scheduler,
      });
      progress.start();
    },
  };
  process.stdout.write(
    `fleet: ${options.devices ?? credentials?.length} boards -> ${config.gateway.host}:${config.gateway.port}` +
      `${config.transport === 'mqtt' ? ` (MQTT broker, QoS ${config.mqttQos})` : ''}` +
      `${config.seed !== null ? `, seed ${config.seed}` : ''}\n`,
  );
  let report;
  try {
    report = await runFleet(options);
  } catch (error) {
    (progress as Progress | null)?.stop();
    process.stderr.write(`fleet: ${(error as Error).message}\n`);
    return 2;
  }
  (progress as Progress | null)?.stop();
  process.stdout.write(formatSummary(report, 'fleet summary'));
  return report.ok ? 0 : 1;
}

/** `--kill-after N`: die like a crash (SIGKILL, no flushing, no BYE) once N readings went out. */
function killAfter(limit: number): (total: number) => void {
  return (total) => {
    if (total < limit) return;
    writeSync(2, `\nfleet: --kill-after ${limit}: killing the fleet process now\n`);
    process.kill(process.pid, 'SIGKILL');
  };
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`fleet: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
