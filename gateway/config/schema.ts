import { z } from 'zod';
import { authSection } from './sections/auth.js';
import { billingSection } from './sections/billing.js';
import { httpSection } from './sections/http.js';
import { logSection } from './sections/log.js';
import { mqttSection } from './sections/mqtt.js';
import { csvSection } from './sections/csv.js';
import { fieldsSection } from './sections/fields.js';
import { sheetsSection } from './sections/sheets.js';
import { sinksSection } from './sections/sinks.js';
import { syncSection } from './sections/sync.js';
import { storeSection } from './sections/store.js';
import { summariesSection } from './sections/summaries.js';
import { tcpSection } from './sections/tcp.js';
import { udpSection } from './sections/udp.js';

/**
 * The one configuration schema. Every key has a default, so `{}` is a complete configuration; the
 * README's configuration reference is generated from these descriptions (`sheetlog config --docs`).
 * Sections live in ./sections, one file each.
 */
export const configSchema = z
  .object({
    dataDir: z.string().min(1).default('./data').describe('Directory for the SQLite file and other state'),
    shutdownTimeoutMs: z.number().int().min(100).default(10000).describe('Longest a graceful shutdown may take before connections are cut'),
    tcp: tcpSection.prefault({}),
    store: storeSection.prefault({}),
    auth: authSection.prefault({}),
    log: logSection.prefault({}),
    mqtt: mqttSection.prefault({}),
    udp: udpSection.prefault({}),
    sinks: sinksSection.prefault({}),
    sync: syncSection.prefault({}),
    sheets: sheetsSection.prefault({}),
    csv: csvSection.prefault({}),
    http: httpSection.prefault({}),
    fields: fieldsSection,
    summaries: summariesSection.prefault({}),
    billing: billingSection.prefault({}),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
