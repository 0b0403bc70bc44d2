import { createServer } from 'node:net';
import { createWriteStream } from 'node:fs';

/**
 * The baseline for bench/ingest.ts: a plain Node `net` server that splits lines and appends them to
 * a file through a write stream. No parsing, no durability, no acknowledgements: what a naive
 * logger does. Prints {"port"} when listening and {"lines"} each time `expected` lines arrived.
 *
 * usage: node --import tsx bench/baseline-server.ts <file> <expected-lines>
 */
const [file = '/tmp/baseline.log', expectedArg = '0'] = process.argv.slice(2);
let expected = Number(expectedArg);
const out = createWriteStream(file, { flags: 'a' });
let lines = 0;

const server = createServer((socket) => {
  let tail = '';
  socket.setEncoding('utf8');
  socket.on('error', () => {});
  socket.on('data', (chunk: string) => {
    const text = tail + chunk;
    let start = 0;
    let nl: number;
    while ((nl = text.indexOf('\n', start)) !== -1) {
      out.write(text.slice(start, nl + 1));
      start = nl + 1;
      if (++lines === expected) process.stdout.write(`${JSON.stringify({ lines })}\n`);
    }
    tail = text.slice(start);
  });
});
server.listen(0, '127.0.0.1', () => {
  const a = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof a === 'object' && a ? a.port : 0 })}\n`);
});
// The parent may raise the target between runs: "expect <n>" on stdin.
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d: string) => {
  const m = /expect (\d+)/.exec(d);
  if (m) {
    expected = lines + Number(m[1]);
  }
});
