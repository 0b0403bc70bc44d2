// The unauthenticated control endpoint under /_emulator/, for tests and people:
//   GET    /_emulator                      this list
//   GET    /_emulator/state[?spreadsheetId=ID]  spreadsheets, tabs, grid properties, cells
//   GET    /_emulator/spreadsheets/ID      {"tabs": {"<title>": [[cell, ...], ...]}}: every row as shown
//   GET    /_emulator/requests             log of served requests (method, path, status, fault)
//   DELETE /_emulator/requests             clear that log
//   GET    /_emulator/faults               current fault configuration and queue
//   POST   /_emulator/faults               replace it: {"spec": "503=0.1,seed=7"} or a FaultConfig object
//   POST   /_emulator/faults/next          queue one: {"target": "write", "action": "drop-after-apply", "count": 1}
//   POST   /_emulator/expire-tokens        every issued access token stops working
//   POST   /_emulator/authorization-code   {"redirectUri"?, "scope"?, "codeChallenge"?, "codeChallengeMethod"?} -> {"code"}
//   POST   /_emulator/clock                {"advanceMs": 60000} -> {"now"}
//   GET    /_emulator/credentials          {"serviceAccount", "oauthClient"} (throwaway test keys)
//   POST   /_emulator/reset                fresh spreadsheets, quotas, faults and request log

import type { ServerResponse } from 'node:http';
import { type EmulatorContext, type EmulatorUrls, resetAll } from './context.js';
import { SpecError } from './errors.js';
import { type QueuedFault, faultConfigFrom } from './faults.js';
import { sendJson } from './http-util.js';
import { snapshot, tabsView } from './state.js';

type Json = Record<string, unknown>;

const ENDPOINTS = [
  'GET /_emulator/state[?spreadsheetId=ID]',
  'GET /_emulator/spreadsheets/ID',
  'GET|DELETE /_emulator/requests',
  'GET|POST /_emulator/faults',
  'POST /_emulator/faults/next',
  'POST /_emulator/expire-tokens',
  'POST /_emulator/authorization-code',
  'POST /_emulator/clock',
  'GET /_emulator/credentials',
  'POST /_emulator/reset',
];

function asObject(body: unknown): Json {
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Json) : {};
}

function queuedFault(body: unknown): QueuedFault {
  const obj = asObject(body);
  const fault: QueuedFault = {
    target: obj['target'] as QueuedFault['target'],
    action: obj['action'] as QueuedFault['action'],
    count: obj['count'] === undefined ? 1 : Number(obj['count']),
  };
  if (obj['latencyMs'] !== undefined) fault.latencyMs = Number(obj['latencyMs']);
  return fault;
}

/** GET /_emulator/spreadsheets/<id>: the tabs as a person sees them; an unknown id is 404 (never created). */
function spreadsheetTabs(ctx: EmulatorContext, encodedId: string): [number, unknown] {
  let id: string;
  try {
    id = decodeURIComponent(encodedId);
  } catch {
    id = encodedId;
  }
  const spreadsheet = ctx.data.spreadsheets.get(id);
  if (!spreadsheet) return [404, { error: `no spreadsheet "${id}"`, spreadsheetIds: [...ctx.data.spreadsheets.keys()] }];
  return [200, tabsView(spreadsheet)];
}

function route(ctx: EmulatorContext, urls: EmulatorUrls, method: string, path: string, query: URLSearchParams, body: unknown): [number, unknown] {
  const key = `${method} ${path}`;
  const tabsOf = /^\/_emulator\/spreadsheets\/([^/]+)\/?$/.exec(path);
  if (tabsOf && method === 'GET') return spreadsheetTabs(ctx, tabsOf[1] ?? '');
  switch (key) {
    case 'GET /_emulator':
    case 'GET /_emulator/':
      return [200, { endpoints: ENDPOINTS, ...urls }];
    case 'GET /_emulator/state':
      return [200, snapshot(ctx.data.spreadsheets.values(), query.get('spreadsheetId') ?? undefined)];
    case 'GET /_emulator/requests':
      return [200, { requests: ctx.requestLog.list() }];
    case 'DELETE /_emulator/requests':
      ctx.requestLog.clear();
      return [200, {}];
    case 'GET /_emulator/faults':
      return [200, ctx.faults.describe()];
    case 'POST /_emulator/faults':
      ctx.faults.configure(faultConfigFrom(body ?? {}));
      return [200, ctx.faults.describe()];
    case 'POST /_emulator/faults/next':
      ctx.faults.enqueue(queuedFault(body));
      return [200, ctx.faults.describe()];
    case 'POST /_emulator/expire-tokens':
      ctx.authority.expireAccessTokens();
      return [200, {}];
    case 'POST /_emulator/authorization-code': {
      const b = asObject(body);
      const str = (k: string): string | undefined => (typeof b[k] === 'string' ? (b[k] as string) : undefined);
      const code = ctx.authority.issueAuthorizationCode({ redirectUri: str('redirectUri'), scope: str('scope'), codeChallenge: str('codeChallenge'), codeChallengeMethod: str('codeChallengeMethod') });
      return [200, { code }];
    }
    case 'POST /_emulator/clock': {
      const advance = Number(asObject(body)['advanceMs'] ?? 0);
      if (!Number.isFinite(advance)) throw new SpecError('advanceMs must be a number');
      return [200, { now: ctx.clock.advance(advance) }];
    }
    case 'GET /_emulator/credentials':
      return [200, { serviceAccount: ctx.authority.serviceAccountKey(), oauthClient: ctx.authority.oauthClientCredentials() }];
    case 'POST /_emulator/reset':
      resetAll(ctx);
      return [200, {}];
    default:
      return [404, { error: `no control endpoint ${key}`, endpoints: ENDPOINTS }];
  }
}

export function handleControl(ctx: EmulatorContext, urls: EmulatorUrls, res: ServerResponse, method: string, url: URL, rawBody: Buffer): void {
  try {
    const body = rawBody.length > 0 ? (JSON.parse(rawBody.toString('utf8')) as unknown) : undefined;
    const [status, reply] = route(ctx, urls, method, url.pathname, url.searchParams, body);
    sendJson(res, status, reply);
  } catch (err) {
    if (err instanceof SpecError || err instanceof SyntaxError) {
      sendJson(res, 400, { error: err.message });
      return;
    }
    throw err;
  }
}
