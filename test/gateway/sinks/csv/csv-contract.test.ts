import { join } from 'node:path';
import { sinkContract } from '../contract.js';
import { csvDir, newSink, readTable } from './harness.js';

sinkContract('csv', async () => {
  const { dir, cleanup } = csvDir();
  return {
    sink: newSink(dir),
    reopen: async () => newSink(dir),
    table: async () => {
      const [header = [], ...rows] = readTable(join(dir, 'readings.csv')).records;
      return { header, rows };
    },
    cleanup,
  };
});
