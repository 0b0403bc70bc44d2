// HTTP routing and the request pipeline. For a Sheets API call:
//
//   log -> route -> authenticate (401/403) -> fault decision (latency, 429/500/503,
//   drop-before-apply) -> quota (429) -> create an unknown spreadsheet (createOnFirstUse only)
//   -> apply to the model -> respond, or drop the socket after applying (drop-after-apply)
//
// The control endpoint (/_emulator/) needs no auth and is not logged; the OAuth endpoints
// (/token, /o/oauth2/v2/auth, /revoke) are logged and can be faulted with next-token=...

import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ApiOperation, matchApiRoute } from './api-routes.js';
import { READ_SCOPES, WRITE_SCOPES } from './auth.js';
import { type EmulatorContext, type EmulatorUrls, type RequestLogEntry, createIfUnknown } from './context.js';
import { handleControl } from './control.js';
import { ApiError, insufficientScopes, internalError, unauthenticated, unavailableError } from './errors.js';
import type { FaultAction, FaultDecision } from './faults.js';
import { applyPartialResponse } from './fields.js';
import { BodyTooLargeError, basicCredentials, parseForm, parseJsonBody, readBody, sendApiError, sendJson, sendText } from './http-util.js';
import { quotaExceededError } from './quota.js';

type LogDraft = Omit<RequestLogEntry, 'seq'>;
/** The API answer of a request that was applied (sent or, for drop-after-apply, not), for onRequest. */
type Applied = { response?: unknown };

function faultLabel(decision: FaultDecision): string | undefined {
  const parts = [decision.latencyMs > 0 ? `latency:${decision.latencyMs}` : undefined, decision.action].filter(Boolean);
  return parts.length > 0 ? parts.join(',') : undefined;
}

/** The error body an injected 429/500/503 produces for an API call. */
function injectedApiError(action: FaultAction, op: ApiOperation): ApiError | undefined {
  // An injected 429 reads exactly like the per-user quota answer at Google's default limit.
  if (action === '429') return quotaExceededError(op.kind, 'user', 60);
  if (action === '500') return internalError();
  if (action === '503') return unavailableError();
  return undefined;
}

function drop(res: ServerResponse, log: LogDraft): void {
  log.status = 0;
  res.socket?.destroy();
}

async function handleApi(ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse, url: URL, raw: Buffer, log: LogDraft, applied: Applied): Promise<void> {
  const op = matchApiRoute(req.method ?? 'GET', url.pathname);
  if (!op) throw new ApiError(404, 'NOT_FOUND', 'Method not found.');
  log.operation = op.name;
  const auth = ctx.authority.checkBearer(req.headers.authorization);
  if (!auth.ok) throw unauthenticated(auth.reason, op.rpc);
  log.subject = auth.principal.subject;
  const allowed = op.kind === 'read' ? READ_SCOPES : WRITE_SCOPES;
  if (!auth.principal.scopes.some((s) => allowed.includes(s))) throw insufficientScopes(op.rpc, WRITE_SCOPES[0] ?? '');

  const decision = ctx.faults.decide(op.kind);
  const label = faultLabel(decision);
  if (label) log.fault = label;
  if (decision.latencyMs > 0) await ctx.sleep(decision.latencyMs);
  const injected = decision.action ? injectedApiError(decision.action, op) : undefined;
  if (injected) throw injected;
  if (decision.action === 'drop-before-apply') return drop(res, log);

  const violation = ctx.quotas.take(op.kind, auth.principal.subject, ctx.clock.now());
  if (violation) throw quotaExceededError(violation.kind, violation.scope, violation.limit);

  createIfUnknown(ctx, op.spreadsheetId);
  const body = parseJsonBody(raw);
  if (ctx.between) {
    const previous = ctx.requestLog.last();
    ctx.between({ index: ++ctx.callsApplied, operation: op.name, kind: op.kind, ...(op.spreadsheetId ? { spreadsheetId: op.spreadsheetId } : {}), ...(previous ? { previous } : {}) });
  }
  // Handlers are synchronous, so each request applies atomically with respect to the others;
  // `actor` is who protected ranges are checked against during this one call.
  ctx.data.actor = auth.principal.subject;
  let result: unknown;
  try {
    result = op.run(ctx.data, body, url.searchParams);
  } finally {
    delete ctx.data.actor;
  }
  applied.response = result;
  if (decision.action === 'drop-after-apply') return drop(res, log);
  const fields = url.searchParams.get('fields');
  if (fields) result = applyPartialResponse(result, fields);
  log.status = 200;
  sendJson(res, 200, result, {}, url.searchParams.get('prettyPrint') !== 'false');
}

