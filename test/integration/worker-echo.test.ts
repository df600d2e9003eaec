// A real worker answers each authentic, first-seen event that asks (`ec`) with one echo record to
// the address:port the event came from: r is its CSV's recv_local_ns, h ≥ 0; duplicates, forged
// events and events without `ec` get none; the summary counts the echoes sent. Echoes of events
// that come within --echo-coalesce-ms share a datagram, each record with its own hold, and the
// bracket [s, e − h] of every record still holds on the one host's monotonic clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  decodeMessage,
  echoedEvents,
  encodeMessage,
  MAX_ECHO_RECORDS,
  type EchoedEvent,
  type EchoMessage,
  type EventMessage,
} from '../../src/protocol/messages.js';
import { writeNewKeyFile } from '../../src/protocol/key.js';
import { runDirPaths } from '../../src/files/paths.js';
import { loopbackWorkerFlags, startCli, tmpDir } from '../support/helpers.js';

const RUN = 'T-worker-echo';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('a worker echoes each asked, authentic, first-seen event once, to where it came from', { timeout: 30_000 }, async () => {
  const dir = tmpDir('chronoeval-worker-echo-');
  const keyFile = path.join(dir, 'run.key');
  const key = await writeNewKeyFile(keyFile);
  const { child, port } = await startCli([
    'worker',
    ...loopbackWorkerFlags(dir, { keyFile }),
    '--run-id',
    RUN,
    '--node',
    'w7',
    '--commit-wait-s',
    '',
    '--log-level',
    'error',
  ]);
  const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  const echoes: EchoMessage[] = [];
  let bye = false;
  sock.on('message', (b) => {
    const d = decodeMessage(b, RUN, key);
    if (d.ok && d.msg.k === 'echo') echoes.push(d.msg);
    if (d.ok && d.msg.k === 'bye') bye = true;
  });
  const ev = (seq: number, ec: boolean, k: Buffer = key): Buffer => {
    const m: EventMessage = {
      v: 1,
      k: 'ev',
      run: RUN,
      id: seq,
      seq,
      st: { system: [String(BigInt(Date.now()) * 1_000_000n), '', '', 'ok'] },
    };
    if (ec) m.ec = 1;
    return encodeMessage(m, k);
  };
  const send = (b: Buffer): Promise<void> => new Promise((r) => sock.send(b, port, '127.0.0.1', () => r()));
  try {
    await send(ev(0, true));
    await send(ev(0, true)); // duplicate
    await send(ev(1, true, Buffer.alloc(32, 1))); // forged
    await send(ev(2, false)); // not asked
    await send(ev(3, true));
    for (let i = 0; i < 100 && echoes.length < 2; i++) await sleep(20);
    await sleep(100);
    await send(encodeMessage({ v: 1, k: 'end', run: RUN }, key));
    for (let i = 0; i < 250 && !bye; i++) await sleep(20);
  } finally {
    sock.close();
  }
  assert.equal(await exited, 0);
  assert.deepEqual(
    echoes.flatMap((e) => echoedEvents(e).map(({ seq }) => [seq, seq, e.node])),
    [
      [0, 0, 'w7'],
      [3, 3, 'w7'],
    ],
  );
  const p = runDirPaths(path.join(dir, 'results', RUN));
  const lines = readFileSync(p.workerCsv('w7'), 'utf8').trim().split('\n');
  const head = lines[0]!.split(',');
  const recv = new Map(lines.slice(1).map((l) => [l.split(',')[head.indexOf('seq')]!, l.split(',')[head.indexOf('recv_local_ns')]!]));
  for (const { seq, r, h } of echoes.flatMap((e) => echoedEvents(e))) {
    assert.equal(r, recv.get(String(seq)), 'r is the row’s recv_local_ns');
    assert.ok(BigInt(h) >= 0n && BigInt(h) < 1_000_000_000n, `h ${h}`);
  }
  const summary = JSON.parse(readFileSync(p.workerSummary('w7'), 'utf8')) as { echoes_sent: number; echo_send_failed: number };
  assert.equal(summary.echoes_sent, 2);
  assert.equal(summary.echo_send_failed, 0);
});

