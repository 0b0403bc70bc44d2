import type { DestinationStream } from 'pino';
import { createLogger, type Logger } from '../../log.js';

/**
 * The sync thread logs through pino like the rest of the gateway (same level, same redaction),
 * but each finished line goes to the main thread, which logs it again through its own logger:
 * one writer for the output, and tests that capture the main logger see the thread's lines too.
 */
export function threadLogger(level: string, send: (line: string) => void): Logger {
  const destination: DestinationStream = { write: (line: string) => send(line) };
  return createLogger(level, destination);
}

/** Fields the main logger adds itself. */
const OWN_FIELDS = new Set(['level', 'time', 'msg', 'service', 'pid', 'hostname']);

/** Logs one line from the thread through `log`, at the level it was logged with. */
export function relayLog(log: Logger, line: string): void {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    log.warn({ part: 'sync', line: line.slice(0, 200) }, 'unreadable log line from the sync thread');
    return;
  }
  const label = log.levels.labels[Number(record.level)] ?? 'info';
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (!OWN_FIELDS.has(key)) fields[key] = value;
  const method = (log as unknown as Record<string, (obj: object, msg?: string) => void>)[label];
  if (typeof method === 'function') method.call(log, fields, typeof record.msg === 'string' ? record.msg : undefined);
}
