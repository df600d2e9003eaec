import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { PassThrough } from 'node:stream';
import { serveUntilStopped } from '../../src/commands/ntp-server.js';
import { parseNtpServer } from '../../src/clock/sources/ntp.js';
import { encodeNtpPacket, unixNsToNtp } from '../../src/protocol/ntp-packet.js';

test('serveUntilStopped: prints listening, answers, stops on SIGTERM with a summary', async () => {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d) => (text += d));
  const done = serveUntilStopped({ host: '127.0.0.1', port: 0, stdout: out });
  const deadline = Date.now() + 3000;
  while (!text.includes('\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  const listening = JSON.parse(text.split('\n')[0]!) as { event: string; port: number };
  assert.equal(listening.event, 'listening');
  assert.ok(listening.port > 0);

  const sock = dgram.createSocket('udp4');
  const reply = new Promise<Buffer>((res) => sock.once('message', (m) => res(m)));
  const req = encodeNtpPacket({
    leap: 0,
    version: 3,
    mode: 3,
    stratum: 0,
    poll: 4,
    precision: 0,
    rootDelayNs: 0n,
    rootDispersionNs: 0n,
    refId: 0,
    referenceTs: 0n,
    originTs: 0n,
    receiveTs: 0n,
    transmitTs: unixNsToNtp(BigInt(Date.now()) * 1_000_000n),
  });
  sock.send(req, listening.port, '127.0.0.1');
  const m = await reply;
  sock.close();
  assert.equal(m[0]! & 7, 4);
  assert.equal((m[0]! >> 3) & 7, 3, 'the reply echoes the client version');
  assert.equal(m.readInt8(2), 4, 'the reply echoes the poll');

  process.emit('SIGTERM', 'SIGTERM'); // the command's own listener; does not kill the test process
  const { stats, signal } = await done;
  assert.equal(signal, 'SIGTERM');
  assert.deepEqual(stats, { requests: 1, replies: 1, malformed: 0, dropped: 0, kisses: 0, clockSteps: 0 });
  const summary = JSON.parse(text.trim().split('\n').at(-1)!) as Record<string, unknown>;
  assert.equal(summary.event, 'summary');
  assert.equal(summary.replies, 1);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) assert.equal(process.listenerCount(sig), 0, `${sig} listeners removed`);
});

test('parseNtpServer', () => {
  assert.deepEqual(parseNtpServer('127.0.0.1:1234'), { host: '127.0.0.1', port: 1234 });
  assert.deepEqual(parseNtpServer('[::1]:123'), { host: '::1', port: 123 });
  assert.deepEqual(parseNtpServer('time.example'), { host: 'time.example', port: 123 });
  assert.throws(() => parseNtpServer('::1:123'), /expected host:port/);
  assert.throws(() => parseNtpServer('h:0'), /port must be/);
});
