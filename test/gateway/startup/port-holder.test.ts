import { test } from 'node:test';
import assert from 'node:assert/strict';
import { socketInodes } from '../../../gateway/startup/port-holder.js';

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:1F9A 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 123456 1 0000000000000000 100 0 0 10 0
   1: 0100007F:1F9A 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 777 1 0000000000000000 20 4 30 10 -1
   2: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 888 1 0000000000000000 100 0 0 10 0
`;

test('the listening socket of a port in /proc/net/tcp, not its connections', () => {
  assert.deepEqual(socketInodes(TCP, 8090, 'tcp'), ['123456']);
  assert.deepEqual(socketInodes(TCP, 8080, 'tcp'), ['888']);
  assert.deepEqual(socketInodes(TCP, 9999, 'tcp'), []);
});

test('UDP sockets count whatever their state', () => {
  assert.deepEqual(socketInodes(TCP.replace(' 0A ', ' 07 '), 8090, 'udp'), ['123456', '777']);
});
