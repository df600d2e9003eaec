import dgram, { type Socket } from 'node:dgram';
import { waitUntil } from '../../src/coordinator/precise-wait.js';

/** Baseline sender: one connected socket per receiver, so a send is one synchronous syscall. */
export interface BareSendResult {
  sent: number;
  firstNs: bigint;
  lastNs: bigint;
}

async function connected(ports: readonly number[]): Promise<Socket[]> {
  return Promise.all(
    ports.map(
      (port) =>
        new Promise<Socket>((resolve, reject) => {
          const s = dgram.createSocket('udp4');
          s.once('error', reject);
          s.connect(port, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
}

function datagram(seq: number, size: number): Buffer {
  const b = Buffer.alloc(size);
  b.writeUInt32LE(seq, 0);
  b.writeBigInt64LE(process.hrtime.bigint(), 8);
  return b;
}

/**
 * `count` datagrams of `size` bytes at `rate`/s to every receiver. `paced`: each waits for its
 * instant with the coordinator's own waitUntil (latency baseline); `catch-up`: every event-loop
 * turn sends everything due by then (rate baseline: tests the receivers, not the pacing).
 */
export async function bareSend(
  ports: readonly number[],
  rate: number,
  count: number,
  size: number,
  mode: 'paced' | 'catch-up',
): Promise<BareSendResult> {
  const sockets = await connected(ports);
  const intervalNs = 1e9 / rate;
  const start = process.hrtime.bigint() + 1_000_000n;
  let firstNs = 0n;
  let lastNs = 0n;
  let sent = 0;
  const sendOne = (): void => {
    for (const s of sockets) s.send(datagram(sent, size));
    lastNs = process.hrtime.bigint();
    if (sent === 0) firstNs = lastNs;
    sent++;
  };
  if (mode === 'paced') {
    for (let i = 0; i < count; i++) {
      await waitUntil(start + BigInt(Math.round(i * intervalNs)));
      sendOne();
    }
  } else {
    await waitUntil(start);
    while (sent < count) {
      const due = Math.min(count, Math.floor(Number(process.hrtime.bigint() - start) / intervalNs) + 1);
      while (sent < due) sendOne();
      await new Promise<void>((r) => setImmediate(r));
    }
  }
  await new Promise((r) => setTimeout(r, 200));
  for (const s of sockets) s.send(Buffer.from('E'));
  await new Promise((r) => setTimeout(r, 20));
  for (const s of sockets) s.close();
  return { sent, firstNs, lastNs };
}
