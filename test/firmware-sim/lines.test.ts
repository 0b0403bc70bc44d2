import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineSplitter } from '../../firmware-sim/lines.js';

describe('LineSplitter (gateway replies)', () => {
  it('splits lines across chunks and accepts CRLF', () => {
    const s = new LineSplitter(512);
    assert.deepEqual(s.push(Buffer.from('ACK 1\r\nAC')), ['ACK 1']);
    assert.deepEqual(s.push(Buffer.from('K 2\nPONG\n\n')), ['ACK 2', 'PONG']);
  });

  it('keeps a multi-byte character split between chunks intact', () => {
    const s = new LineSplitter(512);
    const bytes = Buffer.from('ERR X café\n');
    assert.deepEqual(s.push(bytes.subarray(0, 9)), []);
    assert.deepEqual(s.push(bytes.subarray(9)), ['ERR X café']);
  });

  it('skips an over-long line up to its newline and counts it', () => {
    const s = new LineSplitter(8);
    assert.deepEqual(s.push(Buffer.from('ACK 12345')), []);
    assert.deepEqual(s.push(Buffer.from('6789\nACK 3\n')), ['ACK 3']);
    assert.deepEqual(s.push(Buffer.from('123456789\n')), []);
    assert.equal(s.overlongLines, 2);
  });
});
