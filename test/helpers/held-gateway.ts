/**
 * A gateway process whose MQTT ingest holds readings or PUBACKs, for the crash tests: the holds are
 * injected into the App (they are not configuration). Started through startGatewayProcess with
 * `{ entry: HELD_GATEWAY }` and the usual `start --config <file> --http-port 0` arguments; the test
 * ends it with SIGKILL inside the hold, or SIGTERM.
 *
 *   node --import tsx test/helpers/held-gateway.ts readings|pubacks start --config <file> [--http-port 0]
 */
import { App } from '../../gateway/app.js';
import { loadConfig } from '../../gateway/config/load.js';
import { createLogger } from '../../gateway/log.js';

const HOLD_MS = 3_600_000;

const [what, , ...rest] = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = rest.indexOf(name);
  return i >= 0 ? rest[i + 1] : undefined;
};
if (what !== 'readings' && what !== 'pubacks') throw new Error(`held-gateway: hold readings or pubacks, not ${String(what)}`);
const httpPort = flag('--http-port');
const config = loadConfig({ file: flag('--config'), flags: httpPort === undefined ? {} : { http: { port: httpPort === 'off' ? 'off' : Number(httpPort) } } });
const log = createLogger(config.log.level);
const app = new App(config, { log, mqttTestHolds: what === 'readings' ? { readingsMs: HOLD_MS } : { pubacksMs: HOLD_MS } });
const { tcp } = await app.start();
log.info({ tcpPort: tcp.port, holding: what }, 'listening');
process.stderr.write(`held gateway: boards connect over TCP to port ${tcp.port}\n`);
process.on('SIGTERM', () => {
  void app.stop().then(() => process.exit(0));
});
