// The worker socket's kernel drop counter (datagrams the kernel discarded because the receive
// queue was full): on loopback nothing is lost in the network, so it must equal sent − received.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadUdpStampAddon, NO_NATIVE_ENV, type UdpStampAddon } from '../../src/net/udp-stamp-addon.js';
import { openStampedSocket, type RecvStampMode } from '../../src/net/stamped-socket.js';
import { dropsFromProcNetUdp } from '../../src/net/proc-net-udp.js';

delete process.env[NO_NATIVE_ENV];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function addon(): UdpStampAddon {
  const a = loadUdpStampAddon();
  if ('error' in a) assert.fail(`npm run build did not build the udp_stamp addon: ${a.error}`);
  return a.addon;
}

for (const mode of ['kernel', 'user'] as RecvStampMode[]) {
  test(
    `${mode} receive: a flood into a small receive buffer with the reader blocked; kernel drops = sent − received`,
    { skip: process.platform !== 'linux' },
    async () => {
      const a = addon();
      let received = 0;
      const rx = await openStampedSocket({
        bind: '127.0.0.1',
        port: 0,
        mode,
        recvBufferBytes: 4096,
        onMessage: () => {
          received++;
        },
      });
      assert.equal(rx.stampKind, mode);
      const before = await rx.kernelDrops();
      assert.equal(before.drops, 0, `fresh socket: ${JSON.stringify(before)}`);
      // The sender's sendto queues each datagram on the receiver synchronously (loopback); this loop
      // holds the event loop, so the receiver reads nothing until it ends and its queue overflows.
      const tx = a.open('127.0.0.1', 0, 0, () => {});
      const SENT = 400;
      const port = rx.address().port;
      for (let i = 0; i < SENT; i++) a.send(tx, Buffer.alloc(200, i & 0xff), port, '127.0.0.1');
      a.close(tx);
      // Read until the queue is drained: something arrived and nothing more for 200 ms (5 s at most).
      for (let last = -1, still = 0, t = 0; t < 250 && still < 10; t++) {
        still = received > 0 && received === last ? still + 1 : 0;
        last = received;
        await sleep(20);
      }
      const after = await rx.kernelDrops();
      await rx.close();
      assert.ok(received > 0 && received < SENT, `received ${received} of ${SENT}: the buffer should hold some, not all`);
      assert.equal(after.drops, SENT - received, `drops counter ${JSON.stringify(after)}, received ${received} of ${SENT}`);
      assert.match(after.from, mode === 'kernel' ? /^SO_MEMINFO$|^SO_RXQ_OVFL$/ : /^\/proc\/net\/udp$/);
    },
  );
}

test("/proc/net/udp parsing: the one line of the port (among this process's inodes); several or none give null", () => {
  const text = [
    '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
    '  1: 0100007F:1F90 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 111 2 0000000000000000 17',
    '  2: 00000000:1F91 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 222 2 0000000000000000 0',
    '  3: 0100007F:1F91 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 333 2 0000000000000000 5',
  ].join('\n');
  assert.equal(dropsFromProcNetUdp(text, { inodes: new Set(['111']), port: 8080 }), 17);
  assert.equal(dropsFromProcNetUdp(text, { port: 8080 }), 17);
  assert.equal(dropsFromProcNetUdp(text, { inodes: new Set(['333', '111']), port: 8081 }), 5, 'the other socket on 8081 is not ours');
  assert.equal(dropsFromProcNetUdp(text, { port: 8081 }), null, 'two sockets on the port: ambiguous');
  assert.equal(dropsFromProcNetUdp(text, { inodes: new Set(['999']), port: 8080 }), null);
});
