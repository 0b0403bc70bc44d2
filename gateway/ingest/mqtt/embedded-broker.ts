import type { Aedes, AuthenticateError, Client } from 'aedes';
import { timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import type { Logger } from '../../log.js';
import type { IngestStore } from '../session/ingest-store.js';
import type { TimerHandle, Timers } from '../../time/timers.js';
import type { AuthMode } from '../auth.js';
import { loadOrCreateTlsCredentials, type TlsFiles } from '../tcp/tls-credentials.js';
import type { IngestCounters } from '../counters.js';
import type { AuthThrottle } from '../auth-throttle.js';
import type { AuthResult } from '../device-auth.js';
import { authenticateThrottled } from '../throttled-auth.js';
import { FairShare, type FairShareLimits } from '../session/fair-share.js';
import type { RegistrationPacer } from '../registration-pacer.js';
import type { Topics } from './topics.js';

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  /** The gateway's own client: the only one allowed to read every board's topics. */
  internal: { clientId: string; username: string; password: string };
  /** A second listener for MQTT over TLS (`mqtt.embeddedTls`), or absent. */
  tls?: EmbeddedBrokerTlsOptions;
}

export interface EmbeddedBrokerTlsOptions extends TlsFiles {
  host: string;
  port: number;
  handshakeTimeoutMs: number;
  /** Where the self-signed certificate lives when no files are configured (<data>/tls/). */
  dataDir: string;
}

/** Where the broker listens; `tls` when `mqtt.embeddedTls` is on. */
export interface EmbeddedBrokerAddress {
  host: string;
  port: number;
  tls?: { host: string; port: number; fingerprint256: string; certFile: string };
}

export interface EmbeddedBrokerDeps {
  topics: Topics;
  store: IngestStore;
  authMode: AuthMode;
  counters: IngestCounters;
  timers: Timers;
  log: Logger;
  /** The gateway's guessing throttle (auth.throttle), shared with TCP and UDP. */
  authThrottle?: AuthThrottle | null;
  /** Bounds the registrations one commit carries (shared with every transport). */
  registrations?: RegistrationPacer | null;
  /** Each board client's input budget (mqtt.maxMessagesPerSecond, messageBurst, overBudgetCloseMs); absent: none. */
  budget?: FairShareLimits;
}

/** A board client's input budget: publishes read while it is over it wait in `waiting` until `resumeAt`. */
interface ClientShare {
  share: FairShare;
  resumeAt: number;
  waiting: (() => void)[];
  timer: TimerHandle | null;
}

/** What aedes offers to stop and go on reading a client (Client.pause/resume, not in its types). */
interface PausableClient {
  pause(): void;
  resume(): void;
}

const TOKEN = /^[A-Za-z0-9_.~+/=-]{1,128}$/;
const DEVICE_ID = /^[A-Za-z0-9_.-]{1,64}$/;

/** CONNACK return codes of MQTT 3.1.1 (aedes speaks 3.1.1). */
const SERVER_UNAVAILABLE = 3;
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

/**
 * An aedes broker inside the gateway (`mqtt.embedded`). Boards log in with their device id as
 * username and their token as password, checked against the device registry exactly like a TCP
 * HELLO (same auth modes, TOFU registration on the group commit). Each board may publish only to
 * its own `<prefix>/<id>/{r,hello,t,status}` and subscribe only below `<prefix>/<id>/`.
 * Sessions and retained messages live in memory: the broker restarts with the gateway, so boards
 * rely on the ack topic (written after the commit), not on the broker's PUBACK.
 * aedes (~70 ms to import) is loaded by start(), so a gateway without the embedded broker never loads it.
 */
export class EmbeddedBroker {
  private aedes: Aedes | null = null;
  private server: Server | null = null;
  private tlsServer: TlsServer | null = null;
  private readonly deviceOf = new WeakMap<Client, string>();
  private readonly clientsOf = new Map<string, Set<Client>>();
  private readonly internalPassword: Buffer;
  /** Board clients' fair shares. */
  private readonly shares = new WeakMap<Client, ClientShare>();

  constructor(
    private readonly options: EmbeddedBrokerOptions,
    private readonly deps: EmbeddedBrokerDeps,
  ) {
    this.internalPassword = Buffer.from(options.internal.password);
  }

