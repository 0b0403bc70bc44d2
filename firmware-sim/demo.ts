import { createWriteStream, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startGateway, type RunningGateway } from './gateway-process.js';
import type { Fleet } from './fleet.js';
import { Progress } from './progress.js';
import { runFleet } from './run.js';
import { systemScheduler } from './scheduler.js';
import { formatSummary } from './summary.js';
import type { Transport } from './link.js';
import { MqttTransport } from './transport-mqtt.js';
import { TcpTransport } from './transport-tcp.js';

/**
 * `npm run demo`: the gateway and a small fleet in one command.
 *
 *   gateway (child process, own process group) <── TCP ── fleet (this process)
 *                  └ embedded MQTT broker <── MQTT (--transport mqtt) ┘
 *
 * Ctrl-C reaches only this process: the fleet drains its buffers and says BYE first, then the
 * gateway gets SIGTERM and acknowledges and stores what it received before it exits.
 */
const USAGE = `usage: npm run demo -- [--devices N] [--rate R] [--transport tcp|mqtt] [--port P] [--mqtt-port P]
                   [--http-port P|off] [--data DIR]

  --devices N       simulated boards (default 8)
  --rate R          readings per second per board (default 0.5)
  --transport T     how the boards talk to the gateway: tcp (default) or mqtt (through the
                    gateway's embedded MQTT broker, QoS 0 like PubSubClient boards)
  --port P          the gateway's TCP port for boards (default 8090; 0 = any free port)
  --mqtt-port P     with --transport mqtt: the embedded broker's port (default 1883; 0 = any free port)
  --http-port P     the dashboard's HTTP port (default 8080; 0 = any free port; off = no dashboard)
  --data DIR        the gateway's data directory (default data/demo); its JSON log goes to DIR/gateway.log
Ctrl-C stops: the fleet drains, then the gateway shuts down cleanly.`;

interface DemoConfig {
  devices: number;
  rate: number;
  transport: 'tcp' | 'mqtt';
  port: string;
  mqttPort: string;
  httpPort: string;
  dataDir: string;
}

function parse(argv: string[]): DemoConfig | string {
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        devices: { type: 'string', default: '8' },
        rate: { type: 'string', default: '0.5' },
        transport: { type: 'string', default: 'tcp' },
        port: { type: 'string', default: '8090' },
        'mqtt-port': { type: 'string', default: '1883' },
        'http-port': { type: 'string', default: '8080' },
        data: { type: 'string', default: join('data', 'demo') },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) return USAGE;
    const devices = Number(values.devices);
    const rate = Number(values.rate);
    if (!Number.isInteger(devices) || devices < 1 || devices > 10_000) return `--devices must be an integer 1-10000\n${USAGE}`;
    if (!(rate > 0 && rate <= 1000)) return `--rate must be in (0, 1000]\n${USAGE}`;
    if (!/^\d{1,5}$/.test(values.port)) return `--port must be a port number\n${USAGE}`;
    if (!/^\d{1,5}$/.test(values['mqtt-port'])) return `--mqtt-port must be a port number\n${USAGE}`;
    if (values.transport !== 'tcp' && values.transport !== 'mqtt') return `--transport must be tcp or mqtt\n${USAGE}`;
    return {
      devices,
      rate,
      transport: values.transport,
      port: values.port,
      mqttPort: values['mqtt-port'],
      httpPort: values['http-port'],
      dataDir: resolve(values.data),
    };
  } catch (error) {
    return `${(error as Error).message}\n${USAGE}`;
  }
}

