import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { errorsReference } from '../../gateway/errors/docs.js';
import { SINK, type SinkErrorCode as RegistrySinkCode } from '../../gateway/errors/registry.js';
import type { SinkErrorCode } from '../../gateway/sinks/contract.js';
import { CLOSING_ERR_CODES, ERR_CODES, NAK_CODES } from '../../gateway/protocol/codes.js';
import { API_ERRORS } from '../../gateway/api/errors.js';
import { ERRORS_MD, PROTOCOL_MD, withFreshProtocolCodes } from './errors-doc.js';

/** True only when A and B are the same union (checked by the compiler: `npm test` typechecks first). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sinkCodesAgree: Same<SinkErrorCode, RegistrySinkCode> = true;

test('docs/ERRORS.md is generated from the error registry (run `npm run docs:errors` after changing it)', () => {
  assert.equal(readFileSync(ERRORS_MD, 'utf8'), errorsReference());
});

test('the code tables of docs/PROTOCOL.md section 7 are generated from the registry too', () => {
  const protocol = readFileSync(PROTOCOL_MD, 'utf8');
  assert.equal(protocol, withFreshProtocolCodes(protocol));
});

test('the code lists the gateway matches on come from the registry', () => {
  assert.ok(sinkCodesAgree);
  assert.ok(NAK_CODES.includes('BAD_TS') && ERR_CODES.includes('AUTH_FAILED'));
  assert.ok(CLOSING_ERR_CODES.has('AUTH_FAILED') && !CLOSING_ERR_CODES.has('BAD_HELLO'));
  assert.equal(API_ERRORS.TOKEN_REQUIRED, 401);
  assert.ok(Object.keys(SINK).includes('RATE_LIMITED'));
});

test('every code in the reference appears once per family', () => {
  const doc = errorsReference();
  for (const section of doc.split('\n## ').slice(1)) {
    const codes = [...section.matchAll(/^\| `([A-Z_0-9]+)` \|/gm)].map((m) => m[1]);
    assert.equal(new Set(codes).size, codes.length, section.split('\n')[0]);
    assert.ok(codes.length > 0);
  }
});
