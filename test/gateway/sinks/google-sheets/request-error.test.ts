import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SinkErrorCode } from '../../../../gateway/errors/registry.js';
import { SINK } from '../../../../gateway/errors/registry.js';
import { CredentialsError } from '../../../../gateway/sinks/google-sheets/credentials.js';
import { SHEETS_ERROR_TABLE, sinkCodeFor } from '../../../../gateway/sinks/google-sheets/error-table.js';
import { classify } from '../../../../gateway/sinks/google-sheets/errors.js';
import { fromClientError } from '../../../../gateway/sinks/google-sheets/google-errors.js';
import { SheetsRequestError, type SheetsRequestFacts, type SheetsRequestKind } from '../../../../gateway/sinks/google-sheets/request-error.js';
import { LimiterClosedError } from '../../../../gateway/sinks/rate-limiter.js';

/** Google's API error as gaxios hands it over (a GaxiosError, matched by shape). */
function apiError(status: number, message: string, googleStatus = 'INVALID_ARGUMENT', details: unknown[] = [], headers: Record<string, string> = {}) {
  return { response: { status, data: { error: { code: status, message, status: googleStatus, details } }, headers: new Headers(headers) } };
}

/** The token endpoint's refusal. */
function tokenError(status: number, error: string, description = '') {
  return { response: { status, data: { error, error_description: description } } };
}

function facts(kind: SheetsRequestKind, status: number | null, detail = '', extra: Partial<SheetsRequestFacts> = {}): SheetsRequestFacts {
  return { kind, status, googleStatus: null, reason: null, detail, ...extra };
}

test('the mapping table: status and Google\'s message to a SINK code, first match wins', () => {
  const cases: [SheetsRequestFacts, SinkErrorCode, boolean][] = [
    [facts('token', 400, 'Token has been expired or revoked.', { googleStatus: 'invalid_grant' }), 'AUTH', false],
    [facts('token', 401, '', { googleStatus: 'invalid_client' }), 'AUTH', false],
    [facts('token', 503, '', { googleStatus: 'temporarily_unavailable' }), 'UNAVAILABLE', false],
    [facts('token', 429, '', { googleStatus: 'rate_limit_exceeded' }), 'RATE_LIMITED', false],
    [facts('values-write', null, 'timed out', { noAnswer: 'timeout' }), 'TIMEOUT', false],
    [facts('metadata', null, 'socket hang up', { noAnswer: 'connection' }), 'UNAVAILABLE', false],
    [facts('values-write', 429, 'Quota exceeded'), 'RATE_LIMITED', false],
    [facts('metadata', 401, 'Request had invalid authentication credentials.'), 'AUTH', false],
    [facts('values-write', 403, 'You are trying to edit a protected cell or object.'), 'PROTECTED', false],
    [facts('metadata', 403, 'The caller does not have permission'), 'PERMISSION', false],
    [facts('metadata', 404, 'Requested entity was not found.'), 'NOT_FOUND', false],
    [facts('values-read', 408, 'Request timeout'), 'UNAVAILABLE', false],
    [facts('values-write', 500, 'Internal error encountered.'), 'UNAVAILABLE', false],
    [facts('structural', 503, 'The service is currently unavailable.'), 'UNAVAILABLE', false],
    [facts('values-write', 400, 'Unable to parse range: readings!A1'), 'CONFLICT', true],
    [facts('structural', 400, 'Invalid requests[0].updateCells: No grid with id: 5'), 'CONFLICT', true],
    [facts('structural', 400, 'This action would increase the number of cells in the workbook above the limit of 10000000 cells.'), 'FULL', true],
    [facts('values-write', 400, 'Range (readings!A1:H9) exceeds grid limits. Max rows: 5, max columns: 8'), 'CONFLICT', true],
    [facts('structural', 400, 'A sheet with the name "readings" already exists.'), 'CONFLICT', true],
    [facts('values-write', 400, 'Invalid value at data[0].values[0]'), 'BAD_REQUEST', false],
    [facts('values-write', 409, 'Aborted'), 'BAD_REQUEST', false],
  ];
  for (const [f, code, badRange] of cases) {
    assert.deepEqual(sinkCodeFor(f), { code, badRange }, `${f.kind} ${f.status} ${f.detail}`);
  }
  // Every code the table gives is one of the registry's SINK codes (the worker acts on its handling).
  for (const rule of SHEETS_ERROR_TABLE) assert.ok(rule.code in SINK, rule.code);
});

