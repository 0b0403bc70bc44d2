import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { startTestApp } from '../../helpers/app.js';
import { runCli } from '../../helpers/gateway-process.js';
import { parseDuration, parseFields, parseGateway } from '../../../gateway/cli/send.js';

const usage = (m: string): never => {
  throw new Error(`usage: ${m}`);
};

test('send: HELLO, readings each matched to its ACK, BYE; exit 0; the readings are stored with their fields', async (t) => {
  const gw = await startTestApp({ auth: { mode: 'tofu' } });
  t.after(() => gw.stop());
  const r = await runCli(['send', 'cli-1', '--token', 's3cret', '--gateway', `127.0.0.1:${gw.port}`, '--count', '3', '--every', '0', '--boot', '7', 'temp_c=21.5', 'ok=true', 'state=warm']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n').filter((l) => !l.startsWith('< HELLO OK')), [
    '> HELLO cli-1 *** boot=7',
    '> R 1 - temp_c=21.5 ok=true state="warm"',
    '< ACK 1',
    '> R 2 - temp_c=21.5 ok=true state="warm"',
    '< ACK 2',
    '> R 3 - temp_c=21.5 ok=true state="warm"',
    '< ACK 3',
    '> BYE',
    '< BYE',
  ]);
  assert.doesNotMatch(r.stdout, /s3cret/, 'the token is never printed');
  const [device] = gw.app.devices();
  assert.equal(device?.id, 'cli-1');
  assert.equal(device?.readings, 3);

  // The same boot again continues after what HELLO OK says is stored: nothing is a duplicate.
  const again = await runCli(['send', 'cli-1', '--token', 's3cret', '--gateway', `127.0.0.1:${gw.port}`, '--boot', '7', 'temp_c=22']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /< HELLO OK \d+ 3\n> R 4 - temp_c=22\n< ACK 4\n/);
  assert.equal(gw.app.devices()[0]?.readings, 4);
});

test('send: a refused HELLO exits 1 with the ERR', async (t) => {
  const gw = await startTestApp({ auth: { mode: 'required' } });
  t.after(() => gw.stop());
  const r = await runCli(['send', 'nobody', '--token', 'tok', '--gateway', `127.0.0.1:${gw.port}`, 't=1']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^> HELLO nobody \*\*\* boot=\d+\n< ERR UNKNOWN_DEVICE /);
  assert.match(r.stderr, /^sheetlog: HELLO refused: ERR UNKNOWN_DEVICE .*\(0 of 1 acknowledged\)\n$/);
});

/** A scripted gateway: answers each line it reads with `answer(line)` (nothing when it returns null). */
async function fakeGateway(t: TestContext, answer: (line: string) => string | null): Promise<number> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    createInterface({ input: socket }).on('line', (line) => {
      const reply = answer(line);
      if (reply !== null) socket.write(`${reply}\n`);
    });
  });
  server.listen({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  t.after(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return (server.address() as { port: number }).port;
}

test('send: a NAK names its reading and makes the exit code 1; the other readings are still sent', async (t) => {
  const port = await fakeGateway(t, (line) => {
    if (line.startsWith('HELLO')) return 'HELLO OK 1796000000000 0';
    if (line.startsWith('R 1 ')) return 'NAK 1 BAD_VALUE value out of range';
    if (line.startsWith('R 2 ')) return 'ACK 2';
    return line === 'BYE' ? 'BYE' : null;
  });
  const r = await runCli(['send', 'b-1', '--token', 'tok', '--gateway', `127.0.0.1:${port}`, '--count', '2', '--every', '0', 'v=1']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /< NAK 1 BAD_VALUE value out of range\n> R 2 - v=1\n< ACK 2\n> BYE\n< BYE/);
  assert.match(r.stderr, /1 of 2 readings refused \(NAK\) \(1 of 2 acknowledged\)/);
});

test('send: a gateway that never answers is a timeout, exit 1', async (t) => {
  const port = await fakeGateway(t, () => null);
  const r = await runCli(['send', 'b-1', '--token', 'tok', '--gateway', `127.0.0.1:${port}`, '--timeout', '1', 'v=1']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^sheetlog: no answer from the gateway within 1 s/);
});

test('send: usage errors exit 2', async () => {
  for (const args of [['b-1', 'v=1'], ['b-1', '--token', 't'], ['b-1', '--token', 't', 'not-a-field'], ['b-1', '--token', 't', '--gateway', 'nowhere', 'v=1'], ['bad id!', '--token', 't', 'v=1'], ['b-1', '--token', 't', '--every', 'soon', 'v=1']]) {
    const r = await runCli(['send', ...args], { SHEETLOG_TOKEN: '' });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
  }
});

test('field arguments follow the gateway\'s value grammar; bare words are text', () => {
  assert.deepEqual(parseFields(['t=21.5', 'n=-3', 'on=false', 's="a b"', 'w=warm'], usage), [['t', 21.5], ['n', -3], ['on', false], ['s', 'a b'], ['w', 'warm']]);
  assert.throws(() => parseFields(['t=1', 't=2'], usage), /given twice/);
  assert.throws(() => parseFields(['t='], usage), /empty value/);
  assert.throws(() => parseFields(['t="open'], usage), /unterminated string/);
  assert.throws(() => parseFields(['9t=1'], usage), /field=value/);
  assert.throws(() => parseFields([`s=${'x'.repeat(201)}`], usage), /at most 200 bytes/);
});

test('--gateway and --every', () => {
  assert.deepEqual(parseGateway('10.0.0.5:8090', usage), { host: '10.0.0.5', port: 8090 });
  assert.deepEqual(parseGateway('[::1]:8090', usage), { host: '::1', port: 8090 });
  assert.throws(() => parseGateway('10.0.0.5', usage), /host:port/);
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('2s'), 2000);
  assert.equal(parseDuration('1.5m'), 90000);
  assert.equal(parseDuration('3'), 3000);
  assert.throws(() => parseDuration('soon'));
});
