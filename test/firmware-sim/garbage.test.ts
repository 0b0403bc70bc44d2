import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GARBAGE_KIND_NAMES, pickGarbage } from '../../firmware-sim/garbage.js';
import { createRng } from '../../firmware-sim/rng.js';

describe('garbage lines', () => {
  it('covers every kind, and each names the code PROTOCOL.md section 7 prescribes', () => {
    const rng = createRng(5);
    let seq = 10;
    const seen = new Map<string, { bytes: Buffer; expect: unknown }>();
    for (let i = 0; i < 2000 && seen.size < GARBAGE_KIND_NAMES.length; i++) {
      const g = pickGarbage(rng, () => ++seq, 'HELLO d t boot=1');
      seen.set(g.name, g);
    }
    assert.equal(seen.size, GARBAGE_KIND_NAMES.length);
    const codes = Object.fromEntries([...seen].map(([name, g]) => [name, g.expect]));
    assert.equal((codes['empty-value'] as { code: string }).code, 'BAD_VALUE');
    assert.equal((codes['unknown-verb'] as { kind: string }).kind, 'err');
    for (const [name, g] of seen) {
      assert.ok(!g.bytes.includes(0x0a), `${name}: no newline inside`);
      const long = name.startsWith('long');
      assert.equal(g.bytes.length > 512, long, `${name}: only the long kinds exceed 512 bytes`);
    }
    assert.equal(seen.get('bad-utf8-line')?.bytes.toString('utf8').includes('\ufffd'), true);
  });

  it('gives malformed readings a fresh seq that the expectation carries', () => {
    const rng = createRng(9);
    let seq = 0;
    for (let i = 0; i < 200; i++) {
      const before = seq;
      const g = pickGarbage(rng, () => ++seq, 'HELLO d t');
      if (g.expect.kind === 'nak') {
        assert.equal(g.expect.seq, before + 1);
        assert.ok(g.bytes.toString('latin1').startsWith(`R ${before + 1} `) || g.bytes.toString('latin1') === `R ${before + 1} -`);
      } else assert.equal(seq, before, 'connection-level garbage takes no seq');
    }
  });
});