  async start(): Promise<EmbeddedBrokerAddress> {
    const { Aedes } = await import('aedes');
    const aedes = await Aedes.createBroker({
      authenticate: (client, username, password, done) => this.authenticate(client, username, password, done),
      authorizePublish: (client, packet, done) => {
        const go = () => done(this.mayPublish(client, packet.topic) ? null : new Error('not authorized'));
        if (client === null) go();
        else this.charge(client, packet.payload.length, go, () => done(new Error('over the input budget')));
      },
      authorizeSubscribe: (client, sub, done) => done(null, this.maySubscribe(client, sub.topic) ? sub : null),
    });
    this.aedes = aedes;
    aedes.on('clientDisconnect', (client) => this.untrack(client));
    aedes.on('clientError', (client, e) => this.deps.log.debug({ client: client.id, err: e.message }, 'embedded broker: client error'));
    this.server = createServer((socket) => aedes.handle(socket));
    this.server.listen({ host: this.options.host, port: this.options.port });
    await once(this.server, 'listening');
    const a = this.server.address();
    if (a === null || typeof a === 'string') throw new Error('embedded broker is not listening');
    this.deps.log.info({ host: a.address, port: a.port }, 'embedded MQTT broker listening');
    if (this.options.tls === undefined) return { host: a.address, port: a.port };
    return { host: a.address, port: a.port, tls: await this.listenTls(aedes, this.options.tls) };
  }

  /**
   * MQTT over TLS into the same aedes instance: the same logins, ACLs and sessions as the plain
   * listener. A connection that fails its handshake (plain MQTT on the TLS port, a board that does
   * not trust the certificate, a handshake not finished in time) never reaches aedes; it is
   * counted as the limit TLS_HANDSHAKE, as on tcp.tls.
   */
  private async listenTls(aedes: Aedes, o: EmbeddedBrokerTlsOptions): Promise<NonNullable<EmbeddedBrokerAddress['tls']>> {
    const credentials = await loadOrCreateTlsCredentials(o.dataDir, { certFile: o.certFile, keyFile: o.keyFile });
    if (credentials.generated) this.deps.log.info({ certFile: credentials.certFile, fingerprint256: credentials.fingerprint256 }, 'generated a self-signed TLS certificate for boards');
    const server = createTlsServer({ cert: credentials.cert, key: credentials.key, handshakeTimeout: o.handshakeTimeoutMs, minVersion: 'TLSv1.2' }, (socket) => aedes.handle(socket));
    server.on('tlsClientError', (e, socket) => {
      this.deps.counters.countLimit('TLS_HANDSHAKE');
      this.deps.log.debug({ err: e.message, remote: socket.remoteAddress }, 'embedded broker: TLS handshake failed');
      socket.destroy();
    });
    this.tlsServer = server;
    server.listen({ host: o.host, port: o.port });
    await once(server, 'listening');
    const a = server.address();
    if (a === null || typeof a === 'string') throw new Error('embedded broker TLS listener is not listening');
    this.deps.log.info({ host: a.address, port: a.port, fingerprint256: credentials.fingerprint256 }, 'embedded MQTT broker listening over TLS');
    return { host: a.address, port: a.port, fingerprint256: credentials.fingerprint256, certFile: credentials.certFile };
  }

  /** Disconnects a board's clients (revoked, or taken over on another transport). */
  disconnect(device: string): void {
    for (const client of this.clientsOf.get(device) ?? []) client.close();
  }

  async stop(): Promise<void> {
    const server = this.server;
    const tlsServer = this.tlsServer;
    const aedes = this.aedes;
    this.server = null;
    this.tlsServer = null;
    this.aedes = null;
    if (aedes !== null) await new Promise<void>((resolve) => aedes.close(() => resolve()));
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (tlsServer !== null) await new Promise<void>((resolve) => tlsServer.close(() => resolve()));
  }

