import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../gateway/log.js';

/** A debug-level logger that keeps every record (parsed JSON) in `records`. */
export function memoryLog(): { log: Logger; records: Record<string, unknown>[] } {
  const records: Record<string, unknown>[] = [];
  const out = new Writable({
    write(chunk: Buffer, _e, cb) {
      for (const l of chunk.toString().split('\n')) if (l) records.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { log: createLogger('debug', out), records };
}
