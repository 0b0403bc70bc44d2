import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { derivedToken, generatedId, parseTokenFile } from '../../firmware-sim/credentials.js';
import { isToken } from '../../firmware-sim/protocol.js';

describe('credentials', () => {
  it('derives a stable token inside the protocol grammar', () => {
    assert.equal(derivedToken('sim-esp8266-0001'), derivedToken('sim-esp8266-0001'));
    assert.notEqual(derivedToken('a'), derivedToken('b'));
    assert.ok(isToken(derivedToken('x')));
  });

  it('generates zero-padded ids', () => {
    assert.equal(generatedId('sim', 'esp8266', 6, 200), 'sim-esp8266-0007');
    assert.equal(generatedId('t', 'feather-m0', 0, 20000), 't-feather-m0-00001');
  });

  it('reads a token file object and reports bad entries clearly', () => {
    assert.deepEqual(parseTokenFile('{"kitchen-1":"s3cr3t","b":"t/+="}'), [
      { id: 'kitchen-1', token: 's3cr3t' },
      { id: 'b', token: 't/+=' },
    ]);
    assert.throws(() => parseTokenFile('[1]'), /JSON object/);
    assert.throws(() => parseTokenFile('{'), /not JSON/);
    assert.throws(() => parseTokenFile('{"bad id":"t"}'), /bad device id/);
    assert.throws(() => parseTokenFile('{"a":"no spaces"}'), /bad token for a/);
    assert.throws(() => parseTokenFile('{"a":1}'), /bad token for a/);
  });
});
