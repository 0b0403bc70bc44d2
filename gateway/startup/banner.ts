import { join } from 'node:path';
import type { Listening } from '../app.js';
import type { Config } from '../config/schema.js';
import { chooseSinks } from '../sinks/create.js';

/** How the gateway was started, so the banner's hints repeat the flags that matter. */
export interface Invocation {
  /** `--config` as given, if any. */
  configFile?: string | undefined;
}

/**
 * The human-readable banner on stderr: each listener, each sink and where it writes, the auth
 * mode, and commands to try with the same data directory and config file. Pure.
 */
export function banner(config: Config, listening: Listening, invocation: Invocation = {}): string {
  const { tcp, http, mqtt, udp, tls } = listening;
  const cli = `npx sheetlog`;
  const where = [`--data ${shellWord(config.dataDir)}`, ...(invocation.configFile ? [`--config ${shellWord(invocation.configFile)}`] : [])].join(' ');
  const lines = [
    '',
    `sheetlog gateway: boards connect over TCP to port ${tcp.port} (data in ${config.dataDir}, auth ${config.auth.mode}${authHint(config.auth.mode)})`,
    `  tcp:       ${tcp.host}:${tcp.port}`,
    ...(tls ? [`  tls:       ${tls.host}:${tls.port} (certificate ${tls.certFile}, SHA-256 ${tls.fingerprint256}; \`${cli} tls fingerprint ${where}\`)`] : []),
    http
      ? `  dashboard: ${dashboardUrl(http)}   (API: ${dashboardUrl(http)}api/v1, admin token in ${join(config.dataDir, config.http.adminTokenFile)})`
      : '  dashboard: off (--http-port off)',
  ];
  if (mqtt) lines.push(`  mqtt:      ${mqtt.broker ? `embedded broker on port ${mqtt.broker.port}` : `subscribed to ${mqtt.url}`} (topics ${config.mqtt.topicPrefix}/<device>/...)`);
  if (mqtt?.broker?.tls) lines.push(`  mqtts:     embedded broker over TLS on port ${mqtt.broker.tls.port} (certificate ${mqtt.broker.tls.certFile}, SHA-256 ${mqtt.broker.tls.fingerprint256})`);
  if (udp) lines.push(`  udp:       ${udp.host}:${udp.port}`);
  for (const sink of sinkLines(config)) lines.push(`  sink:      ${sink}`);
  lines.push(
    `  try it:    ${cli} send demo-1 --token secret --gateway 127.0.0.1:${tcp.port} temp_c=21.5`,
    `  simulate:  npm run fleet -- --devices 20 --rate 1 --gateway 127.0.0.1:${tcp.port}`,
    `  devices:   ${cli} devices list ${where}`,
    '  stop:      Ctrl-C (readings received are acknowledged before exit)',
    '',
  );
  return lines.join('\n');
}

/** Each configured sink and its destination. */
export function sinkLines(config: Config): string[] {
  return chooseSinks(config).map((name) => {
    if (name === 'csv') {
      const dir = join(config.dataDir, config.csv.dir);
      return config.csv.layout === 'long' ? `csv → ${join(dir, `${config.csv.table}.csv`)}` : `csv → ${dir}/<device>.csv (a file per device)`;
    }
    const s = config.sheets;
    const tab = s.layout === 'long' ? `tab "${s.tab}"` : 'a tab per device';
    return `google-sheets → spreadsheet ${s.spreadsheetId}, ${tab}: https://docs.google.com/spreadsheets/d/${s.spreadsheetId}/edit`;
  });
}

function authHint(mode: Config['auth']['mode']): string {
  if (mode === 'tofu') return ': a new device is registered with the first token it presents';
  if (mode === 'required') return ': only devices added with `sheetlog devices add`';
  return ': tokens are ignored';
}

function dashboardUrl(http: { host: string; port: number }): string {
  const host = http.host === '0.0.0.0' || http.host === '::' ? 'localhost' : http.host.includes(':') ? `[${http.host}]` : http.host;
  return `http://${host}:${http.port}/`;
}

/** Quotes a path for a shell command line when it needs it. */
function shellWord(s: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
