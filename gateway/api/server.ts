import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gatewayHealth } from './health.js';
import { once } from 'node:events';
import { hostname } from 'node:os';
import type { Duplex } from 'node:stream';
import type { z } from 'zod';
import { ConfigError } from '../config/load.js';
import { AdminAccess, isLoopbackHost } from './access.js';
import { readJsonBody } from './body.js';
import type { ApiDeps, Endpoint } from './context.js';
import { failure, ok, sendJson } from './envelope.js';
import { ApiError } from './errors.js';
import { FEED_PROTOCOL, LiveFeed } from './feed/live-feed.js';
import { longLayoutEncoder, type SheetRowEncoder } from './feed/sheet-rows.js';
import { GatewayMetrics } from './metrics.js';
import type { Access, Operation } from './operation.js';
import { OPERATIONS } from './operations.js';
import { OriginPolicy } from './request-origin.js';
import { Router } from './router.js';
import { StaticAssets } from './static-files.js';

export interface ApiServerOptions {
  /** Reads or creates the admin token; called by start(), never by the constructor. */
  adminToken: () => string;
  /** The rows the sink writes for a reading (app.ts passes the first sink's; default: the long layout in UTC). */
  encoder?: () => SheetRowEncoder;
  /** This machine's name, accepted as a Host (default: os.hostname()). */
  machineName?: string;
}

const LIVE_PATH = '/api/v1/live';
const CSP = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'";

/**
 * The HTTP side of the gateway: JSON API (/api/v1), /metrics, /healthz, the dashboard (/) and its
 * WebSocket feed. Requests are thin: routing and validation come from the operations table, the
 * work from the handlers, access from AdminAccess.
 */
export class ApiServer {
  private readonly server: Server;
  private readonly router = new Router<Operation>(OPERATIONS.map((op) => ({ method: op.method, path: op.path, target: op })));
  /** Bound to a non-loopback address: reads need the token too. */
  private readonly tokenForReads: boolean;
  private access: AdminAccess | null = null;
  readonly feed: LiveFeed;
  readonly metrics: GatewayMetrics;
  private assets: StaticAssets | null = null;
  private stopping: Promise<void> | null = null;
  private readonly loadToken: () => string;
  private readonly origins: OriginPolicy;

  constructor(
    private readonly deps: ApiDeps,
    options: ApiServerOptions,
  ) {
    const s = deps.settings;
    this.tokenForReads = !isLoopbackHost(s.host);
    this.loadToken = options.adminToken;
    this.origins = new OriginPolicy({ bindHost: s.host, machineName: options.machineName ?? hostname(), allowedHosts: s.allowedHosts, allowedOrigins: s.allowedOrigins });
    this.feed = new LiveFeed(deps, options.encoder ?? (() => longLayoutEncoder), {
      intervalMs: s.feedIntervalMs,
      maxClients: s.maxFeedClients,
      maxClientBufferBytes: s.maxClientBufferBytes,
      tailRows: s.tailRows,
      silentAfterMs: s.silentAfterMs,
    });
    this.metrics = new GatewayMetrics(deps, () => this.feed.stats());
    this.server = createServer((req, res) => void this.onRequest(req, res));
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
    this.server.keepAliveTimeout = 5000;
    this.server.headersTimeout = 10000;
    this.server.requestTimeout = 30000;
  }

  async start(): Promise<Endpoint> {
    this.access = new AdminAccess(this.loadToken());
    this.assets = StaticAssets.load();
    const { host, port } = this.deps.settings;
    const listening = once(this.server, 'listening');
    this.server.listen({ host, port: Number(port) });
    try {
      await listening;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EADDRINUSE' && code !== 'EACCES' && code !== 'EADDRNOTAVAIL') throw e;
      throw new ConfigError([`http: cannot listen on ${host}:${port} (${code}); choose another port with --http-port <n>, or --http-port off`]);
    }
    return this.address();
  }

  address(): Endpoint {
    const a = this.server.address();
    if (a === null || typeof a === 'string') throw new Error('HTTP server is not listening');
    return { host: a.address, port: a.port };
  }

