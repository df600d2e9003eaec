/**
 * Baseline receiver, in its own Node process. `user`: a bare dgram socket stamping each datagram
 * with process.hrtime.bigint() first thing in its callback. `kernel`: a bare udp_stamp addon
 * socket (the worker's --recv-stamp kernel path without the worker) taking the kernel's arrival
 * stamp, already on CLOCK_MONOTONIC. CLOCK_MONOTONIC is shared by every process of the host, so
 * no anchor is involved. Datagram: u32 seq at 0, i64 sender hrtime at 8, padding. A 1-byte
 * datagram "E" ends it: it prints {"event":"result", received, distinct, unstamped, latencies_ns?} and exits.
 * Usage: node bare-receiver.js CAPACITY latencies|counts [user|kernel]
 */
import dgram from 'node:dgram';
import { loadUdpStampAddon } from '../../src/net/udp-stamp-addon.js';

const capacity = Number(process.argv[2]);
const keep = process.argv[3] === 'latencies';
const stamp = process.argv[4] ?? 'user';
if (!(Number.isInteger(capacity) && capacity > 0) || !['user', 'kernel'].includes(stamp)) {
  process.stderr.write('usage: bare-receiver.js CAPACITY latencies|counts [user|kernel]\n');
  process.exit(2);
}
const latencies = new Float64Array(keep ? capacity : 0);
const seen = new Uint8Array(capacity);
let received = 0;
let distinct = 0;
let unstamped = 0;
let finished = false;

/** Same work per datagram in both modes; `arrival` is its monotonic arrival. */
function onDatagram(buf: Buffer, arrival: bigint): void {
  if (buf.length === 1) {
    finish();
    return;
  }
  received++;
  const seq = buf.readUInt32LE(0);
  if (seq >= capacity || seen[seq]) return;
  seen[seq] = 1;
  distinct++;
  if (keep) latencies[seq] = Number(arrival - buf.readBigInt64LE(8));
}

let close: () => void;
const announce = (port: number): void => {
  process.stdout.write(JSON.stringify({ event: 'listening', port }) + '\n');
};

if (stamp === 'user') {
  // Same receive buffer as the worker's socket, so the two differ only in what they do per datagram.
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20 }, (buf) => onDatagram(buf, process.hrtime.bigint()));
  close = () => socket.close();
  socket.bind(0, '127.0.0.1', () => announce(socket.address().port));
} else {
  const a = loadUdpStampAddon();
  if ('error' in a) {
    process.stderr.write(`bare-receiver kernel: ${a.error}\n`);
    process.exit(2);
  }
  const h = a.addon.open('127.0.0.1', 0, 4 << 20, (buf, _addr, _port, arrival) => {
    if (arrival === null) unstamped++;
    onDatagram(buf, arrival ?? process.hrtime.bigint());
  });
  close = () => a.addon.close(h);
  announce(a.addon.info(h).port);
}

function finish(): void {
  if (finished) return;
  finished = true;
  const out: Record<string, unknown> = { event: 'result', stamp, received, distinct, unstamped };
  if (keep) {
    const got: number[] = [];
    for (let i = 0; i < capacity; i++) if (seen[i]) got.push(latencies[i]!);
    out.latencies_ns = got;
  }
  process.stdout.write(JSON.stringify(out) + '\n', () =>
    setTimeout(() => {
      close();
      process.exit(0);
    }, 50),
  );
}