/** A worker fed `n` asked events back to back; every echo datagram with its arrival on this host's monotonic clock. */
async function burst(
  coalesce: string[],
  n: number,
): Promise<{ datagrams: { at: bigint; x: EchoedEvent[] }[]; sentAt: Map<number, bigint>; summary: { echoes_sent: number } }> {
  const dir = tmpDir('chronoeval-worker-echo-burst-');
  const keyFile = path.join(dir, 'run.key');
  const key = await writeNewKeyFile(keyFile);
  const { child, port } = await startCli([
    'worker',
    ...loopbackWorkerFlags(dir, { keyFile }),
    '--run-id',
    RUN,
    '--node',
    'w8',
    '--commit-wait-s',
    '',
    '--log-level',
    'error',
    ...coalesce,
  ]);
  const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  const datagrams: { at: bigint; x: EchoedEvent[] }[] = [];
  const sentAt = new Map<number, bigint>();
  let bye = false;
  sock.on('message', (b) => {
    const at = process.hrtime.bigint();
    const d = decodeMessage(b, RUN, key);
    if (d.ok && d.msg.k === 'echo') datagrams.push({ at, x: echoedEvents(d.msg) });
    if (d.ok && d.msg.k === 'bye') bye = true;
  });
  const ev = (seq: number): Buffer =>
    encodeMessage(
      { v: 1, k: 'ev', run: RUN, id: seq, seq, st: { system: [String(BigInt(Date.now()) * 1_000_000n), '', '', 'ok'] }, ec: 1 },
      key,
    );
  try {
    for (let seq = 0; seq < n; seq++) {
      const b = ev(seq);
      sentAt.set(seq, process.hrtime.bigint());
      sock.send(b, port, '127.0.0.1');
    }
    for (let i = 0; i < 150 && datagrams.reduce((a, d) => a + d.x.length, 0) < n; i++) await sleep(20);
    sock.send(encodeMessage({ v: 1, k: 'end', run: RUN }, key), port, '127.0.0.1');
    for (let i = 0; i < 250 && !bye; i++) await sleep(20);
  } finally {
    sock.close();
  }
  assert.equal(await exited, 0);
  const summary = JSON.parse(readFileSync(runDirPaths(path.join(dir, 'results', RUN)).workerSummary('w8'), 'utf8')) as {
    echoes_sent: number;
  };
  return { datagrams, sentAt, summary };
}

test(
  'echoes of a burst share datagrams; each record keeps its own hold and its bracket [s, e − h] holds',
  { timeout: 30_000 },
  async () => {
    const n = 200;
    const { datagrams, sentAt, summary } = await burst([], n);
    const records = datagrams.flatMap((d) => d.x);
    assert.deepEqual(
      records.map((x) => x.seq).sort((a, b) => a - b),
      Array.from({ length: n }, (_, i) => i),
      'every event echoed exactly once',
    );
    assert.equal(summary.echoes_sent, n);
    assert.ok(datagrams.length < n / 2, `${datagrams.length} datagrams for ${n} echoes: coalesced`);
    assert.ok(
      datagrams.every((d) => d.x.length <= MAX_ECHO_RECORDS),
      `at most ${MAX_ECHO_RECORDS} records a datagram`,
    );
    for (const d of datagrams) {
      for (const { seq, h } of d.x) {
        // s ≤ true receive ≤ e − h: the hold covers the wait in the batch, so the upper end stays after the send.
        assert.ok(sentAt.get(seq)! <= d.at - BigInt(h), `seq ${seq}: sent ${sentAt.get(seq)}, e − h ${d.at - BigInt(h)}`);
      }
      if (d.x.length > 1) {
        const holds = d.x.map((x) => BigInt(x.h));
        assert.ok(holds[0]! >= holds[holds.length - 1]!, 'the earliest event of a datagram has held longest');
      }
    }
  },
);

test('--echo-coalesce-ms 0: every echo leaves alone, at once', { timeout: 30_000 }, async () => {
  const { datagrams } = await burst(['--echo-coalesce-ms', '0'], 50);
  assert.equal(datagrams.length, 50);
  assert.ok(datagrams.every((d) => d.x.length === 1));
});
