// --transport multicast for real: processes in network namespaces the test builds and removes.
//   loopback: run-local with 4 workers inside a namespace whose lo carries multicast;
//   bridge:   the coordinator in one namespace, 3 workers in others, over a bridge, IPv4 and IPv6.
// Each event leaves the coordinator as one datagram (its own count, and in the bridge lab the
// kernel's UDP OutDatagrams counters of its namespace), every worker records every event, and the group
// datagrams carry kernel receive stamps (the addon's socket joins the group).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI_PATH, tmpDir } from '../support/helpers.js';
import { workerSummaryOf } from '../support/worker-summary.js';
import { bridgeLab, loopbackNs, netnsUnavailableReason, type McastLab } from '../support/multicast-lab.js';

const skip = netnsUnavailableReason() ?? false;

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(argv: string[], timeoutMs = 60_000): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Every worker summary of the run: each recorded `count` events with kernel stamps and no drop. */
function assertWorkers(runDir: string, nodes: string[], count: number): void {
  for (const n of nodes) {
    const s = workerSummaryOf(path.join(runDir, 'workers', `${n}.summary.json`));
    assert.equal(s.recorded, count, `${n} recorded every event (zero loss)`);
    assert.equal(s.recv_stamp, 'kernel', `${n}: group datagrams carry kernel receive stamps`);
    assert.equal(s.recv_unstamped, 0, `${n}: no datagram without a kernel stamp`);
    assert.equal(s.recv_kernel_drops, 0, `${n}: no kernel drop at its sockets`);
  }
}

test('run-local, 4 workers, multicast on a namespace loopback: one datagram per event, zero loss', { skip, timeout: 90_000 }, async () => {
  const lab = loopbackNs();
  try {
    const dir = tmpDir();
    const results = path.join(dir, 'results');
    const scenario = path.join(dir, 'mc.json');
    const count = 400;
    const group = `239.${1 + (process.pid % 250)}.7.7:47311`;
    writeFileSync(
      scenario,
      JSON.stringify({
        name: 'mc',
        workers: 4,
        rate: 200,
        count,
        warmup_max_s: 5,
        commit_wait_s: [1],
        sources: ['system'],
        checks: [],
        transport: { kind: 'multicast', group, interface: '127.0.0.1' },
      }),
    );
    const args = [
      CLI_PATH,
      'run-local',
      '--scenario',
      scenario,
      '--no-figures',
      '--results-dir',
      results,
      '--logs-dir',
      path.join(dir, 'logs'),
    ];
    const r = await run(lab.inNs(0, [process.execPath, ...args]), 80_000);
    assert.equal(r.code, 0, r.stderr.slice(-3000));
    assert.match(r.stderr, new RegExp(`sent ${count} events in ${count} datagrams \\(multicast to the group\\)`));
    const runDir = path.join(results, readdirSync(results)[0]!);
    assertWorkers(runDir, ['w1', 'w2', 'w3', 'w4'], count);
    // Echoes come back from each worker's unicast socket and are told apart by its address.
    const echo = JSON.parse(readFileSync(path.join(runDir, 'echo', 'summary.json'), 'utf8')) as {
      received_by_node: Record<string, number>;
    };
    assert.deepEqual(echo.received_by_node, { w1: count, w2: count, w3: count, w4: count });
    const manifest = JSON.parse(readFileSync(path.join(runDir, 'manifest.json'), 'utf8')) as { config: { transport: unknown } };
    assert.deepEqual(manifest.config.transport, { kind: 'multicast', group, interface: '127.0.0.1' });
  } finally {
    lab.teardown();
  }
});

/** Coordinator in host 0, workers in hosts 1..3, one group; returns the UDP datagrams its namespace sent (kernel counters). */
async function bridgeRun(
  lab: McastLab,
  dir: string,
  o: { runId: string; group: string; iface: (i: number) => string; count: number; extra: string[] },
): Promise<number> {
  const results = path.join(dir, 'results');
  const common = ['--sources', 'system', '--insecure', '--run-id', o.runId, '--results-dir', results, '--logs-dir', path.join(dir, 'logs')];
  const mc = (i: number): string[] => ['--transport', 'multicast', '--group', o.group, '--multicast-interface', o.iface(i)];
  const workers = [1, 2, 3].map((i) =>
    run(
      lab.inNs(i, [process.execPath, CLI_PATH, 'worker', '--node', `w${i}`, '--port', '47321', '--commit-wait-s', '', ...common, ...mc(i)]),
    ),
  );
  const before = lab.udpOutDatagrams(0);
  const coord = await run(
    lab.inNs(0, [
      process.execPath,
      CLI_PATH,
      'coordinator',
      '--workers',
      [1, 2, 3].map((i) => `${lab.hosts[i]!.address}:47321`).join(','),
      '--count',
      String(o.count),
      '--rate',
      '500',
      '--ready-timeout-s',
      '20',
      ...common,
      ...mc(0),
      ...o.extra,
    ]),
  );
  const sent = lab.udpOutDatagrams(0) - before;
  const ws = await Promise.all(workers);
  assert.equal(coord.code, 0, coord.stderr.slice(-3000) + ws.map((w) => w.stderr.slice(-500)).join('\n'));
  const summary = JSON.parse(coord.stdout.trim().split('\n').pop()!) as { datagrams_sent: number; transport: string };
  assert.equal(summary.transport, 'multicast');
  assert.equal(summary.datagrams_sent, o.count, 'one event datagram per event, not one per worker');
  for (const w of ws) assert.equal(w.code, 0, w.stderr.slice(-2000));
  assertWorkers(path.join(results, o.runId), ['w1', 'w2', 'w3'], o.count);
  return sent;
}

test(
  'multicast across namespace hosts on a bridge (IPv4 and IPv6): zero loss, one send per event',
  { skip, timeout: 120_000 },
  async () => {
    const lab = bridgeLab(4);
    try {
      const dir = tmpDir();
      const count = 1000;
      const tag = (process.pid % 0xfff).toString(16);
      // IPv4: the interface named by its address; echoes on.
      const out4 = await bridgeRun(lab, dir, {
        runId: 'mc4',
        group: `239.2.${process.pid % 250}.1:47322`,
        iface: (i) => lab.hosts[i]!.address,
        count,
        extra: [],
      });
      // The kernel's own count in the coordinator's namespace: the events once, plus a few control
      // datagrams per worker (ready? rounds, end) — unicast would be 3 × count.
      assert.ok(out4 >= count && out4 < count + 100, `coordinator namespace sent ${out4} UDP datagrams for ${count} events to 3 workers`);
      process.stderr.write(`[multicast bridge] IPv4: ${out4} UDP datagrams left the coordinator's namespace for ${count} events\n`);
      // IPv6: the interface by name; echoes off (they come back over IPv4 only).
      const out6 = await bridgeRun(lab, dir, {
        runId: 'mc6',
        group: `[ff15::${tag}:1]:47323`,
        iface: () => 'eth0',
        count,
        extra: ['--echo', 'off'],
      });
      assert.ok(out6 >= count && out6 < count + 100, `IPv6: ${out6} UDP datagrams for ${count} events`);
      process.stderr.write(`[multicast bridge] IPv6: ${out6} UDP datagrams for ${count} events\n`);
    } finally {
      lab.teardown();
    }
  },
);
