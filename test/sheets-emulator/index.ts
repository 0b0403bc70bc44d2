// Public API of the Sheets API v4 emulator. See README.md in this folder for how to point
// the real @googleapis/sheets and google-auth-library clients at it.

export { type SheetsEmulator, type SheetsEmulatorOptions, startSheetsEmulator } from './emulator.js';
export { type OAuthClientCredentials, type ServiceAccountKey, GOOGLE_TOKEN_URL, READ_SCOPES, WRITE_SCOPES } from './auth.js';
export { type FaultAction, type FaultConfig, type FaultTarget, type QueuedFault, FAULT_ACTIONS, parseFaultSpec } from './faults.js';
export { DEFAULT_QUOTAS, type QuotaLimits, parseQuotaSpec } from './quota.js';
export type { BetweenHook, PendingCall, RequestLogEntry } from './context.js';
export type { Person } from './person.js';
export { OWNER } from './model.js';
export { PROTECTED_MESSAGE } from './protection.js';
export type { CellState, EmulatorState, SheetState, SpreadsheetState, SpreadsheetTabs } from './state.js';
export { SpecError } from './errors.js';
export { redirectTokenRequests } from './redirect.js';
