import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseHelloPayload, parseReadingPayload, parseTimePayload } from '../../gateway/ingest/mqtt/payloads.js';
import { mqttReply } from '../../gateway/ingest/mqtt/replies.js';
import { MqttLinkMapping, type Inbound, type Outbound } from '../../firmware-sim/mqtt-mapping.js';

/** The board's half of the MQTT mapping, checked against the gateway's own payload parsers. */
const text = (s: string) => Buffer.from(s);
const publish = (actions: Outbound[]) => actions.map((a) => (a.kind === 'publish' ? [a.topic, a.payload.toString('latin1'), a.retain] : ['local', a.line]));
const line = (i: Inbound) => (i.kind === 'line' ? i.line : `stale: ${i.reason}`);

function online(boot = 9): MqttLinkMapping {
  const m = new MqttLinkMapping('kitchen-1');
  m.outbound(text(`HELLO kitchen-1 tok boot=${boot} up=5 low=1`));
  assert.equal(line(m.inbound('sheetlog/kitchen-1/ack', text(mqttReply.helloOk(1000, 0, boot)))), 'HELLO OK 1000 0');
  return m;
}

describe('MQTT mapping (board side)', () => {
  it('publishes HELLO, T and R on their topics; readings carry the boot of the HELLO', () => {
    const m = new MqttLinkMapping('kitchen-1');
    const hello = 'HELLO kitchen-1 s3cr3t boot=2849101 up=5040 fw=sim-0.1.0 board=esp8266 low=1';
    assert.deepEqual(publish(m.outbound(text('T 5021'))), [['sheetlog/kitchen-1/t', 'T 5021', false]]);
    assert.deepEqual(publish(m.outbound(text(hello))), [['sheetlog/kitchen-1/hello', hello, false]]);
    assert.deepEqual(publish(m.outbound(text('R 1 u1200 temp_c=21.5'))), [['sheetlog/kitchen-1/r', 'boot=2849101 R 1 u1200 temp_c=21.5', false]]);
    const qos0 = (line: string) => m.outbound(text(line)).map((a) => a.kind === 'publish' && a.qos0 === true);
    assert.deepEqual([qos0('T 5022'), qos0('R 2 - x=1')], [[true], [false]], 'time requests at QoS 0 whatever the board\'s QoS');
    // What the gateway makes of them:
    const h = parseHelloPayload('kitchen-1', text(hello));
    assert.ok(h.ok && h.hello.boot === 2849101 && h.hello.token === 's3cr3t' && h.low === 1);
    const r = parseReadingPayload(text('boot=2849101 R 1 u1200 temp_c=21.5'), 1024);
    assert.ok(r.ok && r.meta.boot === 2849101 && r.message.seq === 1);
    const t = parseTimePayload(text('T 5021'));
    assert.ok(t.ok && t.request.millis === 5021);
  });

  it('answers PING itself and turns BYE into a retained offline status', () => {
    const m = online();
    assert.deepEqual(publish(m.outbound(text('PING'))), [['local', 'PONG']]);
    assert.deepEqual(publish(m.outbound(text('BYE'))), [['sheetlog/kitchen-1/status', 'offline', true], ['local', 'BYE']]);
  });

  it('malformed lines go to the reading topic byte for byte, behind the boot', () => {
    const m = online(9);
    const bad = Buffer.from([0x58, 0x20, 0xc3, 0x28]);
    const [action] = m.outbound(bad);
    assert.ok(action?.kind === 'publish' && action.topic === 'sheetlog/kitchen-1/r');
    assert.deepEqual(action.payload, Buffer.concat([text('boot=9 '), bad]));
    const refused = parseReadingPayload(action.payload, 1024);
    assert.ok(!refused.ok && refused.refusal.code === 'BAD_UTF8');
  });

  it('strips the boot from replies and passes on what a TCP connection would have said', () => {
    const m = online(9);
    m.outbound(text('R 1 - x=1'));
    m.outbound(text('R 2 - x='));
    m.outbound(text('T 700'));
    assert.equal(line(m.inbound('sheetlog/kitchen-1/ack', text(mqttReply.nak(2, 'BAD_VALUE', 'field x: empty value', 9)))), 'NAK 2 BAD_VALUE field x: empty value');
    assert.equal(line(m.inbound('sheetlog/kitchen-1/ack', text(mqttReply.ack(1, 9)))), 'ACK 1');
    assert.equal(line(m.inbound('sheetlog/kitchen-1/t/reply', text(mqttReply.time(700, 123456)))), 'T 700 123456');
    const busy = m.inbound('sheetlog/kitchen-1/ack', text(mqttReply.busy(5000)));
    assert.deepEqual(busy, { kind: 'line', line: 'BUSY 5000', closes: true });
    assert.deepEqual(m.inbound('sheetlog/kitchen-1/ack', text(mqttReply.err('REVOKED', 'device was revoked'))), {
      kind: 'line',
      line: 'ERR REVOKED device was revoked',
      closes: true,
    });
    assert.deepEqual(m.inbound('sheetlog/kitchen-1/ack', text(mqttReply.err('BAD_SEQ', 'x'))), { kind: 'line', line: 'ERR BAD_SEQ x', closes: false });
  });

  it('drops replies that answer an earlier link or another boot', () => {
    const m = new MqttLinkMapping('kitchen-1');
    m.outbound(text('HELLO kitchen-1 tok boot=9 up=5'));
    m.outbound(text('T 42'));
    const ack = (s: string) => line(m.inbound('sheetlog/kitchen-1/ack', text(s)));
    assert.match(ack('ACK 3 boot=9'), /^stale: ACK before this link's HELLO OK/);
    assert.match(ack('HELLO OK 1 3 boot=8'), /^stale: HELLO OK for another boot/);
    assert.equal(ack('HELLO OK 1 3 boot=9'), 'HELLO OK 1 3');
    assert.match(ack('HELLO OK 2 3 boot=9'), /^stale: HELLO OK answering an earlier link/, 'one HELLO, one HELLO OK');
    assert.match(ack('ACK 4 boot=8'), /^stale: ACK for another boot/);
    assert.match(ack('NAK 4 BAD_TS boot=9 bad ts'), /^stale: NAK for seq 4, not sent on this link/);
    assert.match(line(m.inbound('sheetlog/kitchen-1/t/reply', text('T 41 1000'))), /^stale: time reply/);
    assert.equal(line(m.inbound('sheetlog/kitchen-1/t/reply', text('T 42 1000'))), 'T 42 1000');
    assert.match(line(m.inbound('sheetlog/kitchen-1/t/reply', text('T 42 1000'))), /^stale: /, 'each request is answered once');
    m.outbound(text('R 4 - x=1'));
    m.outbound(text('R 5 - x=1'));
    assert.equal(ack('ACK 4 boot=9'), 'ACK 4');
    assert.match(ack('NAK 4 BAD_TS boot=9 late'), /^stale: NAK for seq 4/, 'an ACK settled seq 4 already');
    assert.equal(ack('NAK 5 BAD_TS boot=9 bad ts'), 'NAK 5 BAD_TS bad ts');
  });
});
