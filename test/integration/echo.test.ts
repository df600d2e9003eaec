// Echo brackets end to end on loopback: real workers echo every asked event, the coordinator
// records echo/<node>.csv with kernel arrival stamps; --echo N and off; a forged and a replayed
// echo are counted in echo/summary.json and never reach the CSV; the piggyback (eb) carries s, e,
// r and h back to the worker exactly as recorded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { decodeMessage, echoEncoder, encodeMessage, type EchoBackEntry } from '../../src/protocol/messages.js';
import { writeNewKeyFile } from '../../src/protocol/key.js';
import { readEchoSummary } from '../../src/files/echo-summary.js';
import { runDirPaths } from '../../src/files/paths.js';
import { loopbackWorkerFlags, runCli, startCli, tmpDir } from '../support/helpers.js';
import { loadUdpStampAddon } from '../../src/net/udp-stamp-addon.js';
import { single } from '../support/echo.js';

interface Csv {
  head: string[];
  rows: string[][];
}
function csv(file: string): Csv {
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  return { head: lines[0]!.split(','), rows: lines.slice(1).map((l) => l.split(',')) };
}
const col = (c: Csv, name: string): ((r: string[]) => string) => {
  const i = c.head.indexOf(name);
  assert.ok(i >= 0, name);
  return (r) => r[i]!;
};

async function startWorkers(dir: string, run: string, nodes: string[], keyFile: string): Promise<{ child: ChildProcess; port: number }[]> {
  return Promise.all(
    nodes.map((node) =>
      startCli([
        'worker',
        ...loopbackWorkerFlags(dir, { keyFile }),
        '--run-id',
        run,
        '--node',
        node,
        '--commit-wait-s',
        '',
        '--log-level',
        'error',
      ]),
    ),
  );
}

async function runWith(run: string, nodes: string[], echo: string | null, count: number, env: NodeJS.ProcessEnv = {}) {
  const dir = tmpDir('chronoeval-echo-');
  const keyFile = path.join(dir, 'run.key');
  await writeNewKeyFile(keyFile);
  const workers = await startWorkers(dir, run, nodes, keyFile);
  const exits = workers.map((w) => new Promise<number | null>((r) => w.child.on('exit', (c) => r(c))));
  const c = await runCli(
    [
      'coordinator',
      '--run-id',
      run,
      '--sources',
      'system',
      '--key-file',
      keyFile,
      '--results-dir',
      path.join(dir, 'results'),
      '--logs-dir',
      path.join(dir, 'logs'),
      '--log-level',
      'error',
      '--workers',
      workers.map((w) => `127.0.0.1:${w.port}`).join(','),
      '--rate',
      '1000',
      '--count',
      String(count),
      ...(echo === null ? [] : ['--echo', echo]),
    ],
    { timeoutMs: 60_000, env },
  );
  assert.equal(c.code, 0, c.stderr);
  for (const e of exits) assert.equal(await e, 0);
  return runDirPaths(path.join(dir, 'results', run));
}

/**
 * CLOCK_REALTIME − CLOCK_MONOTONIC now (ns). Kernel receive stamps are realtime, moved to the
 * monotonic clock when read, and each process anchors its clock on realtime once: a realtime step
 * during a run (something else setting the host's clock) shifts stamps across processes and
 * across a datagram's queueing by the step, so the strict bracket checks need a still clock.
 */
function realMinusMono(): bigint {
  const a = loadUdpStampAddon();
  if (!('addon' in a)) return 0n;
  const [real, mono] = a.addon.clockPair();
  return real - mono;
}
const stillClock = (moved: bigint): boolean => moved > -10_000n && moved < 10_000n;

