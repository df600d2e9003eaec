// A real worker answers each authentic, first-seen event that asks (`ec`) with one echo to the
// address:port the event came from: r is its CSV's recv_local_ns, h ≥ 0; duplicates, forged events
// and events without `ec` get none; the summary counts the echoes sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeMessage, encodeMessage, type EchoMessage, type EventMessage } from '../../src/protocol/messages.js';
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
    echoes.map((e) => [e.seq, e.id, e.node]),
    [
      [0, 0, 'w7'],
      [3, 3, 'w7'],
    ],
  );
  const p = runDirPaths(path.join(dir, 'results', RUN));
  const lines = readFileSync(p.workerCsv('w7'), 'utf8').trim().split('\n');
  const head = lines[0]!.split(',');
  const recv = new Map(lines.slice(1).map((l) => [l.split(',')[head.indexOf('seq')]!, l.split(',')[head.indexOf('recv_local_ns')]!]));
  for (const e of echoes) {
    assert.equal(e.r, recv.get(String(e.seq)), 'r is the row’s recv_local_ns');
    assert.ok(BigInt(e.h) >= 0n && BigInt(e.h) < 1_000_000_000n, `h ${e.h}`);
  }
  const summary = JSON.parse(readFileSync(p.workerSummary('w7'), 'utf8')) as { echoes_sent: number; echo_send_failed: number };
  assert.equal(summary.echoes_sent, 2);
  assert.equal(summary.echo_send_failed, 0);
});
