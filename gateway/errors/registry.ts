/**
 * Every error code sheetlog gives, in one place: what it means, where it appears and what happens
 * next. The code lists the rest of the gateway matches on (protocol/codes.ts, api/errors.ts,
 * store/errors.ts) are derived from these tables, and docs/ERRORS.md is generated from them
 * (`npm run docs:errors`; test/docs/errors.test.ts keeps the two in step).
 *
 * A code is a stable string programs match on; the text beside it in a reply is for people and may
 * change. A code name means one thing per family; where two families share a name (LINE_TOO_LONG is
 * both a NAK and an ERR) the families say which reply carries it.
 */

export interface CodeInfo {
  /** What happened, for a person reading the reply or the log. */
  readonly meaning: string;
  /** What the reader should do, when it is not obvious from the meaning. */
  readonly action?: string;
}

/** NAK codes: one reading is refused for good; the board drops it (docs/PROTOCOL.md section 7). */
export const NAK = {
  BAD_TS: { meaning: '`ts` is not `-`, epoch digits or `u<u32>`' },
  NO_FIELDS: { meaning: 'no `field=value` after `ts`' },
  BAD_FIELD: { meaning: 'a field is not `name=value`, or the name breaks the grammar' },
  BAD_VALUE: { meaning: 'a value is not a finite number, `true`, `false` or a well-formed string of ≤ 200 bytes' },
  DUP_FIELD: { meaning: 'the same field name twice in one reading' },
  TOO_MANY_FIELDS: { meaning: 'more than 32 fields' },
  LINE_TOO_LONG: { meaning: 'the `R` line exceeded the line limit' },
  BAD_UTF8: { meaning: 'the `R` line is not valid UTF-8' },
  OUT_OF_RANGE: { meaning: 'a field\'s calibrated value is below its rule\'s `min` or above its `max` (docs/FIELDS.md)', action: 'check the sensor, or widen the rule in `fields`' },
  NOT_NUMERIC: { meaning: 'a field whose rule calibrates it, gives it a range or makes it a counter has a value that is not a number (docs/FIELDS.md)', action: 'send a number, or narrow the rule\'s `match`' },
  COUNTER_BACKWARDS: { meaning: 'a counter field (`kind: counter`) is lower than at the nearest lower seq of the same boot, or higher than at the nearest higher seq (docs/FIELDS.md)', action: 'a board whose counter restarts must start a new boot' },
  TOO_MANY_GAPS: { meaning: 'the reading\'s boot already holds 65,536 runs of seqs separated by gaps, and this seq would start another (docs/OPERATIONS.md, "Resends"); checked when it is committed', action: 'number readings consecutively; a new `boot=` starts afresh' },
} as const satisfies Record<string, CodeInfo>;

export interface ErrInfo extends CodeInfo {
  /** Whether the gateway closes the TCP connection after this ERR (TCP only: MQTT and UDP have none). */
  readonly closes: boolean;
}

