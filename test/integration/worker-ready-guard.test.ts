// A `ready?` is answered to whatever address it claims to come from: the worker must not be a
// reflector. Keyed worker on loopback: the reply is never larger than the query, a replayed
// authentic query (same bytes, any address) gets nothing, and one address gets a bounded number.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import path from 'node:path';
import { decodeMessage, encodeMessage, encodeReadyQuery } from '../../src/protocol/messages.js';
import { loopbackWorkerFlags, startCli, tmpDir } from '../support/helpers.js';
import { writeKey } from '../support/reliability.js';
import { workerSummaryOf } from '../support/worker-summary.js';

const RUN = 'T-ready-guard';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function listener(address: string, key: Buffer): Promise<{ sock: dgram.Socket; got: Buffer[] }> {
  const sock = dgram.createSocket('udp4');
  const got: Buffer[] = [];
  sock.on('message', (b) => {
    const d = decodeMessage(b, RUN, key);
    if (d.ok && d.msg.k === 'status') got.push(b);
  });
  await new Promise<void>((r) => sock.bind(0, address, r));
  return { sock, got };
}

test(
  'keyed worker: ready? replies no larger than the query, a replayed query is not answered, one address is rate-limited',
  { timeout: 60_000 },
  async () => {
    const dir = tmpDir();
    const { key, keyFile } = writeKey(dir);
    const { child, port } = await startCli(['worker', '--run-id', RUN, '--node', 'g1', ...loopbackWorkerFlags(dir, { keyFile })]);
    const exit = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    const coord = await listener('127.0.0.1', key);
    const victim = await listener('127.0.0.2', key); // another loopback address: a spoofed source
    try {
      // The coordinator's query is answered, with no more bytes than it sent.
      const q = encodeReadyQuery(RUN, 1000, key);
      coord.sock.send(q, port, '127.0.0.1');
      for (let t = 0; t < 100 && coord.got.length === 0; t++) await sleep(20);
      assert.equal(coord.got.length, 1, 'the coordinator got its status');
      assert.ok(coord.got[0]!.length <= q.length, `reply ${coord.got[0]!.length} bytes for a ${q.length}-byte query`);

      // The same bytes replayed, to the coordinator's address and from another one: no reply.
      coord.sock.send(q, port, '127.0.0.1');
      victim.sock.send(q, port, '127.0.0.1');
      // An older number, freshly tagged (a query captured earlier): no reply either.
      victim.sock.send(encodeReadyQuery(RUN, 999, key), port, '127.0.0.1');
      // An authentic but small query (no padding) whose full status would not fit: at most its size.
      const small = encodeMessage({ v: 1, k: 'ready?', run: RUN, n: 1001 }, key);
      victim.sock.send(small, port, '127.0.0.1');
      await sleep(400);
      assert.equal(coord.got.length, 1, 'a replay to the coordinator address was answered');
      for (const b of victim.got) assert.ok(b.length <= small.length, `reply of ${b.length} bytes to a ${small.length}-byte query`);
      assert.ok(victim.got.length <= 1, `${victim.got.length} replies to replays from another address`);

      // A flood of fresh queries from one address: answered at most at the rate limit (100 burst + 100/s).
      const before = victim.got.length;
      const t0 = Date.now();
      for (let n = 2000; n < 2300; n++) victim.sock.send(encodeReadyQuery(RUN, n, key), port, '127.0.0.1');
      await sleep(500);
      const elapsedS = (Date.now() - t0) / 1000;
      const answered = victim.got.length - before;
      assert.ok(answered >= 1 && answered <= 100 + Math.ceil(100 * elapsedS) + 1, `${answered} replies to 300 queries in ${elapsedS} s`);

      coord.sock.send(encodeMessage({ v: 1, k: 'end', run: RUN }, key), port, '127.0.0.1');
      assert.equal(await exit, 0);
      const s = workerSummaryOf(path.join(dir, 'results', RUN, 'workers', 'g1.summary.json'));
      assert.ok((s.ready_unanswered.replay ?? 0) >= 3, JSON.stringify(s.ready_unanswered));
      assert.ok((s.ready_unanswered.rate ?? 0) >= 300 - answered - 1, JSON.stringify(s.ready_unanswered));
    } finally {
      coord.sock.close();
      victim.sock.close();
      child.kill('SIGKILL');
    }
  },
);
