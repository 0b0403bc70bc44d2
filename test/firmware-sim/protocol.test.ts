import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  encodeHello,
  encodeReading,
  encodeTimeRequest,
  encodeValue,
  parseGatewayLine,
} from '../../firmware-sim/protocol.js';

describe('protocol encoders (board → gateway)', () => {
  it('encodes HELLO as in PROTOCOL.md section 8', () => {
    assert.equal(
      encodeHello({ deviceId: 'kitchen-1', token: 's3cr3t-t0ken', boot: 2849101, up: 5040, fw: '1.0.0', board: 'esp8266' }),
      'HELLO kitchen-1 s3cr3t-t0ken boot=2849101 up=5040 fw=1.0.0 board=esp8266',
    );
    assert.equal(encodeHello({ deviceId: 'a', token: 'b' }), 'HELLO a b');
  });

  it('encodes readings with the three timestamp forms and every value type', () => {
    assert.equal(
      encodeReading({ seq: 1, ts: { kind: 'uptime', millis: 1200 }, fields: [['temp_c', 21.5], ['humidity', 40]] }),
      'R 1 u1200 temp_c=21.5 humidity=40',
    );
    assert.equal(
      encodeReading({ seq: 2, ts: { kind: 'gateway' }, fields: [['temp_c', 21.6], ['door', false], ['note', 'window open']] }),
      'R 2 - temp_c=21.6 door=false note="window open"',
    );
    assert.equal(
      encodeReading({ seq: 3, ts: { kind: 'epoch', ms: 1795232400000 }, fields: [['temp_c', 21.7]] }),
      'R 3 1795232400000 temp_c=21.7',
    );
  });

  it('escapes quotes and backslashes in strings, and writes numbers in JSON syntax', () => {
    assert.equal(encodeValue('say "hi" \\o/'), '"say \\"hi\\" \\\\o/"');
    assert.equal(encodeValue(-0), '0');
    assert.equal(encodeValue(1e21), '1e+21');
    assert.equal(encodeValue(true), 'true');
  });

  it('refuses what the grammar forbids', () => {
    const reading = (over: object) => () =>
      encodeReading({ seq: 1, ts: { kind: 'gateway' }, fields: [['t', 1]], ...over } as Parameters<typeof encodeReading>[0]);
    assert.throws(reading({ seq: 0 }), /seq/);
    assert.throws(reading({ seq: 2 ** 32 }), /seq/);
    assert.throws(reading({ fields: [] }), /fields/);
    assert.throws(reading({ fields: [['t', 1], ['t', 2]] }), /duplicate/);
    assert.throws(reading({ fields: [['9x', 1]] }), /field name/);
    assert.throws(reading({ fields: [['t', Number.NaN]] }), /finite/);
    assert.throws(reading({ fields: [['t', 'two\nlines']] }), /CR, LF or NUL/);
    assert.throws(reading({ fields: [['t', 'x'.repeat(201)]] }), /200 bytes/);
    assert.throws(reading({ fields: Array.from({ length: 33 }, (_, i) => [`f${i}`, i]) }), /fields/);
    assert.throws(reading({ ts: { kind: 'uptime', millis: -1 } }), /u32/);
    assert.throws(() => encodeHello({ deviceId: 'bad id', token: 't' }), /device id/);
    assert.throws(() => encodeHello({ deviceId: 'a', token: 't', fw: 'x'.repeat(33) }), /fw/);
  });

  it('encodes time requests with the optional rtt= and off=', () => {
    assert.equal(encodeTimeRequest({ deviceMillis: 5021 }), 'T 5021');
    assert.equal(encodeTimeRequest({ deviceMillis: 7, rttMs: 12, offMs: -3 }), 'T 7 rtt=12 off=-3');
  });
});

describe('parseGatewayLine (gateway → board)', () => {
  it('decodes every reply of PROTOCOL.md section 4', () => {
    assert.deepEqual(parseGatewayLine('HELLO OK 1795232400140 0'), { kind: 'hello-ok', gatewayEpochMs: 1795232400140, ackedSeq: 0 });
    assert.deepEqual(parseGatewayLine('ACK 3'), { kind: 'ack', seq: 3 });
    assert.deepEqual(parseGatewayLine('NAK 4 BAD_VALUE field temp_c: empty value'), {
      kind: 'nak',
      seq: 4,
      code: 'BAD_VALUE',
      text: 'field temp_c: empty value',
    });
    assert.deepEqual(parseGatewayLine('T 5021 1795232400123'), { kind: 'time', deviceMillis: 5021, gatewayEpochMs: 1795232400123 });
    assert.deepEqual(parseGatewayLine('BUSY 5000'), { kind: 'busy', retryAfterMs: 5000 });
    assert.deepEqual(parseGatewayLine('ERR AUTH_FAILED wrong token'), { kind: 'err', code: 'AUTH_FAILED', text: 'wrong token' });
    assert.deepEqual(parseGatewayLine('PONG'), { kind: 'pong' });
    assert.deepEqual(parseGatewayLine('BYE'), { kind: 'bye' });
  });

  it('accepts several spaces between fields and a code without text', () => {
    assert.deepEqual(parseGatewayLine('ACK  7'), { kind: 'ack', seq: 7 });
    assert.deepEqual(parseGatewayLine('ERR INTERNAL'), { kind: 'err', code: 'INTERNAL', text: '' });
    assert.deepEqual(parseGatewayLine('NAK 9  BAD_TS   x  y'), { kind: 'nak', seq: 9, code: 'BAD_TS', text: 'x  y' });
  });

  it('marks lines the protocol does not allow as invalid', () => {
    for (const line of ['ACK', 'ACK -1', 'ACK 4294967296', 'ACK 1 2', 'HELLO OK 1', 'HELLO NO 1 2', 'NAK x BAD_TS', 'NAK 1 bad', 'ack 1', 'PONG 1', 'BUSY', 'T 1', 'WHAT']) {
      assert.equal(parseGatewayLine(line).kind, 'invalid', line);
    }
  });
});
