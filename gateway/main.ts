import { mkdirSync } from 'node:fs';
import { App, type Listening } from './app.js';
import type { Config } from './config/schema.js';
import { createLogger, type Logger } from './log.js';
import { formatDeviceTable } from './report.js';
import { banner, type Invocation } from './startup/banner.js';
import { DataDirLock } from './startup/data-dir-lock.js';
import { describeListenError } from './startup/ports.js';
import { portsOf, preflight } from './startup/preflight.js';
import type { EarlySyncThread } from './sync/thread/spawn.js';

/**
 * Runs the gateway until SIGINT/SIGTERM. The only module that touches process signals and exit
 * codes; everything else is wired in app.ts.
 *
 * Nothing is created before the checks pass (gateway/startup/preflight.ts): the data directory,
 * its lock, the store and the admin token come after them. The lock is held for the life of the
 * process; the kernel releases it if the process dies. `syncThread`: a sync thread the caller
 * started early (it opens nothing until the app hands it its init); ended if the start fails.
 */
export async function runGateway(config: Config, invocation: Invocation = {}, syncThread?: EarlySyncThread): Promise<void> {
  const log = createLogger(config.log.level);
  let lock: DataDirLock;
  try {
    await preflight(config);
    mkdirSync(config.dataDir, { recursive: true });
    lock = DataDirLock.acquire(config.dataDir, process.pid);
  } catch (e) {
    syncThread?.dispose();
    throw e;
  }
  const { app, listening } = await startApp(config, log, lock, syncThread);
  // The handlers are in place before the gateway says it listens: whoever reads "listening" and
  // sends SIGTERM at once gets a clean stop, not the default action.
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
        lock.release();
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

  const { tcp, http, mqtt, udp, tls } = listening;
  log.info(
    {
      tcpHost: tcp.host, tcpPort: tcp.port, httpHost: http?.host, httpPort: http?.port,
      tlsPort: tls?.port, tlsFingerprint256: tls?.fingerprint256,
      mqttUrl: mqtt?.url, mqttClientId: mqtt?.clientId, mqttBrokerPort: mqtt?.broker?.port, mqttBrokerTlsPort: mqtt?.broker?.tls?.port, udpPort: udp?.port,
      dataDir: config.dataDir, auth: config.auth.mode,
    },
    'listening',
  );
  process.stderr.write(banner(config, listening, invocation));
}

/**
 * Builds and starts the app. A failure here (a port taken since the check, a store that cannot be
 * opened) releases the lock and is rethrown as the CLI reports it; its stack goes to the debug log.
 */
async function startApp(config: Config, log: Logger, lock: DataDirLock, syncThread: EarlySyncThread | undefined): Promise<{ app: App; listening: Listening }> {
  try {
    const app = new App(config, syncThread ? { log, syncThread } : { log });
    return { app, listening: await app.start() };
  } catch (e) {
    log.debug({ err: e instanceof Error ? e.stack : String(e) }, 'start failed');
    syncThread?.dispose();
    lock.release();
    const port = (e as { port?: number }).port;
    const taken = portsOf(config).find((p) => p.port === port);
    throw taken ? describeListenError(taken, e) : e;
  }
}