test('a Google body becomes a SheetsRequestError carrying status, Google\'s status and reason, hints and the code', () => {
  const e = fromClientError(apiError(429, 'Quota exceeded', 'RESOURCE_EXHAUSTED', [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'RATE_LIMIT_EXCEEDED', metadata: {} }], { 'retry-after': '7' }), 'values-write');
  assert.ok(e instanceof SheetsRequestError);
  assert.equal(e.kind, 'values-write');
  assert.equal(e.status, 429);
  assert.equal(e.googleStatus, 'RESOURCE_EXHAUSTED');
  assert.equal(e.reason, 'RATE_LIMIT_EXCEEDED');
  assert.equal(e.code, 'RATE_LIMITED');
  assert.equal(e.retryAfterMs, 7000);
  assert.equal(e.mayHaveApplied, false, 'a 429 was refused before anything was applied');
  assert.equal(e.message, '429 Quota exceeded');
  assert.equal(fromClientError(apiError(429, 'q', 'RESOURCE_EXHAUSTED', [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1.5s' }]), 'metadata').retryAfterMs, 1500);
  assert.equal(fromClientError(e, 'metadata'), e, 'an error already converted passes through');
});

test('a 429 names its limit per user or per project', () => {
  const project = fromClientError(
    apiError(429, "Quota exceeded for quota metric 'Write requests' and limit 'Write requests per minute' of service 'sheets.googleapis.com'.", 'RESOURCE_EXHAUSTED', [
      { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'RATE_LIMIT_EXCEEDED', metadata: { quota_limit: 'WriteRequestsPerMinutePerProject', quota_limit_value: '300', quota_unit: '1/min/{project}' } },
    ]),
    'values-write',
  );
  assert.deepEqual(project.quota, { limit: 'WriteRequestsPerMinutePerProject', scope: 'project', value: 300 });
  const user = fromClientError(apiError(429, "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per user' of service 'sheets.googleapis.com'."), 'values-read');
  assert.deepEqual(user.quota, { limit: 'Read requests per minute per user', scope: 'user' });
  assert.equal(fromClientError(apiError(429, 'Too many requests'), 'values-read').quota, undefined);
  assert.equal(fromClientError(apiError(403, "limit 'x per user'"), 'values-read').quota, undefined, 'only a 429 names a quota');
});

test('the token endpoint\'s refusal is a token request, whatever call needed the token', () => {
  const e = fromClientError(tokenError(400, 'invalid_grant', 'Token has been expired or revoked.'), 'values-write');
  assert.equal(e.kind, 'token');
  assert.equal(e.code, 'AUTH');
  assert.equal(e.googleStatus, 'invalid_grant');
  assert.equal(e.mayHaveApplied, false, 'the write was never sent');
  assert.equal(e.message, 'Google refused the credentials (invalid_grant: Token has been expired or revoked.)');
  assert.equal(fromClientError(tokenError(503, 'temporarily_unavailable'), 'metadata').code, 'UNAVAILABLE', 'the token endpoint being down is not a credentials problem');
});

test('without an answer: a write may have been applied, a read not; timeouts are TIMEOUT', () => {
  const hangUp = () => new Error('request to http://x/y failed, reason: socket hang up');
  const write = fromClientError(hangUp(), 'values-write');
  assert.equal(write.code, 'UNAVAILABLE');
  assert.equal(write.status, null);
  assert.equal(write.mayHaveApplied, true);
  assert.match(write.message, /^connection failed \(socket hang up; the write may have been applied/);
  const read = fromClientError(hangUp(), 'values-read');
  assert.equal(read.mayHaveApplied, false);
  assert.equal(read.message, 'connection failed (socket hang up)');
  const timeout = fromClientError(Object.assign(new Error('aborted'), { code: 'TimeoutError' }), 'structural');
  assert.equal(timeout.code, 'TIMEOUT');
  assert.equal(timeout.mayHaveApplied, true);
  const causeTimeout = fromClientError(Object.assign(new Error('x'), { cause: Object.assign(new Error('The operation was aborted'), { name: 'AbortError' }) }), 'metadata');
  assert.equal(causeTimeout.code, 'TIMEOUT');
  assert.equal(fromClientError(apiError(500, 'Internal error encountered.', 'INTERNAL'), 'structural').mayHaveApplied, true, 'a 5xx write may have landed');
  assert.equal(fromClientError(apiError(400, 'Invalid value'), 'values-write').mayHaveApplied, false, 'a 4xx was refused whole');
});

test('classify: request errors keep their code; the credentials file is AUTH, shutdown UNAVAILABLE, anything else INTERNAL', () => {
  const f = classify(fromClientError(apiError(400, 'Unable to parse range: readings!A1'), 'values-write'));
  assert.deepEqual(f, { code: 'CONFLICT', status: 400, message: '400 Unable to parse range: readings!A1', kind: 'values-write', badRange: true, mayHaveApplied: false });
  assert.equal(classify(new CredentialsError('no file')).code, 'AUTH');
  assert.equal(classify(new LimiterClosedError()).code, 'UNAVAILABLE');
  const bug = classify(new TypeError('x is undefined'));
  assert.equal(bug.code, 'INTERNAL');
  assert.match(bug.message, /x is undefined/);
});