  private authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
    done: (error: AuthenticateError | null, success: boolean | null) => void,
  ): void {
    const { internal } = this.options;
    if (username === internal.username && password !== undefined && client.id === internal.clientId) {
      const ok = password.length === this.internalPassword.length && timingSafeEqual(password, this.internalPassword);
      done(ok ? null : refusal(BAD_USERNAME_OR_PASSWORD, 'bad gateway credentials'), ok);
      return;
    }
    const token = password?.toString('utf8');
    if (client.id === internal.clientId || username === undefined || !DEVICE_ID.test(username) || token === undefined || !TOKEN.test(token)) {
      this.deps.counters.countErr('AUTH_FAILED');
      done(refusal(BAD_USERNAME_OR_PASSWORD, 'log in with the device id as username and its token as password'), false);
      return;
    }
    const finish = (result: AuthResult) => {
      if (result.ok) {
        if (result.registered) this.deps.log.info({ device: username }, 'device registered on first use (embedded broker)');
        this.track(client, username);
        done(null, true);
        return;
      }
      if ('diskFull' in result) {
        // Nothing registered: CONNACK 3 (server unavailable) and the board connects again later.
        this.deps.counters.busyReplies++;
        this.deps.counters.countLimit('DISK_FULL');
        done(refusal(SERVER_UNAVAILABLE, result.text), false);
        return;
      }
      this.deps.counters.countErr(result.code);
      this.deps.log.info({ device: username, code: result.code }, 'embedded broker refused a board');
      const code =
        result.code === 'AUTH_FAILED' ? BAD_USERNAME_OR_PASSWORD : result.code === 'INTERNAL' || result.code === 'AUTH_THROTTLED' ? SERVER_UNAVAILABLE : NOT_AUTHORIZED;
      // A guess is answered (CONNACK) only after the guessing throttle's delay.
      const delayMs = result.delayMs ?? 0;
      if (delayMs > 0) this.deps.timers.after(delayMs, () => done(refusal(code, result.text), false));
      else done(refusal(code, result.text), false);
    };
    const address = (client.conn as { remoteAddress?: string } | undefined)?.remoteAddress ?? null;
    const immediate = authenticateThrottled(this.deps, address, username, token, this.deps.timers.now(), finish);
    if (immediate !== null) finish(immediate);
  }

  /**
   * Charges a board client's publish to its input budget and lets it through (`go`) when the budget
   * allows. Over it, aedes stops reading the client's socket (TCP pushes back on the board) and the
   * client's publishes already read wait, in order, until the budget has paid for them; nothing is
   * dropped. A client kept over it for overBudgetCloseMs is disconnected. The gateway's own client
   * is never charged. CONNECT comes first on MQTT, so an unauthenticated client sends nothing else.
   */
  private charge(client: Client, bytes: number, go: () => void, refuse: () => void): void {
    const limits = this.deps.budget;
    if (limits === undefined || this.isInternal(client)) return go();
    const now = this.deps.timers.now();
    let st = this.shares.get(client);
    if (st === undefined) this.shares.set(client, (st = { share: new FairShare(limits, now), resumeAt: 0, waiting: [], timer: null }));
    const verdict = st.share.charge(now, bytes, true);
    if (verdict.kind === 'close') {
      this.deps.counters.countLimit('INPUT_RATE');
      this.deps.log.info({ client: client.id, limit: 'INPUT_RATE' }, 'embedded broker: a client stayed over its input budget: disconnected');
      refuse();
      client.close();
      return;
    }
    const paused = st.timer !== null;
    if (!paused && verdict.kind === 'ok') return go();
    // The publish that used the budget up still goes (as on TCP); later ones wait behind it.
    if (!paused) go();
    else st.waiting.push(go);
    if (verdict.kind === 'pause') st.resumeAt = Math.max(st.resumeAt, now + verdict.ms);
    if (paused) return;
    this.deps.counters.countLimit('INPUT_BUDGET');
    (client as unknown as PausableClient).pause();
    this.armResume(client, st);
  }

  private armResume(client: Client, st: ClientShare): void {
    st.timer = this.deps.timers.after(Math.max(1, st.resumeAt - this.deps.timers.now()), () => {
      if (this.deps.timers.now() < st.resumeAt) return this.armResume(client, st);
      st.timer = null;
      for (const go of st.waiting.splice(0)) go();
      (client as unknown as PausableClient).resume();
    });
  }

  private mayPublish(client: Client | null, topic: string): boolean {
    if (client === null) return true; // the broker's own publications
    if (this.isInternal(client)) return true;
    const device = this.deviceOf.get(client);
    return device !== undefined && this.deps.topics.boardMayPublish(device, topic);
  }

  private maySubscribe(client: Client, filter: string): boolean {
    if (this.isInternal(client)) return true;
    const device = this.deviceOf.get(client);
    return device !== undefined && this.deps.topics.boardMaySubscribe(device, filter);
  }

  private isInternal(client: Client): boolean {
    return client.id === this.options.internal.clientId && !this.deviceOf.has(client);
  }

  private track(client: Client, device: string): void {
    this.deviceOf.set(client, device);
    let set = this.clientsOf.get(device);
    if (set === undefined) this.clientsOf.set(device, (set = new Set()));
    set.add(client);
  }

  private untrack(client: Client): void {
    const device = this.deviceOf.get(client);
    if (device === undefined) return;
    const set = this.clientsOf.get(device);
    set?.delete(client);
    if (set?.size === 0) this.clientsOf.delete(device);
  }
}

function refusal(returnCode: number, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError;
}
