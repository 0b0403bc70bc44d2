import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { tempDir } from './app.js';

/**
 * Real brokers for MQTT tests: Mosquitto started per test on a free port with a generated config,
 * and a small board built on MQTT.js that collects what the gateway publishes to it.
 */

/** Why Mosquitto tests cannot run here, or null when they can. In CI a missing binary is a failure. */
export function mosquittoMissing(): string | null {
  const found = ['mosquitto', 'mosquitto_pub'].filter((bin) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0);
  if (found.length === 2) return null;
  const reason = 'mosquitto / mosquitto_pub not installed (apt-get install mosquitto mosquitto-clients)';
  if (process.env.CI === 'true') throw new Error(`CI=true but ${reason}`);
  process.stderr.write(`\n*** SKIPPING Mosquitto tests: ${reason} ***\n\n`);
  return reason;
}

export interface Mosquitto {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Starts `mosquitto -c <generated config>` on a free loopback port; resolves once it runs. */
export async function startMosquitto(extraConfig: string[] = []): Promise<Mosquitto> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const dir = tempDir('sheetlog-mosquitto-');
    const conf = join(dir, 'mosquitto.conf');
    writeFileSync(
      conf,
      [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'log_dest stderr', 'max_queued_messages 100000', ...extraConfig, ''].join('\n'),
    );
    const child = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    const started = await runningOrExit(child);
    if (started === true) {
      const kill = () => child.kill('SIGKILL');
      process.once('exit', kill);
      return {
        url: `mqtt://127.0.0.1:${port}`,
        port,
        async stop() {
          process.removeListener('exit', kill);
          if (child.exitCode === null && child.signalCode === null) {
            child.kill('SIGTERM');
            await once(child, 'exit');
          }
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    rmSync(dir, { recursive: true, force: true });
    // Another process took the port between our probe and mosquitto's bind: try another one.
    if (attempt >= 3 || !/Address already in use/.test(started)) throw new Error(`mosquitto did not start: ${started}`);
  }
}

function runningOrExit(child: ChildProcess): Promise<true | string> {
  let output = '';
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(`no "running" line within 10 s: ${output}`);
    }, 10000);
    const onData = (d: Buffer) => {
      output += d.toString();
      if (/mosquitto version \S+ running/.test(output)) {
        clearTimeout(timer);
        resolve(true);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(output);
    });
  });
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Runs `mosquitto_pub` (a client nobody here wrote) and resolves when it has exited 0. */
export async function mosquittoPub(port: number, args: string[], stdin?: string): Promise<void> {
  const child = spawn('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(port), ...args], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // With -m it does not read stdin and may exit first: EPIPE then says nothing; the exit code does.
  child.stdin.on('error', () => {});
  child.stdin.end(stdin ?? '');
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`mosquitto_pub ${args.join(' ')} exited ${code}: ${stderr}`);
}

/**
 * A board on MQTT.js: subscribes to its ack and time-reply topics and queues what arrives, so a
 * test can wait for a reply like it waits for a TCP line (no sleeps: each wait has a deadline).
 */
export class TestBoard {
  private readonly received: { topic: string; text: string }[] = [];
  private waiters: (() => void)[] = [];

  private constructor(
    readonly client: MqttClient,
    readonly device: string,
    readonly prefix: string,
  ) {
    client.on('message', (topic, payload) => {
      this.received.push({ topic, text: payload.toString() });
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async connect(url: string, device: string, options: IClientOptions = {}, prefix = 'sheetlog'): Promise<TestBoard> {
    const client = mqtt.connect(url, { clientId: `board-${device}-${Math.random().toString(16).slice(2, 8)}`, reconnectPeriod: 0, ...options });
    client.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
      client.once('close', () => reject(new Error(`board ${device} could not connect`)));
    });
    const board = new TestBoard(client, device, prefix);
    await client.subscribeAsync([`${prefix}/${device}/ack`, `${prefix}/${device}/t/reply`], { qos: 0 });
    return board;
  }

  publish(kind: 'r' | 'hello' | 't' | 'status', payload: string | Buffer, qos: 0 | 1 = 1, retain = false): Promise<unknown> {
    return this.client.publishAsync(`${this.prefix}/${this.device}/${kind}`, payload, { qos, retain });
  }

  /** Everything received on the ack topic so far. */
  get replies(): string[] {
    return this.received.filter((m) => m.topic.endsWith('/ack')).map((m) => m.text);
  }

  /** Waits until an ack-topic reply satisfies `pred` (looking at all received so far) and returns it. */
  async reply(pred: (text: string) => boolean, timeoutMs = 10000, topicSuffix = '/ack'): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.received.find((m) => m.topic.endsWith(topicSuffix) && pred(m.text));
      if (hit) return hit.text;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.device}: no matching reply within ${timeoutMs} ms; got ${JSON.stringify(this.received.map((m) => m.text))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async end(): Promise<void> {
    await this.client.endAsync(true);
  }
}
