import { z } from 'zod';
import { isTimeZone } from '../../time/time-zone.js';

export const sheetsSection = z
  .object({
    spreadsheetId: z.string().default('').describe('Id of the spreadsheet (from its URL: /spreadsheets/d/<id>/edit); shared with the service account if one is used'),
    credentials: z.string().default('').describe('Path of the credentials file: a service-account key or an installed-app OAuth client with a refresh token (see credentials.example.json)'),
    layout: z.enum(['long', 'per-device']).default('long').describe('long: one tab, a row per field; per-device: a tab per device, a column per field'),
    tab: z.string().min(1).max(90).default('readings').describe('Title of the long layout\'s tab (roll-over tabs get " 2", " 3" ...)'),
    timeZone: z.string().refine((tz) => tz === '' || isTimeZone(tz), 'not an IANA time zone').default('').describe('Time zone of the time columns ("": the spreadsheet\'s own setting)'),
    rootUrl: z.string().url().default('https://sheets.googleapis.com/').describe('Sheets API root (an emulator or proxy)'),
    tokenUrl: z.string().url().default('https://oauth2.googleapis.com/token').describe('OAuth token endpoint'),
    authUrl: z.string().url().default('https://accounts.google.com/o/oauth2/v2/auth').describe('OAuth consent page used by `sheetlog auth login`'),
    writesPerMinute: z.number().int().min(1).default(55).describe('Client-side limit of write requests per minute (Google: 60 per user; the 5 left are for other clients of the same user)'),
    readsPerMinute: z.number().int().min(1).default(55).describe('Client-side limit of read requests per minute (Google: 60 per user)'),
    requestTimeoutMs: z.number().int().min(100).default(30000).describe('A request without a response after this long counts as failed (and is checked before it is retried)'),
    maxRequestBytes: z.number().int().min(10000).default(2_000_000).describe('Largest values request in bytes, as sent; a bigger batch is written in parts (Google recommends at most 2 MB)'),
    growRows: z.number().int().min(1).default(1000).describe('Fewest rows added when a tab\'s grid is full (more when behind: 8 batches ahead, or in the long layout the whole backlog, within the cell limits; docs/SHEETS.md, Quotas)'),
    maxCellsPerSpreadsheet: z.number().int().min(100).default(9_000_000).describe('Cells the gateway lets a spreadsheet reach (Google\'s limit: 10,000,000); then it rolls over to the next of overflowSpreadsheetIds'),
    maxCellsPerTab: z.number().int().min(0).default(0).describe('Cells one tab may reach before writing continues in a new tab (0: no limit of its own)'),
    overflowSpreadsheetIds: z.array(z.string().min(1)).default([]).describe('Spreadsheets to continue in, in order, when the current one is full'),
    authRetryMs: z.number().int().min(100).default(60000).describe('Wait after a credentials, permission or missing-spreadsheet error before trying again'),
  })
  .strict();
