import { existsSync } from 'node:fs';
import { ConfigError } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { chooseSinks } from '../sinks/create.js';
import { checkDataDir } from './data-dir.js';
import { DataDirLock } from './data-dir-lock.js';
import { checkPorts, type PortToCheck } from './ports.js';

/**
 * Everything `sheetlog start` checks before it creates or generates anything (data directory, lock
 * file, store, admin token, MQTT client id): the data directory can be used, no other gateway holds
 * it, and every port is free. Each failure is a StartupError with its exit code.
 */
export async function preflight(config: Config): Promise<void> {
  checkSinks(config);
  checkDataDir(config.dataDir, config.store.file);
  if (existsSync(config.dataDir)) DataDirLock.checkFree(config.dataDir);
  await checkPorts(portsOf(config));
}

/** The ports the configuration makes the gateway listen on. */
export function portsOf(config: Config): PortToCheck[] {
  const ports: PortToCheck[] = [{ what: 'TCP port for boards', protocol: 'tcp', host: config.tcp.host, port: config.tcp.port, setting: '--port <n> (tcp.port)' }];
  if (config.http.port !== 'off') {
    ports.push({ what: 'HTTP port of the dashboard', protocol: 'tcp', host: config.http.host, port: Number(config.http.port), setting: '--http-port <n> (http.port), or --http-port off' });
  }
  if (config.tcp.tls.enabled) {
    ports.push({ what: 'TLS port for boards', protocol: 'tcp', host: config.tcp.tls.host ?? config.tcp.host, port: config.tcp.tls.port, setting: 'tcp.tls.port' });
  }
  if (config.mqtt.embedded) {
    ports.push({ what: 'port of the embedded MQTT broker', protocol: 'tcp', host: config.mqtt.embeddedHost, port: config.mqtt.embeddedPort, setting: 'mqtt.embeddedPort' });
  }
  if (config.mqtt.embedded && config.mqtt.embeddedTls.enabled) {
    const t = config.mqtt.embeddedTls;
    ports.push({ what: 'MQTT over TLS port of the embedded broker', protocol: 'tcp', host: t.host ?? config.mqtt.embeddedHost, port: t.port, setting: 'mqtt.embeddedTls.port' });
  }
  if (config.udp.enabled) ports.push({ what: 'UDP port for boards', protocol: 'udp', host: config.udp.host, port: config.udp.port, setting: 'udp.port' });
  return ports;
}

/**
 * The one sink rule the schema cannot state per section: a listed google-sheets sink needs a
 * spreadsheet. The sync side checks it again when it builds the sinks; here it is checked before
 * the store exists, so the refused start leaves nothing behind.
 */
function checkSinks(config: Config): void {
  if (chooseSinks(config).includes('google-sheets') && config.sheets.spreadsheetId === '') {
    throw new ConfigError(['sinks.enabled: the google-sheets sink needs sheets.spreadsheetId (and sheets.credentials)']);
  }
}
