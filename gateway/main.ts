import { App } from './app.js';
import type { Config } from './config/schema.js';
import { createLogger } from './log.js';
import { formatDeviceTable } from './report.js';

/**
 * Runs the gateway until SIGINT/SIGTERM. The only module that touches process signals and exit
 * codes; everything else is wired in app.ts.
 */
export async function runGateway(config: Config): Promise<void> {
  const log = createLogger(config.log.level);
  const app = new App(config, { log });
  const { tcp, http, mqtt, udp, tls } = await app.start();
  log.info(
    {
      tcpHost: tcp.host, tcpPort: tcp.port, httpHost: http?.host, httpPort: http?.port,
      tlsPort: tls?.port, tlsFingerprint256: tls?.fingerprint256,
      mqttUrl: mqtt?.url, mqttClientId: mqtt?.clientId, mqttBrokerPort: mqtt?.broker?.port, mqttBrokerTlsPort: mqtt?.broker?.tls?.port, udpPort: udp?.port,
      dataDir: config.dataDir, auth: config.auth.mode,
    },
    'listening',
  );
  process.stderr.write(banner(tcp.port, config, http));
  if (mqtt) process.stderr.write(`  mqtt:     ${mqtt.broker ? `embedded broker on port ${mqtt.broker.port}` : `subscribed to ${mqtt.url}`} (topics ${config.mqtt.topicPrefix}/<device>/...)\n`);
  if (mqtt?.broker?.tls) process.stderr.write(`  mqtts:    embedded broker over TLS on port ${mqtt.broker.tls.port}; certificate ${mqtt.broker.tls.certFile}, SHA-256 ${mqtt.broker.tls.fingerprint256}\n`);
  if (udp) process.stderr.write(`  udp:      port ${udp.port}\n`);
  if (tls) process.stderr.write(`  tls:      boards over TLS on port ${tls.port}; certificate ${tls.certFile}, SHA-256 ${tls.fingerprint256}\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down: acknowledging what was received, then closing');
    app
      .stop()
      .then((devices) => {
        process.stderr.write(`\nper-device statistics\n${formatDeviceTable(devices, Date.now())}`);
        log.info('stopped cleanly');
        process.exit(0);
      })
      .catch((e: unknown) => {
        log.fatal({ err: String(e) }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

function banner(port: number, config: Config, http?: { host: string; port: number }): string {
  return [
    '',
    `sheetlog gateway: boards connect over TCP to port ${port} (data in ${config.dataDir}, auth ${config.auth.mode})`,
    http
      ? `  dashboard: ${dashboardUrl(http)}   (API: ${dashboardUrl(http)}api/v1, admin token in ${config.dataDir}/${config.http.adminTokenFile})`
      : '  dashboard: off (--http-port off)',
    `  try it:   printf 'HELLO demo-1 secret boot=1 up=0\\nR 1 - temp_c=21.5\\nBYE\\n' | nc 127.0.0.1 ${port}`,
    `  simulate: npm run fleet -- --devices 20 --rate 1 --gateway 127.0.0.1:${port}`,
    '  devices:  npx sheetlog devices list',
    '  stop:     Ctrl-C (readings received are acknowledged before exit)',
    '',
  ].join('\n');
}

function dashboardUrl(http: { host: string; port: number }): string {
  const host = http.host === '0.0.0.0' || http.host === '::' ? 'localhost' : http.host.includes(':') ? `[${http.host}]` : http.host;
  return `http://${host}:${http.port}/`;
}
