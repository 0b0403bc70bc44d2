import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CsvSink, type CsvSinkOptions } from '../../../../gateway/sinks/csv/csv-sink.js';
import { parseCsv } from '../../../../gateway/sinks/csv/rfc4180.js';
import { tempDir } from '../../../helpers/app.js';
import { memoryLog } from '../../../helpers/memory-log.js';

export function csvOptions(dir: string, over: Partial<CsvSinkOptions> = {}): CsvSinkOptions {
  return { dir, layout: 'long', table: 'readings', timeZone: 'UTC', storeInstance: 'store-1', log: memoryLog().log, ...over };
}

/** A temp directory for one test; removed by `cleanup`. */
export function csvDir(): { dir: string; cleanup: () => Promise<void> } {
  const root = tempDir('sheetlog-csv-');
  return { dir: join(root, 'csv'), cleanup: async () => rmSync(root, { recursive: true, force: true }) };
}

export function readTable(path: string): { records: string[][]; torn: string | null; text: string } {
  const text = readFileSync(path, 'utf8');
  return { ...parseCsv(text), text };
}

export function newSink(dir: string, over: Partial<CsvSinkOptions> = {}): CsvSink {
  return new CsvSink(csvOptions(dir, over));
}