function handleToken(ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse, raw: Buffer, log: LogDraft): Promise<void> | void {
  log.operation = 'token';
  const decision = ctx.faults.decide('token');
  const label = faultLabel(decision);
  if (label) log.fault = label;
  const finish = (): void => {
    const errors: Partial<Record<FaultAction, [number, string]>> = { '429': [429, 'rate_limit_exceeded'], '500': [500, 'internal_failure'], '503': [503, 'temporarily_unavailable'] };
    const injected = decision.action ? errors[decision.action] : undefined;
    if (injected) {
      log.status = injected[0];
      return sendJson(res, injected[0], { error: injected[1], error_description: 'Injected by the Sheets emulator.' });
    }
    if (decision.action === 'drop-before-apply') return drop(res, log);
    const reply = ctx.authority.handleToken(parseForm(req, raw), basicCredentials(req.headers.authorization));
    if (decision.action === 'drop-after-apply') return drop(res, log);
    log.status = reply.status;
    sendJson(res, reply.status, reply.body, { 'cache-control': 'no-cache, no-store, max-age=0, must-revalidate' });
  };
  if (decision.latencyMs > 0) return ctx.sleep(decision.latencyMs).then(finish);
  return finish();
}

function handleAuthorize(ctx: EmulatorContext, res: ServerResponse, url: URL, log: LogDraft): void {
  log.operation = 'authorize';
  const answer = ctx.authority.authorize(url.searchParams);
  log.status = answer.status;
  if (answer.location) {
    res.writeHead(302, { location: answer.location, 'content-length': 0 });
    res.end();
    return;
  }
  sendText(res, answer.status, answer.text ?? '');
}

async function dispatch(ctx: EmulatorContext, urls: EmulatorUrls, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const method = req.method ?? 'GET';
  const raw = await readBody(req);
  if (url.pathname === '/_emulator' || url.pathname.startsWith('/_emulator/')) return handleControl(ctx, urls, res, method, url, raw);
  const log: LogDraft = { at: ctx.clock.now(), method, path: url.pathname, query: url.search, operation: 'unknown', status: 0, bytes: raw.length };
  const applied: Applied = {};
  try {
    if (url.pathname === '/token' && method === 'POST') await handleToken(ctx, req, res, raw, log);
    else if (url.pathname === '/o/oauth2/v2/auth' && method === 'GET') handleAuthorize(ctx, res, url, log);
    else if (url.pathname === '/revoke' && method === 'POST') {
      log.operation = 'revoke';
      const token = url.searchParams.get('token') ?? parseForm(req, raw).get('token') ?? '';
      const reply = ctx.authority.revoke(token);
      log.status = reply.status;
      sendJson(res, reply.status, reply.body);
    } else await handleApi(ctx, req, res, url, raw, log, applied);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    log.status = err.httpStatus;
    sendApiError(res, err, url.searchParams.get('prettyPrint') !== 'false');
  } finally {
    const entry = ctx.requestLog.record(log);
    ctx.onRequest?.({ ...entry }, applied.response);
  }
}

/** The node:http request listener for one emulator instance. */
export function createRequestListener(ctx: EmulatorContext, urls: EmulatorUrls): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    dispatch(ctx, urls, req, res).catch((err: unknown) => {
      if (res.headersSent || res.destroyed) return;
      if (err instanceof BodyTooLargeError) return sendJson(res, 413, new ApiError(413, 'INVALID_ARGUMENT', err.message).toBody());
      // A bug in the emulator: answer like Google's 500 but keep the cause visible to the test.
      sendJson(res, 500, { error: { code: 500, message: `Emulator bug: ${(err as Error).stack ?? String(err)}`, status: 'INTERNAL' } });
    });
  };
}