async function main(argv: string[]): Promise<number> {
  const config = parse(argv);
  if (typeof config === 'string') {
    const help = config === USAGE;
    (help ? process.stdout : process.stderr).write(`${config}\n`);
    return help ? 0 : 2;
  }
  mkdirSync(config.dataDir, { recursive: true });
  const logPath = join(config.dataDir, 'gateway.log');
  const log = createWriteStream(logPath, { flags: 'a' });
  const out = (text: string) => process.stdout.write(text);
  out(`demo: starting the gateway (data in ${config.dataDir})\n`);

  const abort = new AbortController();
  let fleet: Fleet | null = null;
  let gatewayGone = false;
  let interrupts = 0;
  process.on('SIGINT', () => {
    interrupts += 1;
    if (interrupts === 1) {
      out('\ndemo: stopping: the fleet drains its buffers, then the gateway shuts down (Ctrl-C again to stop at once)\n');
      abort.abort();
      return;
    }
    fleet?.stop();
    void gateway?.stop('SIGTERM', 5_000).then(() => process.exit(130));
  });

  let gateway: RunningGateway | null = null;
  try {
    gateway = await startGateway({
      dataDir: config.dataDir,
      port: Number(config.port),
      args: ['--http-port', config.httpPort],
      ...(config.transport === 'mqtt' ? { env: { SHEETLOG_MQTT__EMBEDDED: 'true', SHEETLOG_MQTT__EMBEDDED_PORT: config.mqttPort } } : {}),
      detached: true,
      onLog: (record) => log.write(`${JSON.stringify(record)}\n`),
      onStderr: (text) => process.stderr.write(text),
    });
  } catch (error) {
    out(`demo: ${(error as Error).message}\n`);
    out('demo: is another gateway running? Try --port 0 --http-port 0\n');
    return 1;
  }
  const running = gateway;
  void running.exited.then(({ code, signal }) => {
    if (abort.signal.aborted) return;
    gatewayGone = true;
    out(`\ndemo: the gateway exited unexpectedly (${code ?? signal}); stopping the fleet\n`);
    fleet?.stop();
    abort.abort();
  });

  out(`demo: gateway (pid ${running.child.pid}) listening: boards connect to TCP port ${running.tcpPort}; its log: ${logPath}\n`);
  if (config.transport === 'mqtt' && running.mqttPort !== null) out(`demo: its embedded MQTT broker listens on port ${running.mqttPort}; the boards publish there\n`);
  const dashboard = running.dashboardUrl;
  out(dashboard ? `demo: dashboard: ${dashboard}\n` : 'demo: (the gateway reports no dashboard)\n');
  out(`demo: ${config.devices} simulated boards, ${config.rate} readings/s each. Ctrl-C to stop.\n`);

  if (config.transport === 'mqtt' && running.mqttPort === null) {
    out('demo: the gateway reports no embedded MQTT broker; stopping\n');
    await running.stop('SIGTERM');
    return 1;
  }
  const transport: Transport =
    config.transport === 'mqtt'
      ? new MqttTransport({ host: '127.0.0.1', port: running.mqttPort as number, scheduler: systemScheduler })
      : new TcpTransport({ host: '127.0.0.1', port: running.tcpPort, scheduler: systemScheduler });
  let progress: Progress | null = null;
  const report = await runFleet({
    transport,
    devices: config.devices,
    ratePerDevice: config.rate,
    idPrefix: 'demo',
    durationMs: null,
    drainTimeoutMs: 10_000,
    signal: abort.signal,
    onStart: (started) => {
      fleet = started;
      progress = new Progress({
        snapshot: () => started.snapshot(),
        write: out,
        isTTY: process.stdout.isTTY === true,
        scheduler: systemScheduler,
      });
      progress.start();
      announceFirstAck(started, out);
    },
  });
  (progress as Progress | null)?.stop();
  out(formatSummary(report, 'demo fleet summary'));
  out('demo: stopping the gateway\n');
  const exit = await running.stop('SIGTERM');
  await new Promise<void>((done) => log.end(done));
  const clean = exit.code === 0 && !gatewayGone;
  out(clean ? 'demo: stopped cleanly\n' : `demo: the gateway exited with ${exit.code ?? exit.signal}\n`);
  return clean && report.ok ? 0 : 1;
}

/** Tells the user once that rows are arriving (checks the fleet's counters every 100 ms until then). */
function announceFirstAck(fleet: Fleet, out: (text: string) => void): void {
  const check = () => {
    if (fleet.snapshot().totals.acked > 0) out('demo: first readings acknowledged: rows are arriving\n');
    else if (fleet.devices.some((d) => d.state !== 'stopped' && d.state !== 'failed')) systemScheduler.after(100, check);
  };
  systemScheduler.after(100, check);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`demo: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
