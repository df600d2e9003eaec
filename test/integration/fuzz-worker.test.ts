// 100,000+ hostile datagrams of every kind at a live `chronoeval worker` (a real child process)
// during a run, interleaved with legitimate events. The worker must stay up, its CSV must hold
// exactly the legitimate events, and its summary must count every reject by kind — exactly,
// which is only possible because the sender paces itself (barriers) and the kernel's drop
// counter for the worker's socket is checked to be 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createHmac, randomBytes } from 'node:crypto';
import { decodeMessage, encodeMessage, type EventMessage, type Message } from '../../src/protocol/messages.js';
import { loopbackWorkerFlags, startCli, tmpDir } from '../support/helpers.js';
import { PacedSender, readCsv, rng, seedFrom, udpDrops, writeKey } from '../support/reliability.js';
import { workerSummaryOf } from '../support/worker-summary.js';

const RUN = 'T-fuzz-worker';
const HOSTILE = Number(process.env.FUZZ_DATAGRAMS ?? 100_000);
const LEGIT = 2_000;
type Reason = 'oversize' | 'bad_json' | 'bad_shape' | 'unknown_version' | 'wrong_run' | 'untagged' | 'bad_tag' | 'duplicate';

const idOf = (seq: number): number => seq * 3 + 1;
function event(seq: number, run = RUN): EventMessage {
  return {
    v: 1,
    k: 'ev',
    run,
    id: idOf(seq),
    seq,
    st: { system: [String(1_763_700_000_000_000_000n + BigInt(seq) * 1_000_000n), '', '', 'ok'] },
  };
}

