// The worker's receive stamp (--recv-stamp): kernel arrival vs the JS callback, end to end with a
// real worker process. The worker runs a simulated clock on a truth anchor shared with this test
// (true time = anchor + CLOCK_MONOTONIC delta in both processes), so send and receive instants
// compare exactly, with no per-process HostClock anchor in between.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { decodeMessage, encodeMessage, type EventMessage } from '../../src/protocol/messages.js';
import { loopbackWorkerFlags, runCli, startCli, tmpDir, waitStopped } from '../support/helpers.js';
import { workerSummaryOf } from '../support/worker-summary.js';

const RUN = 'T-recv-stamp';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const anchorMono = process.hrtime.bigint();
const anchorReal = BigInt(Date.now()) * 1_000_000n;
const trueNow = (): bigint => anchorReal + (process.hrtime.bigint() - anchorMono);
const CLOCK = JSON.stringify({ truth_anchor: { real_ns: String(anchorReal), mono_ns: String(anchorMono) } });

function event(seq: number, sendNs: bigint): Buffer {
  const m: EventMessage = { v: 1, k: 'ev', run: RUN, id: seq, seq, st: { system: [String(sendNs), '', '', 'ok'] } };
  return encodeMessage(m, null);
}

interface Row {
  seq: number;
  recvLocal: bigint;
  trueRecv: bigint;
  systemNs: bigint;
}

function rows(dir: string, node: string): Row[] {
  const lines = readFileSync(path.join(dir, 'results', RUN, 'workers', `${node}.csv`), 'utf8')
    .trim()
    .split('\n');
  const head = lines[0]!.split(',');
  const col = (n: string): number => head.indexOf(n);
  return lines.slice(1).map((l) => {
    const c = l.split(',');
    return {
      seq: Number(c[col('seq')]),
      recvLocal: BigInt(c[col('recv_local_ns')]!),
      trueRecv: BigInt(c[col('true_recv_ns')]!),
      systemNs: BigInt(c[col('system_ns')]!),
    };
  });
}

async function endWorker(child: ChildProcess, port: number): Promise<number | null> {
  const exit = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const bye = new Promise<void>((r) =>
    s.on('message', (b) => {
      const d = decodeMessage(b, RUN, null);
      if (d.ok && d.msg.k === 'bye') r();
    }),
  );
  s.send(encodeMessage({ v: 1, k: 'end', run: RUN }, null), port, '127.0.0.1');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    bye,
    new Promise<void>((r) => {
      timer = setTimeout(r, 10_000);
    }),
  ]);
  clearTimeout(timer);
  s.close();
  return exit;
}

/**
 * Start a worker, stop it (SIGSTOP), send `n` events stamped with true time just before each
 * send, resume it after 150 ms, end it. Returns the rows, the send stamps, the true time just
 * before the resume, and the summary.
 */
async function stoppedWorkerRun(mode: 'auto' | 'kernel' | 'user', n: number) {
  const dir = tmpDir();
  const node = `n-${mode}`;
  const { child, port } = await startCli([
    'worker',
    '--run-id',
    RUN,
    '--node',
    node,
    ...loopbackWorkerFlags(dir),
    '--recv-stamp',
    mode,
    '--clock-faults',
    CLOCK,
  ]);
  const tx = dgram.createSocket('udp4');
  await new Promise<void>((r) => tx.connect(port, '127.0.0.1', r));
  child.kill('SIGSTOP');
  await waitStopped(child.pid!);
  const sent = new Map<number, bigint>();
  for (let i = 0; i < n; i++) {
    const t = trueNow();
    tx.send(event(i, t));
    sent.set(i, t);
    await new Promise((r) => setImmediate(r));
  }
  await sleep(150);
  const resumedAt = trueNow();
  child.kill('SIGCONT');
  tx.close();
  const code = await endWorker(child, port);
  const summary = workerSummaryOf(path.join(dir, 'results', RUN, 'workers', `${node}.summary.json`));
  return { code, rows: rows(dir, node), sent, resumedAt, summary };
}

test(
  'kernel stamps: events sent while the worker is stopped are stamped at arrival, before it resumed',
  { skip: process.platform !== 'linux', timeout: 60_000 },
  async () => {
    const r = await stoppedWorkerRun('auto', 20); // auto = kernel where the addon is built (a test in udp-stamp.test.ts fails if not)
    assert.equal(r.code, 0);
    assert.equal(r.summary.recv_stamp, 'kernel');
    assert.equal(r.summary.recv_unstamped, 0);
    assert.ok((r.summary.recv_buffer_bytes ?? 0) > 0);
    assert.equal(r.summary.recv_pause_ms, 1, 'the default rest of the socket between reads at high rates');
    assert.equal(r.rows.length, 20);
    for (const row of r.rows) {
      const sentNs = r.sent.get(row.seq)!;
      assert.ok(row.recvLocal - sentNs > 0n, `seq ${row.seq}: recv_local_ns − send stamp = ${row.recvLocal - sentNs} ns`);
      assert.ok(
        row.trueRecv < r.resumedAt,
        `seq ${row.seq}: true_recv_ns ${row.trueRecv - r.resumedAt} ns after the worker resumed: not the arrival`,
      );
      assert.equal(row.recvLocal, row.trueRecv, 'a zero-offset simulated clock: local = true at the same instant');
      assert.equal(row.systemNs, row.recvLocal, 'the system source is read at the arrival instant');
    }
  },
);