/** ERR codes: a connection-level refusal (docs/PROTOCOL.md section 7). */
export const ERR = {
  BAD_HELLO: { closes: false, meaning: 'malformed `HELLO` (device id, token or a known key\'s value)' },
  AUTH_FAILED: { closes: true, meaning: 'wrong token for a registered device', action: 'flash the token `devices add` printed' },
  UNKNOWN_DEVICE: { closes: true, meaning: '`auth.mode=required` and the device is not registered', action: '`sheetlog devices add <id>`' },
  REVOKED: { closes: true, meaning: 'the device was revoked' },
  AUTH_THROTTLED: { closes: true, meaning: 'too many failed authentications from this address or for this device id (`auth.throttle`); the text starts with `retry-after=<ms>`', action: 'wait that long; check the token' },
  ALREADY_HELLO: { closes: false, meaning: 'a second `HELLO` on one connection' },
  NOT_AUTHENTICATED: { closes: false, meaning: '`R` before `HELLO OK`' },
  BAD_SEQ: { closes: false, meaning: 'an `R` line whose `seq` is missing, zero or not a u32 (so it cannot be NAKed)' },
  BAD_TIME_REQUEST: { closes: false, meaning: 'malformed `T`, `rtt=` above 600000, or an `off=` that puts the board\'s clock outside the trust window (docs/PROTOCOL.md section 3)' },
  UNKNOWN_VERB: { closes: false, meaning: 'the line does not start with a known verb' },
  LINE_TOO_LONG: { closes: false, meaning: 'a line other than `R` exceeded the line limit' },
  BAD_UTF8: { closes: false, meaning: 'a line other than `R` is not valid UTF-8' },
  TOO_MANY_ERRORS: { closes: true, meaning: 'too many consecutive errors' },
  INPUT_RATE: { closes: true, meaning: 'the connection stayed over its input budget (`tcp.maxLinesPerSecond`) for `tcp.overBudgetCloseMs`; until then it was only slowed' },
  HELLO_TIMEOUT: { closes: true, meaning: 'no `HELLO` in time (or nothing sent for 2 s while other new connections wait to be read)' },
  IDLE_TIMEOUT: { closes: true, meaning: 'no line in time' },
  TOO_MANY_CONNECTIONS: { closes: true, meaning: 'connection limit reached' },
  TAKEN_OVER: { closes: true, meaning: 'another connection authenticated as this device' },
  INTERNAL: { closes: true, meaning: 'a gateway bug; the gateway\'s log has the details', action: 'report it with the log' },
} as const satisfies Record<string, ErrInfo>;

export interface ApiInfo extends CodeInfo {
  readonly http: number;
}

/** HTTP API error codes, in `reason.code` of the `{status, reason, result}` envelope (docs/API.md). */
export const API = {
  INVALID_PARAMETER: { http: 400, meaning: 'a query, path or body parameter is missing, unknown, out of range or malformed (`details` lists each)' },
  INVALID_JSON: { http: 400, meaning: 'the body is not valid JSON' },
  DEVICE_ID_INVALID: { http: 400, meaning: '`devices.add`: the id does not match `[A-Za-z0-9_.-]{1,64}`' },
  TOKEN_REQUIRED: { http: 401, meaning: 'no `Authorization: Bearer` header where one is needed' },
  TOKEN_INVALID: { http: 403, meaning: 'the token is not the admin token (or the header is not `Bearer`)' },
  HOST_NOT_ALLOWED: { http: 403, meaning: 'the `Host` header is not a name of this gateway (DNS rebinding protection): loopback names, IP addresses, the machine\'s name and the bind address are', action: 'add the name to `http.allowedHosts`' },
  ORIGIN_NOT_ALLOWED: { http: 403, meaning: 'a request or live-feed WebSocket from another web origin than the dashboard\'s own', action: 'add the origin to `http.allowedOrigins` if that page should read the gateway' },
  NOT_FOUND: { http: 404, meaning: 'no operation or file at that path' },
  DEVICE_UNKNOWN: { http: 404, meaning: 'no device with that id' },
  SINK_UNKNOWN: { http: 404, meaning: 'no sink with that name' },
  BILLING_OFF: { http: 404, meaning: '`devices.bill`: no bills, `billing.field` is not configured', action: 'configure `billing` (docs/SUMMARIES.md, "Bills")' },
  METHOD_NOT_ALLOWED: { http: 405, meaning: 'the path exists for other methods (listed in `Allow`)' },
  DEVICE_EXISTS: { http: 409, meaning: '`devices.add`: the device is registered and not revoked (revoke it first to issue a new token)' },
  BODY_TOO_LARGE: { http: 413, meaning: 'a request body over 16 KiB (the connection is closed)' },
  UNSUPPORTED_MEDIA_TYPE: { http: 415, meaning: 'a body that is not `application/json`' },
  UPGRADE_REQUIRED: { http: 426, meaning: 'a plain GET of `/api/v1/live` (it is a WebSocket)' },
  INTERNAL: { http: 500, meaning: 'a bug; the gateway log has the details', action: 'report it with the log' },
} as const satisfies Record<string, ApiInfo>;