test(
  'echo on (default): one row per (event, worker), s ≤ e − h and δ ≥ 0 in one host clock, r as the worker recorded it',
  { timeout: 60_000 },
  async (t) => {
    const N = 300;
    const before = realMinusMono();
    const p = await runWith('T-echo-on', ['w1', 'w2'], null, N);
    const moved = realMinusMono() - before;
    if (!stillClock(moved)) t.diagnostic(`the host's realtime clock moved ${moved} ns against the monotonic clock: bracket checks skipped`);
    const sent = csv(p.coordinatorCsv);
    const sendOf = new Map(sent.rows.map((r) => [col(sent, 'seq')(r), col(sent, 'send_local_ns')(r)]));
    // Kernel send stamps: every event has one (loopback stamps inside sendmsg), after the JS stamp.
    const kernelOf = new Map(sent.rows.map((r) => [col(sent, 'seq')(r), col(sent, 'send_kernel_ns')(r)]));
    for (const r of sent.rows) {
      const seq = col(sent, 'seq')(r);
      assert.equal(col(sent, 'send_kernel_reason')(r), '', `event ${seq}: no reason when stamped`);
      assert.equal(col(sent, 'true_send_kernel_ns')(r), '', `event ${seq}: no truth outside a simulation`);
      assert.ok(BigInt(kernelOf.get(seq)!) >= BigInt(sendOf.get(seq)!), `event ${seq}: kernel send stamp after the JS stamp`);
    }
    for (const node of ['w1', 'w2']) {
      const e = csv(p.echoCsv(node));
      const w = csv(p.workerCsv(node));
      let kernelHolds = 0;
      const recvOf = new Map(w.rows.map((r) => [col(w, 'seq')(r), col(w, 'recv_local_ns')(r)]));
      if (stillClock(moved))
        for (const [seq, r] of recvOf)
          assert.ok(BigInt(kernelOf.get(seq)!) <= BigInt(r), `${node} seq ${seq}: kernel send ≤ kernel receive`);
      assert.equal(e.rows.length, recvOf.size, `${node}: one echo row per received event`);
      assert.ok(e.rows.length >= N - 5, `${node}: ${e.rows.length} of ${N} echoes (loopback)`);
      assert.equal(new Set(e.rows.map(col(e, 'seq'))).size, e.rows.length, 'no event twice');
      for (const r of e.rows) {
        const seq = col(e, 'seq')(r);
        const s = BigInt(col(e, 'send_local_ns')(r));
        const rr = BigInt(col(e, 'recv_local_ns')(r));
        const h = BigInt(col(e, 'held_ns')(r));
        const ee = BigInt(col(e, 'echo_recv_local_ns')(r));
        assert.equal(String(s), sendOf.get(seq), `s of ${seq} is coordinator.csv's`);
        const sk = col(e, 'send_kernel_ns')(r);
        assert.equal(sk, kernelOf.get(seq), `the kernel send stamp of ${seq} is coordinator.csv's`);
        if (stillClock(moved)) assert.ok(BigInt(sk) <= rr && rr <= ee - h, `${node} seq ${seq}: kernel s ${sk} ≤ r ${rr} ≤ e − h`);
        // the worker's follow-up: the hold up to its echo's kernel transmit stamp, longer than h,
        // and r still before e minus it (all but the last echo datagram, whose follow-up never came)
        const hk = col(e, 'held_kernel_ns')(r);
        if (hk !== '') {
          kernelHolds++;
          assert.ok(BigInt(hk) >= h && BigInt(hk) - h < 50_000_000n, `${node} seq ${seq}: kernel hold ${hk} vs h ${h}`);
          if (stillClock(moved)) assert.ok(rr <= ee - BigInt(hk), `${node} seq ${seq}: r ${rr} ≤ e − h_kernel ${ee - BigInt(hk)}`);
        }
        assert.equal(String(rr), recvOf.get(seq), `r of ${seq} is ${node}.csv's`);
        assert.ok(h >= 0n);
        if (stillClock(moved)) {
          // Kernel stamps at both ends, one host clock: the worker's arrival lies in [s, e − h].
          assert.ok(s <= rr && rr <= ee - h, `${node} seq ${seq}: s ${s} ≤ r ${rr} ≤ e − h ${ee - h}`);
          assert.ok(ee - s - h >= 0n, 'δ ≥ 0');
        }
        assert.equal(col(e, 'system_status')(r), 'ok');
        assert.equal(col(e, 'system_ns')(r), String(ee), 'the system source read at e is e');
      }
      const ws = JSON.parse(readFileSync(p.workerSummary(node), 'utf8')) as {
        echoes_sent: number;
        recorded: number;
        echo_datagrams: number;
        echo_tx_stamped: number;
      };
      assert.equal(ws.echoes_sent, ws.recorded);
      assert.ok(
        ws.echo_tx_stamped >= ws.echo_datagrams * 0.9,
        `${node}: ${ws.echo_tx_stamped} of ${ws.echo_datagrams} echo datagrams with a kernel transmit stamp`,
      );
      assert.ok(kernelHolds >= e.rows.length * 0.9, `${node}: ${kernelHolds} of ${e.rows.length} rows with a kernel hold`);
    }
    const { summary, problems } = readEchoSummary(p.echoSummary);
    assert.deepEqual(problems, []);
    assert.equal(summary!.mode, 'on');
    assert.equal(summary!.asked, N);
    assert.equal(summary!.stamp, 'kernel');
    assert.equal(
      Object.values(summary!.rejected!).reduce((a, b) => a + b, 0),
      0,
    );
    const manifest = JSON.parse(readFileSync(p.manifest, 'utf8')) as { config: { echo: unknown } };
    assert.equal(manifest.config.echo, 'on');
  },
);

