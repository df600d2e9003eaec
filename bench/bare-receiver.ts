/**
 * Baseline receiver: a bare dgram socket in its own Node process, stamping each datagram with
 * process.hrtime.bigint() (CLOCK_MONOTONIC, shared by every process of the host, so no anchor is
 * involved). Datagram: u32 seq at 0, i64 sender hrtime at 8, padding. A 1-byte datagram "E" ends
 * it: it prints {"event":"result", received, distinct, latencies_ns?} and exits.
 * Usage: node bare-receiver.js CAPACITY latencies|counts
 */
import dgram from 'node:dgram';

const capacity = Number(process.argv[2]);
const keep = process.argv[3] === 'latencies';
if (!(Number.isInteger(capacity) && capacity > 0)) {
  process.stderr.write('usage: bare-receiver.js CAPACITY latencies|counts\n');
  process.exit(2);
}
const latencies = new Float64Array(keep ? capacity : 0);
const seen = new Uint8Array(capacity);
let received = 0;
let distinct = 0;
let finished = false;

// Same receive buffer as the worker's socket, so the two differ only in what they do per datagram.
const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20 }, (buf) => {
  const now = process.hrtime.bigint();
  if (buf.length === 1) { finish(); return; }
  received++;
  const seq = buf.readUInt32LE(0);
  if (seq >= capacity || seen[seq]) return;
  seen[seq] = 1;
  distinct++;
  if (keep) latencies[seq] = Number(now - buf.readBigInt64LE(8));
});

function finish(): void {
  if (finished) return;
  finished = true;
  const out: Record<string, unknown> = { event: 'result', received, distinct };
  if (keep) {
    const got: number[] = [];
    for (let i = 0; i < capacity; i++) if (seen[i]) got.push(latencies[i]!);
    out.latencies_ns = got;
  }
  process.stdout.write(JSON.stringify(out) + '\n', () => setTimeout(() => { socket.close(); process.exit(0); }, 50));
}

socket.bind(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ event: 'listening', port: socket.address().port }) + '\n');
});