  /** Closes the feed, then the server and every open connection. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.feed.close();
      this.metrics.close();
      if (!this.server.listening) return;
      const closed = once(this.server, 'close');
      this.server.close();
      this.server.closeAllConnections();
      await closed;
    })();
    return this.stopping;
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://gateway');
    const method = req.method ?? 'GET';
    try {
      const verdict = this.origins.check(req.headers.host, req.headers.origin);
      if (!verdict.ok) throw new ApiError(verdict.code, verdict.message);
      // Degraded is still 200: the process serves and recovers by itself; restarting it frees no disk.
      if (url.pathname === '/healthz') return sendJson(res, 200, ok({ uptimeMs: this.deps.timers.now() - this.deps.startedAt(), ...gatewayHealth(this.deps.store) }));
      if (url.pathname === '/metrics') return await this.serveMetrics(req, res, method);
      if (url.pathname === LIVE_PATH) throw new ApiError('UPGRADE_REQUIRED', 'the live feed is a WebSocket (subprotocol sheetlog.v1)');
      if (url.pathname === '/api' || url.pathname.startsWith('/api/')) return await this.serveOperation(req, res, method, url);
      return this.serveStatic(res, method, url.pathname);
    } catch (e) {
      this.replyError(req, res, e);
    }
  }

  private async serveOperation(req: IncomingMessage, res: ServerResponse, method: string, url: URL): Promise<void> {
    const match = this.router.match(method, url.pathname.replace(/\/+$/, '') || '/');
    if (match.kind === 'none') throw new ApiError('NOT_FOUND', `no operation at ${url.pathname}; GET /api/v1 lists them`);
    if (match.kind === 'wrong-method') {
      const e = new ApiError('METHOD_NOT_ALLOWED', `${method} is not allowed here; use ${match.allow.join(', ')}`);
      return this.sendError(res, e, { allow: match.allow.join(', ') });
    }
    const op = match.target;
    this.authorize(req, op.access);
    const params = validate(op.params, { ...Object.fromEntries(url.searchParams), ...match.params });
    const body = op.body ? validate(op.body, await readJsonBody(req)) : undefined;
    const result = op.handle({ params, body }, this.deps);
    sendJson(res, op.created ? 201 : 200, ok(result));
  }

  private async serveMetrics(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    if (method !== 'GET' && method !== 'HEAD') return this.sendError(res, new ApiError('METHOD_NOT_ALLOWED', 'use GET'), { allow: 'GET' });
    this.authorize(req, 'read');
    const text = await this.metrics.text();
    res.writeHead(200, { 'content-type': this.metrics.contentType, 'cache-control': 'no-store' });
    res.end(method === 'HEAD' ? undefined : text);
  }

  /** The dashboard's files hold no data, so they are served without a token; the page asks for one when the API needs it. */
  private serveStatic(res: ServerResponse, method: string, path: string): void {
    const asset = method === 'GET' || method === 'HEAD' ? this.assets?.get(path) : undefined;
    if (asset === undefined) throw new ApiError('NOT_FOUND', `nothing at ${path}`);
    const headers: Record<string, string | number> = {
      'content-type': asset.type,
      'content-length': asset.body.length,
      'cache-control': 'no-cache',
      etag: asset.etag,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    };
    if (asset.type.startsWith('text/html')) Object.assign(headers, { 'content-security-policy': CSP, 'x-frame-options': 'DENY' });
    res.writeHead(200, headers);
    res.end(method === 'HEAD' ? undefined : asset.body);
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const path = new URL(req.url ?? '/', 'http://gateway').pathname;
    if (path !== LIVE_PATH) return void socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    // Browsers let any page open a WebSocket to any host: the Origin is what tells the dashboard from a foreign page.
    const verdict = this.origins.check(req.headers.host, req.headers.origin);
    if (!verdict.ok) {
      this.deps.log.warn({ code: verdict.code, host: req.headers.host, origin: req.headers.origin }, 'live feed upgrade refused');
      return void socket.end(`HTTP/1.1 403 Forbidden\r\nConnection: close\r\nX-Sheetlog-Code: ${verdict.code}\r\nContent-Length: 0\r\n\r\n`);
    }
    if (this.tokenForReads) {
      // Browsers cannot set headers on a WebSocket: the token rides as a second subprotocol, `bearer.<token>`.
      const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
      const bearer = offered.find((p) => p.startsWith('bearer.'))?.slice('bearer.'.length) ?? AdminAccess.presented(req);
      if (bearer === null || bearer === undefined || this.access === null || !this.access.matches(bearer)) {
        return void socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      }
    }
    if (!(req.headers['sec-websocket-protocol'] ?? '').includes(FEED_PROTOCOL)) {
      return void socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    }
    this.feed.upgrade(req, socket, head);
  }

  private authorize(req: IncomingMessage, access: Access): void {
    if (access === 'read' && !this.tokenForReads) return;
    const presented = AdminAccess.presented(req);
    const why = access === 'admin' ? 'this operation changes state' : 'the gateway listens on a non-loopback address';
    if (presented === null) throw new ApiError('TOKEN_REQUIRED', `admin token required (${why}): send "Authorization: Bearer <token>"`);
    if (this.access === null || !this.access.matches(presented)) throw new ApiError('TOKEN_INVALID', 'the admin token does not match');
  }

  private replyError(req: IncomingMessage, res: ServerResponse, e: unknown): void {
    if (res.headersSent) return void res.destroy();
    if (e instanceof ApiError) {
      const headers: Record<string, string> = {};
      if (e.code === 'TOKEN_REQUIRED' || e.code === 'TOKEN_INVALID') headers['www-authenticate'] = 'Bearer realm="sheetlog"';
      // The rest of an oversized body is not read: close instead of draining it.
      if (e.code === 'BODY_TOO_LARGE') headers.connection = 'close';
      return this.sendError(res, e, headers);
    }
    this.deps.log.error({ err: String(e), stack: (e as Error).stack, method: req.method, path: req.url?.split('?')[0] }, 'API request failed');
    this.sendError(res, new ApiError('INTERNAL', 'internal error; see the gateway log'));
  }

  private sendError(res: ServerResponse, e: ApiError, headers: Record<string, string> = {}): void {
    sendJson(res, e.httpStatus, failure(e.code, e.message, e.details), headers);
  }
}

function validate(schema: z.ZodType, input: unknown): unknown {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((i) => ({
    parameter: i.path.length > 0 ? i.path.join('.') : (i as { keys?: string[] }).keys?.join(', ') ?? '(body)',
    message: i.message,
  }));
  const summary = details.map((d) => `${d.parameter}: ${d.message}`).join('; ');
  throw new ApiError('INVALID_PARAMETER', `invalid parameters: ${summary}`, details);
}
