import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram, { type Socket } from 'node:dgram';
import { EventSender, type EventPathFaults } from '../../src/coordinator/event-sender.js';
import { Logger } from '../../src/cli/logger.js';
import type { WorkerAddress } from '../../src/coordinator/control.js';

const log = new Logger('coordinator', null, 'error');

async function receiver(port = 0): Promise<{ sock: Socket; port: number; got: string[] }> {
  const sock = dgram.createSocket('udp4');
  const got: string[] = [];
  sock.on('message', (m) => got.push(m.toString()));
  await new Promise<void>((r) => sock.bind(port, '127.0.0.1', r));
  return { sock, port: sock.address().port, got };
}
const addr = (port: number): WorkerAddress => ({ host: '127.0.0.1', port, label: `127.0.0.1:${port}` });
const until = async (cond: () => boolean, ms = 2000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
};

test('each send is one synchronous sendmsg per worker: the datagrams left before send returned', async () => {
  const rx = [await receiver(), await receiver()];
  const sender = await EventSender.open(
    rx.map((r) => addr(r.port)),
    null,
    log,
  );
  const buf = Buffer.from('{"v":1,"k":"ev"}');
  sender.send(buf, 0);
  // Close the sockets in the same tick: a send deferred through process.nextTick (the unconnected
  // dgram path) would find its handle gone and never leave.
  const closed = sender.close();
  try {
    await until(() => rx.every((r) => r.got.length === 1));
    for (const r of rx) assert.deepEqual(r.got, [buf.toString()]);
  } finally {
    await closed;
    for (const r of rx) r.sock.close();
  }
});

test('fault injection on the event path: drop, duplicates and delay per worker', async () => {
  const rx = [await receiver(), await receiver(), await receiver()];
  const faults: EventPathFaults = {
    decide: (i) =>
      i === 0
        ? { drop: true, delayNs: 0, duplicates: 0 }
        : i === 1
          ? { drop: false, delayNs: 0, duplicates: 2 }
          : { drop: false, delayNs: 30e6, duplicates: 0 },
  };
  const sender = await EventSender.open(
    rx.map((r) => addr(r.port)),
    faults,
    log,
  );
  try {
    const t0 = Date.now();
    sender.send(Buffer.from('e7'), 7);
    await until(() => rx[1]!.got.length === 3);
    assert.equal(rx[2]!.got.length, 0, 'the delayed copy is not there yet');
    await until(() => rx[2]!.got.length === 1);
    assert.ok(Date.now() - t0 >= 25, 'the delayed datagram waited its delay');
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(
      rx.map((r) => r.got.length),
      [0, 3, 1],
    );
  } finally {
    await sender.close();
    for (const r of rx) r.sock.close();
  }
});

test('a datagram refused because of an earlier ICMP "port unreachable" is sent once more (a restarted worker gets it)', async () => {
  const first = await receiver();
  const port = first.port;
  const sender = await EventSender.open([addr(port)], null, log);
  const second: { r: Awaited<ReturnType<typeof receiver>> | null } = { r: null };
  try {
    await new Promise<void>((r) => first.sock.close(() => r()));
    // Nothing listens: this datagram draws an ICMP port unreachable, which marks the connected
    // socket; the kernel then fails the next sendmsg (ECONNREFUSED) without sending it.
    sender.send(Buffer.from('lost: nobody listens'), 0);
    // The worker comes back on the same port before the event loop turns (so the mark is not
    // consumed by a receive), then the next event is sent.
    const sock = dgram.createSocket('udp4');
    const got: string[] = [];
    sock.on('message', (m) => got.push(m.toString()));
    sock.bind(port, '127.0.0.1');
    await new Promise((r) => process.nextTick(r)); // dgram binds an IP literal after one nextTick
    second.r = { sock, port, got };
    sender.send(Buffer.from('after restart'), 1);
    await until(() => got.length > 0);
    assert.deepEqual(got, ['after restart']);
  } finally {
    await sender.close();
    second.r?.sock.close();
  }
});

test('closing drops datagrams whose fault delay outlasted the run (no send on a closed socket, no timer left)', async () => {
  const rx = await receiver();
  const faults: EventPathFaults = { decide: () => ({ drop: false, delayNs: 60e6, duplicates: 0 }) };
  const sender = await EventSender.open([addr(rx.port)], faults, log);
  sender.send(Buffer.from('late'), 0);
  await sender.close();
  await new Promise((r) => setTimeout(r, 100)); // past the delay: a leftover timer would throw here
  assert.deepEqual(rx.got, []);
  rx.sock.close();
});

test('the order of sends rotates with seq: event seq reaches worker seq mod n first', async () => {
  // The kernel stamps each datagram inside the sender's sendmsg (SO_TIMESTAMPNS, udp_stamp addon),
  // so the arrival stamps give the order in which the sender sent them.
  const { openStampedSocket } = await import('../../src/net/stamped-socket.js');
  const arrivals: Array<Map<number, bigint>> = [new Map(), new Map(), new Map()];
  const socks = await Promise.all(
    arrivals.map((m) =>
      openStampedSocket({
        bind: '127.0.0.1',
        port: 0,
        mode: 'kernel',
        recvBufferBytes: 1 << 20,
        onMessage: (buf: Buffer, _a: string, _p: number, mono: bigint | null) => {
          if (mono !== null) m.set(Number(buf.toString()), mono);
        },
      }),
    ),
  );
  const sender = await EventSender.open(
    socks.map((s) => addr(s.address().port)),
    null,
    log,
  );
  // The kernel turns receive timestamping on asynchronously when the first socket asks for it: until
  // then datagrams are stamped when read. Give it a moment, as a worker's warmup does.
  await new Promise((r) => setTimeout(r, 100));
  try {
    for (let seq = 0; seq < 6; seq++) sender.send(Buffer.from(String(seq)), seq);
    await until(() => arrivals.every((m) => m.size === 6));
    for (let seq = 0; seq < 6; seq++) {
      const order = [0, 1, 2].sort((a, b) => Number(arrivals[a]!.get(seq)! - arrivals[b]!.get(seq)!));
      assert.deepEqual(order, [seq % 3, (seq + 1) % 3, (seq + 2) % 3], `event ${seq}`);
    }
  } finally {
    await sender.close();
    await Promise.all(socks.map((s) => s.close()));
  }
});
