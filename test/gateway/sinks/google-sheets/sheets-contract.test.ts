import { sinkContract } from '../contract.js';
import { sheetsHarness } from './harness.js';

sinkContract('google-sheets (emulator, real clients)', async () => {
  const h = await sheetsHarness();
  return {
    sink: h.sink(),
    reopen: async () => h.sink(),
    table: async () => {
      const [header = [], ...rows] = h.tab('readings').map((r) => r.map((c) => String(c)));
      return { header, rows };
    },
    cleanup: () => h.close(),
  };
});
