/**
 * The end-to-end story of the MQTT sketch against the real gateway (a child process), through a
 * broker: the gateway's embedded one (`mqtt.embedded`), or Mosquitto with the gateway subscribed.
 * A proxy between the board and the broker can lose a message the way QoS 0 may.
 *
 *   1. The board boots with Wi-Fi out of range and takes readings (stamped u<millis>).
 *   2. Wi-Fi comes up: MQTT login, HELLO, the backlog goes out, T exchanges teach the board the
 *      time. One R message is lost on the way: the gateway's ACKs stop at the gap, the board hears
 *      nothing more, says HELLO again and resends from the HELLO OK's acked-seq.
 *   3. The link drops (`!host drop`) and comes back; the board resends what was not acknowledged.
 *   4. Sampling stops after plan.readings; the test waits until the board holds nothing unacked,
 *      reads the retained status, lets the board vanish and reads the last will.
 *
 * Every wait is on an observable event (a log line, an MQTT message); nothing sleeps.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import mqtt from 'mqtt';

import { startMosquitto, type Mosquitto } from '../../helpers/mqtt.js';
import { startBoard, waitForAck, waitForAllAcked, waitForHelloOk } from './board.js';
import type { DeliveryOutcome } from './delivery.js';
import { deviceClock, startGateway, storedReadings } from './gateway.js';
import { MqttLossyProxy, type Published } from './mqtt-lossy-proxy.js';
import type { ProcessGroup } from './processes.js';

export interface MqttDeliveryPlan {
  name: string;
  binary: string;
  device: string;
  token: string;
  readings: number;
  wifiUpAfterMs: number;
  broker: 'embedded' | 'mosquitto';
  /** The Nth R message the board publishes (counted over the run) is lost before the broker. */
  loseReading: number;
}

export interface MqttDeliveryOutcome extends DeliveryOutcome {
  /** Every PUBLISH the board made, in order, with the one lost. */
  published: Published[];
  statusWhileUp: string | undefined;
  statusAfterExit: string | undefined;
}

export async function runMqttDelivery(group: ProcessGroup, workDir: string, plan: MqttDeliveryPlan): Promise<MqttDeliveryOutcome> {
  const dataDir = join(workDir, `data-${plan.name}`);
  mkdirSync(dataDir, { recursive: true });
  let mosquitto: Mosquitto | null = null;
  let proxy: MqttLossyProxy | null = null;
  try {
    if (plan.broker === 'mosquitto') mosquitto = await startMosquitto();
    const mqttConfig = mosquitto ? { url: mosquitto.url } : { embedded: true, embeddedHost: '127.0.0.1', embeddedPort: 0 };
    const configPath = join(workDir, `${plan.name}.config.json`);
    writeFileSync(configPath, JSON.stringify({ mqtt: mqttConfig }));
    const gateway = await startGateway(group, dataDir, `gateway-${plan.name}`, ['--config', configPath]);
    await gateway.child.waitFor((l) => l.includes('"msg":"mqtt subscribed"'), 90_000);
    const brokerPort = mosquitto?.port ?? gateway.mqttBrokerPort;
    if (brokerPort === null) throw new Error('the gateway reported no MQTT broker port');
    const brokerUrl = `mqtt://127.0.0.1:${brokerPort}`;

    let readingsSeen = 0;
    proxy = await MqttLossyProxy.start({ host: '127.0.0.1', port: brokerPort }, (topic) =>
      topic === `sheetlog/${plan.device}/r` ? ++readingsSeen === plan.loseReading : false,
    );
    const board = await startBoard(group, plan.name, plan.binary, {
      gateway: `127.0.0.1:${proxy.port}`,
      wifiUpAfterMs: plan.wifiUpAfterMs,
      readings: plan.readings,
    });

    const hello = await waitForHelloOk(board, 0, 60_000);
    const pendingAtHello = Number(/pending=(\d+)$/.exec(hello.line)?.[1]);
    // The lost message: ACKs stall at its gap until the board asks again.
    const again = await board.child.waitFor(/^sheetlog: no answer from gateway: hello again$/, 90_000, hello.index);
    await waitForHelloOk(board, again.index, 90_000);
    await waitForAck(board, Math.max(pendingAtHello, plan.loseReading) + 5, 90_000, again.index);

    const beforeDrop = board.child.lines.length;
    board.child.send('!host drop');
    await board.child.waitFor(/^sheetlog: link down \(mqtt connection lost\)/, 20_000, beforeDrop);
    await waitForHelloOk(board, beforeDrop, 90_000);

    await board.child.waitFor(/^host: reading limit \d+ reached$/, 60_000);
    await waitForAllAcked(board, plan.readings, 60_000, beforeDrop);
    const statusWhileUp = await retainedStatus(brokerUrl, plan, 'online');
    const beforeStatus = board.child.lines.length;
    board.child.send('status');
    const status = await board.child.waitFor(/^sheetlog: state=.* resent=(\d+) /, 10_000, beforeStatus);

    const outcome: MqttDeliveryOutcome = {
      board,
      dataDir,
      rows: storedReadings(dataDir, plan.device),
      takenBeforeLink: pendingAtHello,
      helloOks: board.child.lines.filter((l) => l.startsWith('sheetlog: hello ok: ')).length,
      resent: Number(status.groups?.[1]),
      gatewayClock: deviceClock(dataDir, plan.device),
      published: proxy.published,
      statusWhileUp,
      statusAfterExit: undefined,
    };
    board.child.send('!host exit');
    await board.child.exited;
    outcome.statusAfterExit = await retainedStatus(brokerUrl, plan, 'lost');
    await gateway.child.stop('SIGTERM');
    writeFileSync(join(workDir, `${plan.name}.log`), board.child.lines.join('\n'));
    return outcome;
  } finally {
    await proxy?.stop();
    await mosquitto?.stop();
  }
}

/**
 * The board's retained status as a new subscriber sees it, waiting (up to 10 s) for `expected`
 * (the last will is published once the broker notices the board is gone). Logs in as the device
 * (the embedded broker lets a board read its own topics), with a client id of its own.
 */
async function retainedStatus(url: string, plan: MqttDeliveryPlan, expected: string): Promise<string | undefined> {
  const client = await mqtt.connectAsync(url, {
    clientId: `${plan.device}-status-reader-${Date.now()}`,
    username: plan.device,
    password: plan.token,
    reconnectPeriod: 0,
  });
  try {
    let last: string | undefined;
    const seen = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 10_000);
      client.on('message', (_topic, payload) => {
        last = payload.toString();
        if (last === expected) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    await client.subscribeAsync(`sheetlog/${plan.device}/status`);
    await seen;
    return last;
  } finally {
    await client.endAsync(true);
  }
}