test(
  '--echo 3 asks one event in 3 (seq % 3 == 0); user stamps without the addon; --echo off asks none and writes no echo file',
  { timeout: 60_000 },
  async () => {
    const p3 = await runWith('T-echo-3', ['w1'], '3', 60);
    const e = csv(p3.echoCsv('w1'));
    const seqs = e.rows.map((r) => Number(col(e, 'seq')(r)));
    assert.ok(seqs.length >= 18, `${seqs.length} rows`);
    assert.ok(
      seqs.every((s) => s % 3 === 0),
      seqs.join(','),
    );
    assert.deepEqual(readEchoSummary(p3.echoSummary).summary!.mode, { every: 3 });
    assert.equal(readEchoSummary(p3.echoSummary).summary!.asked, 20);

    // Without the addon the coordinator's event sockets are connected dgram sockets and echoes are stamped in JavaScript.
    const before = realMinusMono();
    const user = await runWith('T-echo-user', ['w1'], '2', 40, { CHRONOEVAL_NO_NATIVE: '1' });
    const moved = realMinusMono() - before;
    assert.equal(readEchoSummary(user.echoSummary).summary!.stamp, 'user');
    const userSent = csv(user.coordinatorCsv);
    assert.ok(
      userSent.rows.every((r) => col(userSent, 'send_kernel_ns')(r) === '' && col(userSent, 'send_kernel_reason')(r) === 'no-addon'),
      'without the addon: no kernel send stamp, reason no-addon (send_local_ns is the send stamp)',
    );
    const u = csv(user.echoCsv('w1'));
    assert.ok(u.rows.length >= 18 && u.rows.every((r) => Number(col(u, 'seq')(r)) % 2 === 0), `${u.rows.length} rows`);
    for (const r of stillClock(moved) ? u.rows : [])
      assert.ok(BigInt(col(u, 'echo_recv_local_ns')(r)) - BigInt(col(u, 'send_local_ns')(r)) - BigInt(col(u, 'held_ns')(r)) >= 0n);

    const off = await runWith('T-echo-off', ['w1'], 'off', 30);
    assert.equal(existsSync(path.dirname(off.echoSummary)), false, 'no echo/ directory');
    const ws = JSON.parse(readFileSync(off.workerSummary('w1'), 'utf8')) as { echoes_sent: number; recorded: number };
    assert.equal(ws.recorded, 30);
    assert.equal(ws.echoes_sent, 0, 'no event asked for an echo');
  },
);

