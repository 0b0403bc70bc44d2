/**
 * sketches/esp8266_mqtt_logger built unchanged for the host (with the host's PubSubClient) and run
 * against the real gateway (a child process) over MQTT: through the gateway's embedded broker,
 * and through Mosquitto with the gateway subscribed to it (helpers/mqtt-delivery.ts has the
 * story): readings before Wi-Fi, one R message lost on the way (QoS 0), a dropped connection.
 * Outside CI the Mosquitto run skips loudly when Mosquitto is not installed; in CI that fails.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { mosquittoMissing } from '../helpers/mqtt.js';
import { assertClockOffsetLearned, assertExactlyOnce, assertReadingsBeforeLink, assertTimes } from './helpers/assertions.js';
import { buildSketch } from './helpers/build.js';
import { type MqttDeliveryOutcome, runMqttDelivery } from './helpers/mqtt-delivery.js';
import { ProcessGroup, stopAndRemove } from './helpers/processes.js';

const DEVICE = 'esp8266-mqtt-1';
const TOKEN = 'change-me-esp8266-mqtt-1';
const READINGS = 60;
const LOSE_READING = 14; // of the backlog sent after Wi-Fi came up
const DEFINES = { SAMPLE_PERIOD_MS: 100, BACKOFF_BASE_MS: 200, BACKOFF_MAX_MS: 2000, REPLY_TIMEOUT_MS: 1500 };

const mosquittoSkip = mosquittoMissing() ?? false;

for (const broker of ['embedded', 'mosquitto'] as const) {
  const skip = broker === 'mosquitto' ? mosquittoSkip : false;
  describe(`esp8266_mqtt_logger on the host, against the gateway (${broker} broker)`, { skip, timeout: 300_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), `sheetlog-mqtt-${broker}-`));
    const group = new ProcessGroup();
    let warnings: string[] = [];
    let o: MqttDeliveryOutcome;

    before(async () => {
      const built = await buildSketch('esp8266_mqtt_logger', dir, DEFINES);
      warnings = built.warnings;
      o = await runMqttDelivery(group, dir, {
        name: `esp8266-mqtt-${broker}`,
        binary: built.binary,
        device: DEVICE,
        token: TOKEN,
        readings: READINGS,
        wifiUpAfterMs: 1000,
        broker,
        loseReading: LOSE_READING,
      });
    });

    after(() => stopAndRemove(group, dir));

    it('compiles unchanged with g++ and no warnings', () => {
      assert.deepEqual(warnings, []);
    });

    it('stores every reading exactly once across a lost message and a dropped connection', () => {
      assertExactlyOnce(o, READINGS);
      const lost = o.published.filter((p) => p.lost);
      assert.equal(lost.length, 1, 'the proxy lost one R message');
      const lostSeq = Number(/ R (\d+) /.exec(lost[0]!.payload)?.[1]);
      const resent = o.published.filter((p) => !p.lost && new RegExp(` R ${lostSeq} `).test(p.payload));
      assert.ok(resent.length >= 1, `reading ${lostSeq}, lost on the way, was never resent`);
      assert.ok(o.helloOks >= 3, `HELLO OKs: boot, after the gap, after the drop (saw ${o.helloOks})`);
    });

    it('publishes what the gateway expects: HELLO with low=, readings under boot= and low=', () => {
      const hellos = o.published.filter((p) => p.topic === `sheetlog/${DEVICE}/hello`).map((p) => p.payload);
      assert.ok(hellos.length >= 3, `hellos: ${hellos.join(' | ')}`);
      for (const h of hellos) assert.match(h, new RegExp(`^HELLO ${DEVICE} ${TOKEN} boot=${o.board.boot} up=\\d+ fw=1\\.1\\.0 board=esp8266 reset=power missed=0 low=\\d+$`));
      const readings = o.published.filter((p) => p.topic === `sheetlog/${DEVICE}/r`);
      for (const r of readings) assert.match(r.payload, new RegExp(`^boot=${o.board.boot} low=\\d+ R \\d+ (u\\d+|\\d{13}) temp_c=`));
    });

    it('stamps readings taken before the link came up with the time they were taken', () => {
      assertReadingsBeforeLink(o, 5);
      assertTimes(o, 500);
    });

    it('teaches the gateway its clock offset with T off= on the t topic', () => {
      assertClockOffsetLearned(o, 100);
    });

    it('keeps a retained status: online while connected, the last will "lost" after it vanished', () => {
      assert.equal(o.statusWhileUp, 'online');
      assert.equal(o.statusAfterExit, 'lost');
    });
  });
}
