// analyze's delivery section with the workers' kernel drop counters (summary recv_kernel_drops):
// lost events split into "dropped at the worker's socket" and "lost in the network", shown only
// where a counter exists; unavailable stays empty with its reason, never 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeRun } from '../../analysis/analyze.js';
import { kernelDropSplit } from '../../analysis/fold/kernel-drops.js';
import { collectWarnings } from '../../analysis/report/warnings.js';
import { lossTable } from '../../analysis/report/tables.js';
import { writeCoordinator, writeWorker, type Stamp } from '../fixtures/analysis-run.js';
import { tmpDir } from '../support/helpers.js';

const RUN = 'drops-run';
const st = (p: number): Stamp => ({ p, lo: null, hi: null });

test('kernelDropSplit: at the socket at most min(lost, drops); the rest in the network; null without a counter', () => {
  assert.deepEqual(kernelDropSplit({ recv_kernel_drops: 3, recv_kernel_drops_from: 'SO_MEMINFO' }, 5), {
    kernel_drops: 3,
    kernel_drops_from: 'SO_MEMINFO',
    lost_at_socket: 3,
    lost_in_network: 2,
  });
  assert.deepEqual(
    kernelDropSplit({ recv_kernel_drops: 9, recv_kernel_drops_from: '/proc/net/udp' }, 2),
    { kernel_drops: 9, kernel_drops_from: '/proc/net/udp', lost_at_socket: 2, lost_in_network: 0 },
    'drops of other datagrams do not make negative network loss',
  );
  assert.deepEqual(kernelDropSplit({ recv_kernel_drops: null, recv_kernel_drops_from: 'unavailable: x' }, 2), {
    kernel_drops: null,
    kernel_drops_from: 'unavailable: x',
    lost_at_socket: null,
    lost_in_network: null,
  });
  assert.deepEqual(
    kernelDropSplit({ received: 1 }, 2),
    { kernel_drops: null, kernel_drops_from: null, lost_at_socket: null, lost_in_network: null },
    'an older summary',
  );
  assert.deepEqual(kernelDropSplit(null, 0), { kernel_drops: null, kernel_drops_from: null, lost_at_socket: null, lost_in_network: null });
});

test('analyze: kernel drops per worker in stats.json, the summary text, the report table and the warnings', async () => {
  const dir = tmpDir('chronoeval-drops-');
  writeCoordinator(
    dir,
    RUN,
    ['system'],
    [0, 1, 2, 3, 4, 5].map((seq) => ({ seq, send: seq * 10, trueSend: seq * 10, stamps: { system: st(seq * 10) } })),
  );
  const got = (seqs: number[]) =>
    seqs.map((seq) => ({ seq, recv: seq * 10 + 1, trueRecv: seq * 10 + 1, stamps: { system: st(seq * 10 + 1) } }));
  writeWorker(dir, RUN, 'a', ['system'], got([0, 1, 2, 3])); // lost 2, both at its socket (4 drops counted)
  writeWorker(dir, RUN, 'b', ['system'], got([0, 5])); // lost 4, 1 drop: 3 in the network
  writeWorker(dir, RUN, 'c', ['system'], got([0, 1, 2])); // lost 3, no counter
  writeWorker(dir, RUN, 'd', ['system'], got([0, 1, 2, 3, 4, 5])); // nothing lost, 7 other datagrams dropped
  const summary = (node: string, drops: number | null, from: string) =>
    writeFileSync(
      path.join(dir, 'workers', `${node}.summary.json`),
      JSON.stringify({ run_id: RUN, node_id: node, recv_kernel_drops: drops, recv_kernel_drops_from: from }),
    );
  summary('a', 4, 'SO_MEMINFO');
  summary('b', 1, '/proc/net/udp');
  summary('c', null, 'unavailable: cannot read /proc/net/udp (EACCES)');
  summary('d', 7, 'SO_MEMINFO');
  const { stats, summaryText } = await analyzeRun(dir, { windowsMs: [100] });
  const by = Object.fromEntries(
    stats.delivery.workers.map((w) => [w.node, [w.lost, w.kernel_drops, w.lost_at_socket, w.lost_in_network, w.kernel_drops_from]]),
  );
  assert.deepEqual(by, {
    a: [2, 4, 2, 0, 'SO_MEMINFO'],
    b: [4, 1, 1, 3, '/proc/net/udp'],
    c: [3, null, null, null, 'unavailable: cannot read /proc/net/udp (EACCES)'],
    d: [0, 7, 0, 0, 'SO_MEMINFO'],
  });
  assert.match(summaryText, /Loss by place/);
  assert.match(summaryText, /\nb\s+4\s+1\s+1\s+3\s+\/proc\/net\/udp\n/);
  assert.match(summaryText, /\nc\s+3\s+—\s+—\s+—\s+unavailable: cannot read/);
  const html = lossTable(stats);
  assert.match(html, /id="table-loss"/);
  assert.match(html, /<th>a<\/th><td class="num">2<\/td><td class="num">4<\/td><td class="num">2<\/td><td class="num">0<\/td>/);
  const warnings = collectWarnings(stats, []);
  assert.ok(
    warnings.some((w) => /worker a lost 2 of 6 events .*up to 2 dropped by the kernel at its socket/.test(w)),
    warnings.join('\n'),
  );
  assert.ok(
    warnings.some((w) => /worker d: the kernel dropped 7 datagrams at its socket/.test(w)),
    warnings.join('\n'),
  );
  assert.ok(
    warnings.some((w) => /^worker c lost 3 of 6 events \(50\.000 %\)\.$/.test(w)),
    'no counter: no split claimed',
  );
});
