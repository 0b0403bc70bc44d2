// Small node:http helpers: bounded body reading, JSON/form parsing, replies.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ApiError, invalidArgument } from './errors.js';

/** Google documents no hard request limit but recommends 2 MB; anything near this is a bug. */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

export class BodyTooLargeError extends Error {
  constructor() {
    super(`request body larger than ${MAX_BODY_BYTES} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError();
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** Parses a JSON request body the way Google reports bad payloads. */
export function parseJsonBody(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw invalidArgument(`Invalid JSON payload received. ${(err as Error).message}`);
  }
}

/** Token requests are form-encoded (google-auth-library) but JSON is accepted too. */
export function parseForm(req: IncomingMessage, raw: Buffer): URLSearchParams {
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/json')) {
    const obj = JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>;
    return new URLSearchParams(Object.entries(obj).map(([k, v]): [string, string] => [k, String(v)]));
  }
  return new URLSearchParams(raw.toString('utf8'));
}

export function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!m?.[1]) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, pretty = true): void {
  // Google pretty-prints JSON unless the request says prettyPrint=false; so does the emulator.
  const text = pretty ? `${JSON.stringify(body, null, 2)}\n` : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendApiError(res: ServerResponse, err: ApiError, pretty = true): void {
  sendJson(res, err.httpStatus, err.toBody(), err.headers, pretty);
}

export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=UTF-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