test('user stamps: the same events are stamped only once the worker runs again', { timeout: 60_000 }, async () => {
  const r = await stoppedWorkerRun('user', 20);
  assert.equal(r.code, 0);
  assert.equal(r.summary.recv_stamp, 'user');
  assert.equal(r.summary.recv_unstamped, 0);
  assert.equal(r.summary.recv_pause_ms, 0, 'JS stamps are read when the datagram is read: never rests');
  assert.equal(r.rows.length, 20);
  for (const row of r.rows) {
    assert.ok(row.trueRecv >= r.resumedAt, `seq ${row.seq}: a JS stamp before the process resumed?`);
    assert.ok(row.recvLocal - r.sent.get(row.seq)! >= 100_000_000n, 'user latency includes the 150 ms stop');
  }
});

test('--recv-stamp kernel without the addon: a clear error, exit 2, nothing written', async () => {
  const dir = tmpDir();
  const r = await runCli(['worker', '--run-id', RUN, '--node', 'nk', ...loopbackWorkerFlags(dir), '--recv-stamp', 'kernel'], {
    env: { CHRONOEVAL_NO_NATIVE: '1' },
    timeoutMs: 30_000,
  });
  assert.equal(r.code, 2);
  assert.match(
    r.stderr,
    /--recv-stamp kernel: kernel receive timestamps are unavailable: the udp_stamp addon is disabled by CHRONOEVAL_NO_NATIVE=1/,
  );
  assert.ok(!existsSync(path.join(dir, 'results', RUN, 'workers')), 'no result files for a worker that refused to start');
});

test('--recv-stamp auto without the addon: a warning, user stamps, every event recorded', { timeout: 60_000 }, async () => {
  const dir = tmpDir();
  const { child, port, stderr } = await startCli(['worker', '--run-id', RUN, '--node', 'na', ...loopbackWorkerFlags(dir)], {
    env: { CHRONOEVAL_NO_NATIVE: '1' },
  });
  const tx = dgram.createSocket('udp4');
  await new Promise<void>((r) => tx.connect(port, '127.0.0.1', r));
  for (let i = 0; i < 50; i++) {
    tx.send(event(i, trueNow()));
    await new Promise((r) => setImmediate(r));
  }
  await sleep(200);
  tx.close();
  assert.equal(await endWorker(child, port), 0);
  assert.match(
    stderr(),
    /WARN kernel receive timestamps unavailable: the udp_stamp addon is disabled by CHRONOEVAL_NO_NATIVE=1; stamping datagrams in JavaScript/,
  );
  const summary = workerSummaryOf(path.join(dir, 'results', RUN, 'workers', 'na.summary.json'));
  assert.equal(summary.recv_stamp, 'user');
  assert.equal(summary.recorded, 50);
  assert.deepEqual(
    rows(dir, 'na').map((r) => r.seq),
    Array.from({ length: 50 }, (_, i) => i),
  );
});

test('run-local --recv-stamp kernel without the addon: refused before any process starts', async () => {
  const dir = tmpDir();
  const r = await runCli(
    [
      'run-local',
      '--recv-stamp',
      'kernel',
      '--duration-s',
      '1',
      '--no-figures',
      '--results-dir',
      path.join(dir, 'results'),
      '--logs-dir',
      path.join(dir, 'logs'),
    ],
    { env: { CHRONOEVAL_NO_NATIVE: '1' }, timeoutMs: 30_000 },
  );
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--recv-stamp kernel: kernel receive timestamps are unavailable/);
  assert.doesNotMatch(r.stderr, /ntp-server|listening/, 'nothing was started');
});

test('run-local passes --recv-stamp to its workers', { timeout: 60_000 }, async () => {
  const dir = tmpDir();
  // system source only: no NTP warmup; the demo's checks on other sources then cannot be judged (exit 2), which is not what this tests.
  const r = await runCli(
    [
      'run-local',
      '--recv-stamp',
      'user',
      '--sources',
      'system',
      '--workers',
      '2',
      '--duration-s',
      '1',
      '--no-figures',
      '--results-dir',
      path.join(dir, 'results'),
      '--logs-dir',
      path.join(dir, 'logs'),
    ],
    { timeoutMs: 60_000 },
  );
  const [runId] = readdirSync(path.join(dir, 'results'));
  for (const w of ['w1', 'w2']) {
    const summary = workerSummaryOf(path.join(dir, 'results', runId!, 'workers', `${w}.summary.json`));
    assert.equal(summary.recv_stamp, 'user', `${w}: ${r.stderr.slice(-2000)}`);
    assert.equal(summary.recorded, 50);
  }
});
