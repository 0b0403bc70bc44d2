import { LONG_COLUMNS, layoutRows, rowValues } from '../../../gateway/sinks/layout.js';
import { sinkContract } from './contract.js';
import { MemorySink } from './memory-sink.js';

// The reference implementation: the contract must hold for it before it can mean anything.
sinkContract('memory', async () => {
  const sink = new MemorySink();
  return {
    sink,
    reopen: async () => sink,
    table: async () => ({
      header: [...LONG_COLUMNS],
      rows: layoutRows('long', sink.rows).flatMap((b) => b.rows.map((r) => rowValues(LONG_COLUMNS, r).map((v) => (v === null ? '' : typeof v === 'object' ? String(v.time) : String(v))))),
    }),
    cleanup: async () => {},
  };
});