/** Store errors: opening the SQLite store and the `devices` commands (CLI exit code 1). */
export const STORE = {
  STORE_NO_WAL: { meaning: 'the file system refused SQLite\'s WAL mode', action: 'put the data directory on a local file system' },
  STORE_TOO_NEW: { meaning: 'the database was written by a newer sheetlog', action: 'upgrade sheetlog' },
  DEVICE_EXISTS: { meaning: '`devices add`: the device is registered and not revoked', action: 'revoke it first to issue a new token' },
  DEVICE_UNKNOWN: { meaning: 'no device with that id' },
  DEVICE_ID_INVALID: { meaning: 'the id does not match `[A-Za-z0-9_.-]{1,64}`' },
  QUARANTINE_SELECTION: { meaning: '`quarantine retry|drop`: the selection names no held entry, or a retry would let a sink write a reading twice', action: '`sheetlog quarantine list` shows what is held' },
} as const satisfies Record<string, CodeInfo>;

export interface CommandInfo extends CodeInfo {
  /** The process exit code of the `sheetlog` command (docs/OPERATIONS.md, "Startup checks and exit codes"). */
  readonly exit: number;
}

/** Why `sheetlog start` or another command refused to run: one or two lines, then this exit code. */
export const COMMAND = {
  DATA_DIR_NOT_DIRECTORY: { exit: 3, meaning: 'the data directory, or a parent of it, is a file', action: 'choose another `--data`' },
  DATA_DIR_NOT_WRITABLE: { exit: 3, meaning: 'the data directory cannot be created or written (permissions, a read-only file system)', action: 'fix the permissions or choose another `--data`' },
  STORE_MISSING: { exit: 3, meaning: 'a command that only reads found no store in the data directory (a mistyped `--data`?)', action: 'check `--data`; `sheetlog start` creates the store' },
  DATA_DIR_IN_USE: { exit: 4, meaning: 'another process (named by its pid) holds the data directory: one gateway per data directory', action: 'stop the other gateway, or give this one its own `--data`' },
  PORT_IN_USE: { exit: 5, meaning: 'a port to listen on is taken (the message names the port, its setting and, when it can tell, the process holding it)', action: 'stop that process or choose another port' },
  PORT_DENIED: { exit: 5, meaning: 'a port may not be used (below 1024 without privileges, an address this machine does not have)', action: 'choose another port or address' },
  TLS_INVALID: { exit: 1, meaning: '`tcp.tls`: the certificate or key cannot be read, is not PEM, or the key does not belong to the certificate', action: 'fix `tcp.tls.certFile`/`keyFile`, or unset both for a generated certificate' },
  SEND_FAILED: { exit: 1, meaning: '`sheetlog send`: a reading was NAKed, the gateway answered ERR or BUSY, closed the connection, or did not answer in time', action: 'the printed reply says which' },
} as const satisfies Record<string, CommandInfo>;

/** Configuration errors (CLI exit code 2). */
export const CONFIG = {
  CONFIG_INVALID: { meaning: 'the configuration file, a `SHEETLOG_*` variable or a flag is invalid; every problem is listed with its key' },
} as const satisfies Record<string, CodeInfo>;

export interface SinkInfo extends CodeInfo {
  /**
   * What the sync worker does with the rows (gateway/sinks/outcomes.ts):
   * - retry: the destination is down or busy; the same rows again after a jittered backoff.
   * - person: the destination refuses everything until a person fixes something; retried slowly.
   * - quarantine: this row can never be written as it is; it is set aside with the reason and the
   *   sink goes on with the rows after it (`sheetlog quarantine list|retry|drop`).
   */
  readonly then: 'retry' | 'person' | 'quarantine';
}

/**
 * Sync failures of a sink (CSV, Google Sheets), in the sink status (`GET /api/v1/sync`, the
 * dashboard's sync panel) and the log. Nothing is dropped on any of them.
 */
