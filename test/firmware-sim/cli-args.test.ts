import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCli, stormPeriodMs, UsageError } from '../../firmware-sim/cli-args.js';
import { parseHostPort } from '../../firmware-sim/transport-tcp.js';

describe('fleet command line', () => {
  it('parses the documented flags', () => {
    const c = parseCli(
      ['--devices', '200', '--rate', '1', '--duration', '60', '--transport', 'tcp', '--gateway', 'gw.local:9000', '--token-file', 't.json',
        '--drop-links', '0.01', '--garbage', '0.05', '--slow', '--clock-skew', '5000', '--storm', '--kill-after', '100', '--seed', '42'],
    );
    assert.deepEqual(
      { ...c },
      {
        devices: 200, rate: 1, durationMs: 60_000, transport: 'tcp', gateway: { host: 'gw.local', port: 9000 }, tls: null, mqttQos: 0, tokenFile: 't.json',
        profile: 'mixed', dropLinks: 0.01, garbage: 0.05, counterBackwards: 0, outOfRange: 0, slow: true, clockSkewMs: 5000, storm: true, killAfter: 100, seed: 42,
        drainTimeoutMs: 30_000, checkDb: null, audit: true, help: false,
      },
    );
  });

  it('has defaults, and --duration 0 means until Ctrl-C', () => {
    const c = parseCli(['--duration', '0']);
    assert.equal(c.durationMs, null);
    assert.deepEqual(c.gateway, { host: '127.0.0.1', port: 8090 });
    assert.equal(c.devices, null);
  });

  it('with --transport mqtt, --gateway names the broker (default port 1883) and --mqtt-qos the publishes\' QoS', () => {
    const c = parseCli(['--transport', 'mqtt']);
    assert.deepEqual([c.transport, c.gateway, c.mqttQos], ['mqtt', { host: '127.0.0.1', port: 1883 }, 0]);
    const q = parseCli(['--transport', 'mqtt', '--gateway', 'broker.lan', '--mqtt-qos', '1']);
    assert.deepEqual([q.gateway, q.mqttQos], [{ host: 'broker.lan', port: 1883 }, 1]);
    assert.throws(() => parseCli(['--mqtt-qos', '1']), /needs --transport mqtt/);
    assert.throws(() => parseCli(['--transport', 'mqtt', '--mqtt-qos', '2']), UsageError);
  });

  it('--tls takes the gateway\'s TLS port by default and needs a pinned fingerprint or a CA', () => {
    const fp = 'ab'.repeat(32);
    const c = parseCli(['--tls', '--fingerprint', fp]);
    assert.deepEqual([c.gateway, c.tls], [{ host: '127.0.0.1', port: 8490 }, { fingerprint256: Array(32).fill('AB').join(':') }]);
    assert.deepEqual(parseCli(['--tls', '--ca', 'gw.pem', '--gateway', 'gw:9443']).tls, { caFile: 'gw.pem' });
    assert.throws(() => parseCli(['--tls']), /needs one of --fingerprint/);
    assert.throws(() => parseCli(['--tls', '--ca', 'a', '--fingerprint', fp]), /needs one of/);
    assert.throws(() => parseCli(['--fingerprint', fp]), /need --tls/);
    assert.throws(() => parseCli(['--tls', '--fingerprint', '12:34']), /64 hex digits/);
    assert.throws(() => parseCli(['--tls', '--ca', 'a', '--transport', 'mqtt']), /--transport tcp/);
  });

  it('rejects unknown flags, positionals and bad values', () => {
    for (const argv of [['--nope'], ['extra'], ['--devices', '0'], ['--devices', 'many'], ['--rate', '-1'], ['--drop-links', '1'],
      ['--garbage', '2'], ['--transport', 'udp'], ['--profile', 'uno'], ['--gateway', 'h:99999'], ['--seed', '1.5'], ['--duration', '']]) {
      assert.throws(() => parseCli(argv), UsageError, argv.join(' '));
    }
  });

  it('parses gateway addresses', () => {
    assert.deepEqual(parseHostPort('8091'), { host: '127.0.0.1', port: 8091 });
    assert.deepEqual(parseHostPort(':8091'), { host: '127.0.0.1', port: 8091 });
    assert.deepEqual(parseHostPort('[::1]:8092'), { host: '::1', port: 8092 });
    assert.deepEqual(parseHostPort('pi.local'), { host: 'pi.local', port: 8090 });
  });

  it('storms every third of the run, bounded to 1-30 s', () => {
    assert.equal(stormPeriodMs(60_000), 20_000);
    assert.equal(stormPeriodMs(1_500), 1_000);
    assert.equal(stormPeriodMs(600_000), 30_000);
    assert.equal(stormPeriodMs(null), 30_000);
  });
});
