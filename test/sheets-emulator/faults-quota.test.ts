// Fault specs, the seeded fault injector and the quota tracker, without HTTP.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SpecError } from './errors.js';
import { FaultInjector, faultConfigFrom, parseFaultSpec } from './faults.js';
import { DEFAULT_QUOTAS, QuotaTracker, parseQuotaSpec, quotaExceededError } from './quota.js';

describe('fault spec grammar', () => {
  it('parses probabilities, latency, seed, scope and queued faults', () => {
    const config = parseFaultSpec('429=0.1, 503=0.05,drop-after-apply=0.05,latency=20-200@0.5,seed=42,on=writes,next-write=drop-after-apply*2,next-token=503,next-read=latency:300');
    assert.deepEqual(config.probabilities, { '429': 0.1, '503': 0.05, 'drop-after-apply': 0.05 });
    assert.deepEqual(config.latency, { minMs: 20, maxMs: 200, probability: 0.5 });
    assert.equal(config.seed, 42);
    assert.equal(config.appliesTo, 'writes');
    assert.deepEqual(config.queue, [
      { target: 'write', action: 'drop-after-apply', count: 2 },
      { target: 'token', action: '503', count: 1 },
      { target: 'read', action: 'latency', count: 1, latencyMs: 300 },
    ]);
  });

  it('rejects unknown faults, bad numbers and probabilities adding up past 1', () => {
    for (const bad of ['404=0.1', '503=2', '503=abc', '429=0.6,503=0.6', 'latency=200-20', 'next-write=teapot', 'next-nobody=503', 'on=sometimes', 'seed']) {
      assert.throws(() => parseFaultSpec(bad), SpecError, bad);
    }
  });

  it('accepts a spec, {spec} or a config object from the control endpoint', () => {
    assert.equal(faultConfigFrom({ spec: '500=1' }).probabilities['500'], 1);
    assert.equal(faultConfigFrom({ probabilities: { '503': 0.5 } }).probabilities['503'], 0.5);
    assert.throws(() => faultConfigFrom({ probabilities: { '503': 5 } }), SpecError);
  });
});

describe('FaultInjector', () => {
  it('is reproducible: the same seed gives the same faults', () => {
    const run = (seed: number): string[] => {
      const inj = new FaultInjector(parseFaultSpec(`429=0.2,503=0.2,drop-after-apply=0.1,latency=5-50@0.5,seed=${seed}`));
      return Array.from({ length: 200 }, () => {
        const d = inj.decide('write');
        return `${d.action ?? '-'}/${d.latencyMs}`;
      });
    };
    assert.deepEqual(run(7), run(7));
    assert.notDeepEqual(run(7), run(8));
    const counts = run(7).filter((s) => s.startsWith('429')).length;
    assert.ok(counts > 20 && counts < 60, `about 20% 429s, got ${counts}`);
  });

  it('serves queued faults first, to matching requests only, exactly count times', () => {
    const inj = new FaultInjector(parseFaultSpec('next-write=drop-after-apply*2,next-token=500'));
    assert.equal(inj.decide('read').action, undefined);
    assert.equal(inj.decide('write').action, 'drop-after-apply');
    assert.equal(inj.decide('token').action, '500');
    assert.equal(inj.decide('write').action, 'drop-after-apply');
    assert.equal(inj.decide('write').action, undefined);
    assert.deepEqual(inj.describe().queue, []);
  });

  it('never faults token requests at random, and honours on=reads', () => {
    const inj = new FaultInjector(parseFaultSpec('503=1,on=reads'));
    assert.equal(inj.decide('token').action, undefined);
    assert.equal(inj.decide('write').action, undefined);
    assert.equal(inj.decide('read').action, '503');
  });
});

describe('QuotaTracker', () => {
  it('allows 60 writes per user per minute, then refuses until the window slides', () => {
    const quotas = new QuotaTracker(DEFAULT_QUOTAS);
    const t0 = 1_000_000;
    for (let i = 0; i < 60; i++) assert.equal(quotas.take('write', 'sa@x', t0 + i), undefined);
    assert.deepEqual(quotas.take('write', 'sa@x', t0 + 100), { kind: 'write', scope: 'user', limit: 60 });
    assert.equal(quotas.take('read', 'sa@x', t0 + 100), undefined, 'reads are counted separately');
    assert.equal(quotas.take('write', 'sa@x', t0 + 59_999)?.scope, 'user', 'still inside the window');
    assert.equal(quotas.take('write', 'sa@x', t0 + 60_000), undefined, 'the oldest request left the window');
  });

  it('caps the project across users at 300 per minute', () => {
    const quotas = new QuotaTracker(DEFAULT_QUOTAS);
    for (let u = 0; u < 5; u++) for (let i = 0; i < 60; i++) assert.equal(quotas.take('write', `user${u}`, 0), undefined);
    assert.deepEqual(quotas.take('write', 'user9', 0), { kind: 'write', scope: 'project', limit: 300 });
  });

  it('builds Google\'s RESOURCE_EXHAUSTED body', () => {
    const body = quotaExceededError('write', 'user', 60).toBody();
    assert.equal(body.error.code, 429);
    assert.equal(body.error.status, 'RESOURCE_EXHAUSTED');
    assert.equal(
      body.error.message,
      "Quota exceeded for quota metric 'Write requests' and limit 'Write requests per minute per user' of service 'sheets.googleapis.com' for consumer 'project_number:123456789012'.",
    );
    const info = body.error.details?.[0] as { reason: string; metadata: Record<string, string> };
    assert.equal(info.reason, 'RATE_LIMIT_EXCEEDED');
    assert.equal(info.metadata['quota_limit'], 'WriteRequestsPerMinutePerUser');
    assert.match(quotaExceededError('read', 'project', 300).message, /limit 'Read requests per minute' of service/);
  });

  it('parses a quota spec', () => {
    assert.deepEqual(parseQuotaSpec('writes-per-user=5,window-ms=1000'), { ...DEFAULT_QUOTAS, writesPerUser: 5, windowMs: 1000 });
    assert.throws(() => parseQuotaSpec('writes=5'), SpecError);
  });
});