test(
  `a live worker survives ${HOSTILE} hostile datagrams, records exactly the ${LEGIT} legitimate events and counts rejects by kind`,
  { timeout: 120_000 },
  async () => {
    const seed = seedFrom('FUZZ_SEED', 'fuzz-worker');
    const r = rng(seed);
    const dir = tmpDir('chronoeval-fuzz-');
    const { key, keyFile } = writeKey(dir);
    const otherKey = randomBytes(32);
    const tag = (body: Buffer): Buffer =>
      Buffer.concat([body, Buffer.from('\n' + createHmac('sha256', key).update(body).digest('base64url'))]);
    const tagJson = (o: unknown): Buffer => tag(Buffer.from(JSON.stringify(o)));

    const { child, port, stderr } = await startCli([
      'worker',
      '--run-id',
      RUN,
      '--node',
      'fz',
      ...loopbackWorkerFlags(dir, { keyFile }),
      '--log-level',
      'error',
    ]);
    let exitCode: number | null | undefined;
    const exited = new Promise<number | null>((res) =>
      child.on('exit', (c) => {
        exitCode = c;
        res(c);
      }),
    );
    const sender = await PacedSender.open(port, RUN, key);

    const expected: Partial<Record<Reason, number>> = {};
    const legitSent: Buffer[] = [];
    let novel = 10_000_000; // seqs of hostile "events": recognisable if one ever reached the CSV
    const noNewline = (b: Buffer): Buffer => {
      for (let i = 0; i < b.length; i++) if (b[i] === 0x0a) b[i] = 0x20;
      return b;
    };
    const b64chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

    // Every kind yields [datagram, expected reason].
    const wrongTypes: ((e: Record<string, unknown>) => void)[] = [
      (e) => {
        e.seq = -1 - r.int(1000);
      },
      (e) => {
        e.seq = String(e.seq);
      },
      (e) => {
        e.id = 2 ** 53 + r.int(1000);
      },
      (e) => {
        e.seq = 1.5;
      },
      (e) => {
        e.id = null;
      },
      (e) => {
        e.st = [];
      },
      (e) => {
        e.st = 'system';
      },
      (e) => {
        e.st = { system: ['9223372036854775808', '', '', 'ok'] };
      },
      (e) => {
        e.st = { system: ['-9223372036854775809', '', '', 'ok'] };
      },
      (e) => {
        e.st = { system: ['1', '', '', 'lying'] };
      },
      (e) => {
        e.st = { 'Bad Name': ['1', '', '', 'ok'] };
      },
      (e) => {
        e.st = { system: ['1', '', ''] };
      },
      (e) => {
        e.st = { system: [1, '', '', 'ok'] };
      },
      (e) => {
        e.tt = '1e18';
      },
      (e) => {
        e.k = 'evil';
      },
      (e) => {
        e.k = { toString: 1 };
      },
      (e) => {
        delete e.run;
      },
    ];
    const kinds: (() => [Buffer, Reason])[] = [
      () => [noNewline(r.bytes(r.int(1245))), 'untagged'], // random bytes
      () => [
        Buffer.concat([
          noNewline(r.bytes(r.int(1200))),
          Buffer.from('\n' + Array.from({ length: 43 }, () => r.pick([...b64chars])).join('')),
        ]),
        'bad_tag',
      ],
      () => [r.bytes(1245 + r.int(6000)), 'oversize'], // oversize bytes
      () => {
        // oversize JSON, validly tagged
        const e = event(novel++) as unknown as Record<string, unknown>;
        e.pad = 'x'.repeat(1201 + r.int(200));
        return [tagJson(e), 'oversize'];
      },
      () => {
        const j = JSON.stringify(event(novel++));
        return [tag(Buffer.from(j.slice(0, r.int(j.length)))), 'bad_json'];
      }, // truncated JSON
      () => [tag(Buffer.concat([Buffer.from([0xff]), r.bytes(r.int(300))])), 'bad_json'], // not UTF-8 / not JSON
      () => {
        const e = event(novel++) as unknown as Record<string, unknown>;
        r.pick(wrongTypes)(e);
        return [tagJson(e), 'bad_shape'];
      },
      () => [tagJson({ ...event(novel++), v: r.pick([0, 2, 3, 255, '1', null, -1, { toString: 1, valueOf: 1 }]) }), 'unknown_version'],
      () => [
        r.int(4)
          ? encodeMessage(event(novel++, `other-run-${r.int(100)}`), key)
          : encodeMessage({ v: 1, k: 'end', run: 'other-run' } as Message, key),
        'wrong_run',
      ],
      () => [r.int(4) ? encodeMessage(event(novel++)) : encodeMessage({ v: 1, k: 'end', run: RUN } as Message), 'untagged'], // an untagged `end` must not end the worker
      () => [
        r.int(4) ? encodeMessage(event(novel++), otherKey) : encodeMessage({ v: 1, k: 'end', run: RUN } as Message, otherKey),
        'bad_tag',
      ],
      () => {
        const b = encodeMessage(event(novel++), key);
        return [b.subarray(0, b.length - 1 - r.int(43)), 'bad_tag'];
      }, // truncated tag
      () => {
        // replay of a legitimate datagram
        if (legitSent.length === 0) return [encodeMessage(event(novel++)), 'untagged'];
        return [r.pick(legitSent), 'duplicate'];
      },
      () => {
        // bit flip of a legitimate datagram
        const src = legitSent.length ? r.pick(legitSent) : encodeMessage(event(novel++), key);
        const b = Buffer.from(src);
        const sep = b.lastIndexOf(0x0a);
        const pos = r.int(b.length);
        b[pos] = b[pos]! ^ (1 << r.int(8));
        return [b, pos === sep ? 'untagged' : 'bad_tag'];
      },
    ];

    const t0 = Date.now();
    let legitNext = 0;
    let hostileSent = 0;
    while (hostileSent < HOSTILE || legitNext < LEGIT) {
      const legitTurn =
        legitNext < LEGIT && (hostileSent >= HOSTILE || r.int(HOSTILE - hostileSent + LEGIT - legitNext) < LEGIT - legitNext);
      if (legitTurn) {
        const b = encodeMessage(event(legitNext++), key);
        legitSent.push(b);
        await sender.send(b);
      } else {
        const [b, why] = r.pick(kinds)();
        expected[why] = (expected[why] ?? 0) + 1;
        hostileSent++;
        await sender.send(b);
      }
      if (exitCode !== undefined) assert.fail(`worker exited (${exitCode}) after ${sender.sent} datagrams:\n${stderr()}`);
    }
    await sender.barrier();
    const sendMs = Date.now() - t0;
    const drops = udpDrops(port);
    assert.equal(exitCode, undefined, 'the worker is still running after the flood');

    // End the run properly and read what the worker kept.
    const bye = new Promise<void>((res) =>
      sender.sock.on('message', (b) => {
        const d = decodeMessage(b, RUN, key);
        if (d.ok && d.msg.k === 'bye') res();
      }),
    );
    const end = encodeMessage({ v: 1, k: 'end', run: RUN } as Message, key);
    sender.sock.send(end, port, '127.0.0.1');
    const endTimer = setInterval(() => sender.sock.send(end, port, '127.0.0.1'), 1000);
    await bye;
    assert.equal(await exited, 0, `worker exit code; stderr:\n${stderr()}`);
    clearInterval(endTimer);
    sender.close();
    process.stdout.write(
      `# fuzz-worker: ${hostileSent} hostile + ${LEGIT} legitimate datagrams + ${sender.queries} barriers in ${sendMs} ms; kernel drops ${drops}; expected rejects ${JSON.stringify(expected)}\n`,
    );

    assert.equal(drops, 0, 'the kernel dropped datagrams: pacing failed, counts below would be meaningless');
    const csv = readCsv(path.join(dir, 'results', RUN, 'workers', 'fz.csv'));
    assert.equal(csv.torn, null);
    assert.deepEqual(
      csv.rows.map((x) => Number(x.seq)),
      Array.from({ length: LEGIT }, (_, i) => i),
      'exactly the legitimate events, each once, in order',
    );
    for (const row of csv.rows) {
      assert.equal(Number(row.event_id), idOf(Number(row.seq)));
      assert.equal(row.run_id, RUN);
      assert.match(row.system_ns!, /^\d{19}$/);
    }
    const summary = workerSummaryOf(path.join(dir, 'results', RUN, 'workers', 'fz.summary.json'));
    assert.equal(summary.recorded, LEGIT);
    assert.deepEqual(summary.rejected, expected, 'every reject counted under its kind');
    // Every datagram that reached the worker is accounted for: legit + rejected + control (ready? and the final end(s)).
    const rejectedTotal = Object.values(summary.rejected).reduce((a, b) => a + b, 0);
    assert.equal(rejectedTotal, hostileSent);
    assert.ok(summary.received >= LEGIT + hostileSent + sender.queries + 1, `received ${summary.received}`);
  },
);