export const SINK = {
  RATE_LIMITED: { then: 'retry', meaning: '429 from the destination (quota); the message says whether the per-user or the per-project limit was hit when Google says', action: 'nothing: backoff; lower `writesPerMinute` if frequent' },
  UNAVAILABLE: { then: 'retry', meaning: '5xx, connection refused or reset, answer lost', action: 'nothing: retried (a write is checked first)' },
  TIMEOUT: { then: 'retry', meaning: 'no answer within `requestTimeoutMs`', action: 'nothing: retried (checked first)' },
  INTERNAL: { then: 'retry', meaning: 'a bug: the sink threw', action: 'report it with the log; retried' },
  AUTH: { then: 'person', meaning: 'credentials missing, unreadable, revoked or refused (`invalid_grant`)', action: 'fix the file (`auth check`, `auth login`); sync resumes by itself: the file is read again when it changes' },
  PERMISSION: { then: 'person', meaning: '403: the account may not write the spreadsheet', action: 'share the spreadsheet with the account as Editor' },
  NOT_FOUND: { then: 'person', meaning: '404: no such spreadsheet (or not visible to the account)', action: 'check `sheets.spreadsheetId`, share it' },
  FULL: { then: 'person', meaning: 'cell limit reached, no overflow spreadsheet left', action: 'add one to `sheets.overflowSpreadsheetIds`' },
  CONFLICT: { then: 'person', meaning: 'a tab the gateway must use holds something else', action: 'rename that tab or set `sheets.tab`' },
  PROTECTED: { then: 'person', meaning: '403 on a protected range: a person protected cells sheetlog writes (the message names the range)', action: 'remove the protection, or add the account as an editor of the range; sync resumes by itself' },
  IO: { then: 'person', meaning: 'CSV: the file system failed (disk full, permissions)', action: 'free space / fix permissions; retried' },
  FILTERED: { then: 'retry', meaning: 'a notice, never a failure: a person\'s filter ends above the new rows, so they are written but hidden', action: 'widen or clear the filter to see them' },
  BAD_ROW: { then: 'quarantine', meaning: 'the stored row cannot be represented (a time outside years 1-9999, fields that are not a JSON object)', action: '`sheetlog quarantine list`; `drop` it, or `retry` after an upgrade that can write it' },
  BAD_REQUEST: { then: 'quarantine', meaning: 'the destination refused the content of a values write (400)', action: '`sheetlog quarantine list` shows the row and Google\'s reason' },
} as const satisfies Record<string, SinkInfo>;

export type NakCode = keyof typeof NAK;
export type ErrCode = keyof typeof ERR;
export type ApiErrorCode = keyof typeof API;
export type StoreErrorCode = keyof typeof STORE;
export type SinkErrorCode = keyof typeof SINK;
export type ConfigErrorCode = keyof typeof CONFIG;
export type CommandErrorCode = keyof typeof COMMAND;

/** A family of codes as docs/ERRORS.md lists it. */
export interface Family {
  readonly title: string;
  /** Where a person meets these codes. */
  readonly where: string;
  readonly codes: Readonly<Record<string, CodeInfo & { closes?: boolean; http?: number; then?: string; exit?: number }>>;
}

/** The families in the order docs/ERRORS.md shows them. */
export const FAMILIES: readonly Family[] = [
  { title: 'Protocol: NAK', where: '`NAK <seq> <code> <text>` to a board over TCP, MQTT or UDP: that one reading is refused for good and the board drops it. Counted per device.', codes: NAK },
  { title: 'Protocol: ERR', where: '`ERR <code> <text>` to a board: a connection-level refusal. "closes" applies to TCP; MQTT and UDP have no connection. Counted per device.', codes: ERR },
  { title: 'HTTP API', where: '`reason.code` in the JSON envelope of `/api/v1/...`, with the HTTP status shown.', codes: API },
  { title: 'Sync (sinks)', where: '`lastError.code` of a sink in `GET /api/v1/sync`, the dashboard\'s sync panel and the log. "then" says whether sync retries by itself or waits for a person.', codes: SINK },
  { title: 'Store', where: 'Opening the SQLite store, and the `sheetlog devices` commands (exit code 1).', codes: STORE },
  { title: 'Commands and start-up', where: 'The `sheetlog` command line, before or instead of running: one or two lines, then the exit code shown (no stack trace; it is logged at debug level).', codes: COMMAND },
  { title: 'Configuration', where: 'Start-up and every command that reads the configuration (exit code 2).', codes: CONFIG },
];
