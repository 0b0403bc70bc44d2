import type { ServerResponse } from 'node:http';
import type { ApiErrorCode } from './errors.js';

/**
 * Every API reply has the same three keys (DESIGN.md section 9):
 *   { "status": "ok",    "result": <value>, "reason": null }
 *   { "status": "error", "result": null,    "reason": { "code": "DEVICE_UNKNOWN", "message": "...", "details"?: ... } }
 */
export type Envelope =
  | { status: 'ok'; result: unknown; reason: null }
  | { status: 'error'; result: null; reason: { code: ApiErrorCode; message: string; details?: unknown } };

export function ok(result: unknown): Envelope {
  return { status: 'ok', result, reason: null };
}

export function failure(code: ApiErrorCode, message: string, details?: unknown): Envelope {
  return { status: 'error', result: null, reason: details === undefined ? { code, message } : { code, message, details } };
}

export function sendJson(res: ServerResponse, httpStatus: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(httpStatus, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(text);
}
