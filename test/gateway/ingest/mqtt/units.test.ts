import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay } from '../../../../gateway/ingest/mqtt/backoff.js';
import { parseHelloPayload, parseReadingPayload, parseStatusPayload, parseTimePayload } from '../../../../gateway/ingest/mqtt/payloads.js';
import { mqttReply } from '../../../../gateway/ingest/mqtt/replies.js';
import { SeqWindow, type StoredRun } from '../../../../gateway/ingest/mqtt/seq-window.js';
import { Topics } from '../../../../gateway/ingest/mqtt/topics.js';

/** A fake store for SeqWindow: the seqs "stored" for one boot. */
function storeOf(seqs: number[]): (after: number) => StoredRun {
  return (after) => {
    let prefix = after;
    const sorted = seqs.filter((s) => s > after).sort((a, b) => a - b);
    for (const s of sorted) {
      if (s !== prefix + 1) return { prefix, more: true };
      prefix = s;
    }
    return { prefix, more: false };
  };
}

test('SeqWindow: cumulative, never across a gap; low= closes gaps the board gave up', () => {
  const stored: number[] = [];
  const w = new SeqWindow(storeOf(stored));
  assert.equal(w.acked, 0);
  assert.equal(w.settle(1), true);
  assert.equal(w.settle(3), false);
  assert.equal(w.settle(4), false);
  assert.equal(w.acked, 1);
  assert.equal(w.settle(2), true);
  assert.equal(w.acked, 4);
  assert.equal(w.settle(2), false, 'a duplicate moves nothing');
  assert.equal(w.settle(7), false);
  assert.equal(w.raiseLow(7), true);
  assert.equal(w.acked, 7);
  assert.equal(w.raiseLow(3), false);
});

test('SeqWindow: starts from the store, and asks it again for what it could not remember', () => {
  const stored = [1, 2, 3, 5, 6];
  const w = new SeqWindow(storeOf(stored));
  assert.equal(w.acked, 3, 'prefix from the store');
  assert.equal(w.settle(4), true);
  assert.equal(w.acked, 6, 'the store holds 5 and 6 beyond the old gap');

  // Room for two seqs ahead of a gap: 4 and 5 are not remembered, but durable, so the store has them.
  const stored2: number[] = [];
  const small = new SeqWindow(storeOf(stored2), 2);
  for (const s of [2, 3, 4, 5]) {
    stored2.push(s); // committed, then settled
    small.settle(s);
  }
  assert.equal(small.acked, 0);
  small.settle(1); // NAKed (not in the store) at the head of the gap
  assert.equal(small.acked, 5);
});

test('backoff: exponential, capped, half of it jitter', () => {
  assert.equal(backoffDelay(0, 500, 30000, 0), 250);
  assert.equal(backoffDelay(0, 500, 30000, 0.999999), 500);
  assert.equal(backoffDelay(3, 500, 30000, 0), 2000);
  assert.equal(backoffDelay(20, 500, 30000, 0), 15000);
  assert.equal(backoffDelay(1000, 500, 30000, 1), 30000);
});

test('topics: inbound parsing, shared subscriptions, per-board ACL', () => {
  const t = new Topics('sheetlog');
  assert.deepEqual(t.parse('sheetlog/kitchen-1/r'), { device: 'kitchen-1', kind: 'r' });
  assert.equal(t.parse('sheetlog/kitchen-1/ack'), null);
  assert.equal(t.parse('sheetlog/kitchen-1/r/x'), null);
  assert.equal(t.parse('other/kitchen-1/r'), null);
  assert.equal(t.parse('sheetlog/bad id/r'), null);
  assert.deepEqual(t.subscriptions('g1'), ['$share/g1/sheetlog/+/r', '$share/g1/sheetlog/+/t', '$share/g1/sheetlog/+/status', 'sheetlog/+/hello']);
  assert.deepEqual(new Topics('lab/floor-2').subscriptions(undefined), ['lab/floor-2/+/r', 'lab/floor-2/+/t', 'lab/floor-2/+/status', 'lab/floor-2/+/hello']);
  assert.equal(new Topics('lab/floor-2').parse('lab/floor-2/d1/hello')?.device, 'd1');
  assert.equal(t.boardMayPublish('a', 'sheetlog/a/r'), true);
  assert.equal(t.boardMayPublish('a', 'sheetlog/b/r'), false);
  assert.equal(t.boardMayPublish('a', 'sheetlog/a/ack'), false, 'boards do not forge gateway replies');
  assert.equal(t.boardMaySubscribe('a', 'sheetlog/a/#'), true);
  assert.equal(t.boardMaySubscribe('a', 'sheetlog/+/ack'), false);
  assert.equal(t.boardMaySubscribe('a', 'sheetlog/ab/ack'), false);
});

test('payloads: hello in key, HELLO-line and JSON forms; time requests; status; replies name the boot', () => {
  const keys = parseHelloPayload('d1', Buffer.from('boot=5 up=100 fw=1.2 board=esp8266 low=3\n'));
  assert.ok(keys.ok);
  assert.deepEqual([keys.hello.boot, keys.hello.up, keys.hello.fw, keys.hello.board, keys.low, keys.hasToken], [5, 100, '1.2', 'esp8266', 3, false]);
  const line = parseHelloPayload('d1', Buffer.from('HELLO d1 tok-1 boot=6'));
  assert.ok(line.ok && line.hello.token === 'tok-1' && line.hasToken && line.hello.boot === 6);
  assert.ok(!parseHelloPayload('d2', Buffer.from('HELLO d1 tok-1 boot=6')).ok, 'the HELLO must name the topic device');
  const json = parseHelloPayload('d1', Buffer.from('{"boot":7,"token":"t-2"}'));
  assert.ok(json.ok && json.hello.boot === 7 && json.hasToken && json.hello.token === 't-2');
  const bad = parseHelloPayload('d1', Buffer.from('boot=x'));
  assert.ok(!bad.ok && bad.refusal.code === 'BAD_HELLO');

  const time = parseTimePayload(Buffer.from('5021 rtt=12 off=-5'));
  assert.ok(time.ok && time.request.millis === 5021 && time.request.rtt === 12 && time.request.off === -5);
  assert.ok(parseTimePayload(Buffer.from('T 5021')).ok);
  assert.ok(!parseTimePayload(Buffer.from('soon')).ok);

  assert.equal(parseStatusPayload(Buffer.from('online')), 'online');
  assert.equal(parseStatusPayload(Buffer.from('lost\n')), 'lost');
  assert.equal(parseStatusPayload(Buffer.from('maybe')), null);

  const long = parseReadingPayload(Buffer.from(`boot=1 R 9 - x="${'y'.repeat(100)}"`), 64);
  assert.ok(!long.ok && long.refusal.scope === 'nak' && long.refusal.seq === 9 && long.refusal.code === 'LINE_TOO_LONG');
  const longJson = parseReadingPayload(Buffer.from(`{"seq":10,"fields":{"x":"${'y'.repeat(100)}"}}`), 64);
  assert.ok(!longJson.ok && longJson.refusal.scope === 'nak' && longJson.refusal.seq === 10);

  assert.equal(mqttReply.ack(5, 9), 'ACK 5 boot=9');
  assert.equal(mqttReply.helloOk(1000, 4, 9), 'HELLO OK 1000 4 boot=9');
  assert.equal(mqttReply.nak(5, 'BAD_VALUE', 'x', 9), 'NAK 5 BAD_VALUE boot=9 x');
  assert.equal(mqttReply.nak(5, 'BAD_VALUE', 'x', null), 'NAK 5 BAD_VALUE x');
});
