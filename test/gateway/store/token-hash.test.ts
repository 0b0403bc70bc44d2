import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashToken, SaltSource, tokenMatches } from '../../../gateway/store/token-hash.js';

test('salts from a SaltSource are 16 bytes, never repeat across draws, and verify their token', () => {
  const salts = new SaltSource();
  const seen = new Set<string>();
  // 600 salts cross two refills of the pool (256 salts per draw).
  for (let i = 0; i < 600; i++) {
    const salt = salts.next();
    assert.equal(salt.length, 16);
    const hex = salt.toString('hex');
    assert.ok(!seen.has(hex), `salt ${i} repeats`);
    seen.add(hex);
    const stored = hashToken(`tok-${i}`, salt);
    assert.ok(tokenMatches(`tok-${i}`, stored));
    assert.ok(!tokenMatches(`tok-${i}x`, stored));
  }
});

test('a salt handed out is not changed by the salts drawn after it', () => {
  const salts = new SaltSource();
  const first = salts.next();
  const copy = Buffer.from(first);
  for (let i = 0; i < 300; i++) salts.next();
  assert.deepEqual(first, copy);
});
