import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { readFileSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { createHmac, randomBytes } from 'node:crypto';
import { encodeMessage, encodeReadyQuery, decodeMessage, type EventMessage } from '../../src/protocol/messages.js';
import { loopbackWorkerFlags, startCli, tmpDir } from '../support/helpers.js';
import { workerSummaryOf } from '../support/worker-summary.js';

const RUN = 'T-worker-1';

function event(seq: number, run = RUN): EventMessage {
  return { v: 1, k: 'ev', run, id: seq, seq, st: { system: [String(1_700_000_000_000_000_000n + BigInt(seq)), '', '', 'ok'] } };
}

async function withSocket<T>(fn: (s: dgram.Socket) => Promise<T>): Promise<T> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  try {
    return await fn(s);
  } finally {
    s.close();
  }
}

function waitFor(s: dgram.Socket, kind: string, run: string, key: Buffer | null, ms = 10_000): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${kind} within ${ms} ms`)), ms);
    s.on('message', (buf) => {
      const d = decodeMessage(buf, run, key);
      if (d.ok && d.msg.k === kind) {
        clearTimeout(t);
        resolve(d.msg as unknown as Record<string, unknown>);
      }
    });
  });
}

test('worker records exactly the authentic events and counts every reject by kind', async () => {
  const dir = tmpDir();
  const keyFile = path.join(dir, 'key');
  const key = randomBytes(32);
  writeFileSync(keyFile, key.toString('hex'));
  chmodSync(keyFile, 0o600);
  const { child, port } = await startCli(['worker', '--run-id', RUN, '--node', 'n1', ...loopbackWorkerFlags(dir, { keyFile })]);
  const exit = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  await withSocket(async (s) => {
    const send = (b: Buffer): void => {
      s.send(b, port, '127.0.0.1');
    };
    for (let i = 0; i < 10; i++) send(encodeMessage(event(i), key));
    send(encodeMessage(event(3), key)); // duplicate
    send(encodeMessage(event(20))); // untagged
    send(encodeMessage(event(21), randomBytes(32))); // wrong key
    send(encodeMessage(event(22, 'other-run'), key)); // other run
    send(Buffer.alloc(300, 0xfe)); // garbage (no tag separator)
    send(Buffer.from('{"v":1,"k":"ev"')); // torn JSON, untagged
    const torn = Buffer.from('{"v":1,"k":"ev"');
    send(Buffer.concat([torn, Buffer.from('\n' + createHmac('sha256', key).update(torn).digest('base64url'))])); // torn JSON, tagged
    send(encodeMessage({ ...event(23), v: 9 } as unknown as EventMessage, key)); // unknown version
    await new Promise((r) => setTimeout(r, 300));
    const bye = waitFor(s, 'bye', RUN, key);
    send(encodeMessage({ v: 1, k: 'end', run: RUN }, key));
    assert.equal((await bye).received, 10);
  });
  assert.equal(await exit, 0);
  const csv = readFileSync(path.join(dir, 'results', RUN, 'workers', 'n1.csv'), 'utf8')
    .trim()
    .split('\n');
  assert.equal(csv[0], 'run_id,node_id,event_id,seq,recv_local_ns,system_ns,system_lo_ns,system_hi_ns,system_status,true_recv_ns');
  assert.deepEqual(
    csv.slice(1).map((l) => Number(l.split(',')[3])),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  for (const l of csv.slice(1)) {
    const cells = l.split(',');
    assert.match(cells[5]!, /^\d{19}$/);
    assert.equal(cells[6], '', 'the system source has no bound: empty, not 0');
    assert.equal(cells[9], '', 'no ground truth on a real clock: empty, not 0');
  }
  const summary = workerSummaryOf(path.join(dir, 'results', RUN, 'workers', 'n1.summary.json'));
  assert.equal(summary.recorded, 10);
  assert.deepEqual(summary.rejected, { duplicate: 1, untagged: 3, bad_tag: 1, wrong_run: 1, bad_json: 1, unknown_version: 1 });
  assert.deepEqual(summary.readings_by_source, { system: { readings: 10, without_value: 0, availability: 1, by_status: { ok: 10 } } });
});

test('worker answers ready? with per-source status', async () => {
  const dir = tmpDir();
  const { child, port } = await startCli(['worker', '--run-id', RUN, '--node', 'n2', ...loopbackWorkerFlags(dir)]);
  try {
    await withSocket(async (s) => {
      const status = waitFor(s, 'status', RUN, null);
      s.send(encodeReadyQuery(RUN, 1), port, '127.0.0.1');
      const st = await status;
      assert.equal(st.node, 'n2');
      assert.deepEqual(Object.keys(st.sources as object), ['system']);
    });
  } finally {
    child.kill('SIGTERM');
  }
});