test(
  'a forged and a replayed echo are counted and never recorded; eb brings back s, e, r, h as recorded',
  { timeout: 60_000 },
  async () => {
    const RUN = 'T-echo-hostile';
    const dir = tmpDir('chronoeval-echo-hostile-');
    const keyFile = path.join(dir, 'run.key');
    const key = await writeNewKeyFile(keyFile);
    // The test is worker w1: it answers ready? and end, and echoes every asked event.
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    const echo = single(echoEncoder(RUN, 'w1', key));
    const forge = single(echoEncoder(RUN, 'w1', Buffer.alloc(32, 1)));
    const eb: EchoBackEntry[] = [];
    const asked: number[] = [];
    const sentEcho = new Map<number, { r: bigint; h: bigint }>();
    sock.on('message', (buf, from) => {
      const d = decodeMessage(buf, RUN, key);
      if (!d.ok) return;
      const m = d.msg;
      const reply = (b: Buffer): void => sock.send(b, from.port, from.address);
      if (m.k === 'ready?')
        reply(
          encodeMessage(
            { v: 1, k: 'status', run: RUN, node: 'w1', state: 'ready', sources: { system: { ready: true, detail: 'ok' } } },
            key,
          ),
        );
      else if (m.k === 'end') reply(encodeMessage({ v: 1, k: 'bye', run: RUN, node: 'w1', received: asked.length }, key));
      else if (m.k === 'ev') {
        if (m.eb) eb.push(...m.eb);
        if (m.ec !== 1) return;
        asked.push(m.seq);
        const r = BigInt(Date.now()) * 1_000_000n;
        const h = 1000n + BigInt(m.seq);
        sentEcho.set(m.seq, { r, h });
        const b = echo(m.seq, r, h);
        reply(b);
        if (m.seq === 5) {
          reply(b); // replayed
          reply(forge(m.seq, r, h)); // forged: a key the run does not have
          reply(forge(m.seq + 1000, r, h));
        }
      }
    });
    try {
      const c = await runCli(
        [
          'coordinator',
          '--run-id',
          RUN,
          '--sources',
          'system',
          '--key-file',
          keyFile,
          '--results-dir',
          path.join(dir, 'results'),
          '--logs-dir',
          path.join(dir, 'logs'),
          '--log-level',
          'error',
          '--workers',
          `127.0.0.1:${sock.address().port}`,
          '--rate',
          '200',
          '--count',
          '100',
        ],
        { timeoutMs: 60_000 },
      );
      assert.equal(c.code, 0, c.stderr);
    } finally {
      sock.close();
    }
    const p = runDirPaths(path.join(dir, 'results', RUN));
    const { summary } = readEchoSummary(p.echoSummary);
    assert.equal(summary!.rejected!.duplicate, 1, 'the replayed echo');
    assert.equal(summary!.rejected!.bad_tag, 2, 'the forged echoes');
    const e = csv(p.echoCsv('w1'));
    assert.equal(e.rows.length, asked.length, 'one row per echoed event');
    assert.equal(e.rows.filter((r) => col(e, 'seq')(r) === '5').length, 1);
    assert.ok(
      e.rows.every((r) => Number(col(e, 'seq')(r)) < 100),
      'no forged row',
    );
    // The piggyback: ~every 50 ms, at most 2 entries, exactly the recorded s (the kernel's send
    // stamp where the event has one: the later lower bound), e and the echoed r, h.
    assert.ok(eb.length >= 4, `${eb.length} eb entries`);
    const rowOf = new Map(e.rows.map((r) => [Number(col(e, 'seq')(r)), r]));
    for (const [seq, s, ee, r, h] of eb) {
      const row = rowOf.get(seq)!;
      assert.equal(s, col(e, 'send_kernel_ns')(row) || col(e, 'send_local_ns')(row));
      assert.equal(ee, col(e, 'echo_recv_local_ns')(row));
      assert.equal(r, String(sentEcho.get(seq)!.r));
      assert.equal(h, String(sentEcho.get(seq)!.h));
    }
  },
);
