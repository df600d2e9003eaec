// Checks and headlines that cannot hide one worker's breach (issue 13 §4): per-worker checks of the
// built-in scenarios, the degraded split, availability and the headline block, on synthetic runs
// analysed end to end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeRun } from '../../analysis/analyze.js';
import { evaluateChecks, formatCheckResults, loadScenario } from '../../src/scenario/index.js';
import { tmpDir } from '../support/helpers.js';

const T0_SEC = 1_763_740_800;
const MS = 1e6;

/** Relative ns → absolute epoch-ns text. */
function absNs(rel: number): string {
  const r = Math.round(rel);
  const sec = Math.floor(r / 1e9);
  return `${T0_SEC + sec}${String(r - sec * 1e9).padStart(9, '0')}`;
}

/** One place's bounded reading: [lo, hi] in relative ns (null = empty) and its status. */
interface Reading {
  lo: number | null;
  hi: number | null;
  status: string;
}
interface Ev {
  send: number;
  coord: Reading;
  recv: number[];
  workers: Reading[];
}

const cells = (r: Reading): string =>
  r.lo === null || r.hi === null ? `,,,${r.status}` : `${absNs((r.lo + r.hi) / 2)},${absNs(r.lo)},${absNs(r.hi)},${r.status}`;

/** A native run directory with one bounded source ("bounded"), truth everywhere. */
function writeRun(events: Ev[], nodes: string[]): string {
  const dir = path.join(tmpDir('chronoeval-per-worker-'), 'run');
  mkdirSync(path.join(dir, 'workers'), { recursive: true });
  const src = 'bounded_ns,bounded_lo_ns,bounded_hi_ns,bounded_status';
  const coord = [`run_id,event_id,seq,send_local_ns,${src},true_send_ns`];
  const ws = nodes.map(() => [`run_id,node_id,event_id,seq,recv_local_ns,${src},true_recv_ns`]);
  events.forEach((e, i) => {
    coord.push(`rr,${i},${i},${absNs(e.send)},${cells(e.coord)},${absNs(e.send)}`);
    nodes.forEach((node, w) => ws[w]!.push(`rr,${node},${i},${i},${absNs(e.recv[w]!)},${cells(e.workers[w]!)},${absNs(e.recv[w]!)}`));
  });
  writeFileSync(path.join(dir, 'coordinator.csv'), coord.join('\n') + '\n');
  nodes.forEach((node, w) => writeFileSync(path.join(dir, 'workers', `${node}.csv`), ws[w]!.join('\n') + '\n'));
  return dir;
}

const around = (t: number, half: number, status = 'ok'): Reading => ({ lo: t - half, hi: t + half, status });

test('built-in scenarios check every worker: one worker of three breaching fails although the pooled figures pass', async () => {
  // 3000 events at 50 ms, each at the middle of a 50 ms window, so shifts of a few ms never change a window.
  // w2 arrives 2 ms after w1 and w3; 8 of its intervals lie 5 ms late (missing truth, but proving the
  // true order); w3 has no interval for 5 % of the events (warming).
  const nodes = ['w1', 'w2', 'w3'];
  const events: Ev[] = [];
  for (let i = 0; i < 3000; i++) {
    const send = 5e9 + i * 50 * MS + 24 * MS;
    const recv = [send + 1 * MS, send + 3 * MS, send + 1 * MS];
    const miss = i % 400 === 7;
    events.push({
      send,
      coord: around(send, 0.1 * MS),
      recv,
      workers: [
        around(recv[0]!, 0.1 * MS),
        miss ? around(recv[1]! + 5 * MS, 0.1 * MS) : around(recv[1]!, 0.1 * MS),
        i % 20 === 3 ? { lo: null, hi: null, status: 'warming' } : around(recv[2]!, 0.1 * MS),
      ],
    });
  }
  const { stats } = await analyzeRun(writeRun(events, nodes), { threads: false });
  const bq = (node: string | null) =>
    stats.bound_quality.find((b) => b.source === 'bounded' && b.role === 'worker' && b.node === node)!.coverage!;
  assert.deepEqual([bq('w2').count, bq('w2').total], [2992, 3000]);
  assert.ok(bq(null).share! >= 0.999, `pooled coverage ${bq(null).share} passes a 99.9 % check`);
  const avail = (node: string | null) =>
    stats.readings.find((r) => r.source === 'bounded' && r.role === 'worker' && r.node === node)!.availability;
  assert.deepEqual([avail('w3').count, avail('w3').total], [2850, 3000]);
  assert.deepEqual([avail(null).count, avail(null).total], [8850, 9000]);

  for (const name of ['lan', 'demo', 'drift', 'lossy', 'step', 'wan-ntp', 'wander']) {
    const scenario = loadScenario(name).scenario;
    const results = evaluateChecks(scenario, stats);
    const byName = new Map(results.map((r) => [r.name, r]));
    const cov = byName.get('bounded-coverage');
    assert.ok(cov, `${name} has a bounded-coverage check`);
    assert.equal(cov.verdict, 'fail', `${name}: ${formatCheckResults([cov])[0]}`);
    assert.equal(cov.worst_at, 'node=w2');
    assert.equal(cov.measured, 2992 / 3000);
    const av = byName.get('bounded-availability');
    assert.ok(av, `${name} has a bounded-availability check`);
    assert.equal(av.verdict, 'fail', `${name}: ${formatCheckResults([av])[0]}`);
    assert.equal(av.worst_at, 'node=w3');
    // the other per-worker checks exist and hold here (no wrong order, window or causality breach)
    for (const c of ['bounded-no-wrong-order', 'bounded-no-false-window-conflict', 'bounded-no-causality-violation']) {
      assert.equal(byName.get(c)?.verdict, 'pass', `${name}: ${c}`);
      assert.ok(byName.get(c)!.matched >= 3, `${name}: ${c} looks at every worker`);
    }
  }
  // what the checks of the scenarios looked at before: the pooled entry, which passes
  const pooled = evaluateChecks(
    {
      checks: [
        { name: 'pooled', path: 'bound_quality[source=bounded,role=worker,node=null].coverage.share', op: '>=', threshold: '99.9%' },
      ],
    },
    stats,
  );
  assert.equal(pooled[0]!.verdict, 'pass');

  const h = stats.headline.find((x) => x.source === 'bounded')!;
  assert.deepEqual(h.worst.coverage, { node: 'w2', value: 2992 / 3000 });
  assert.deepEqual(h.worst.availability, { node: 'w3', value: 0.95 });
  assert.equal(h.availability_share, 8850 / 9000);
  assert.deepEqual(
    h.workers.map((w) => w.node),
    [null, 'w1', 'w2', 'w3'],
  );
});

test('degraded readings are counted apart in coverage, causality, ordering and windows; breaches are charged to the worker that missed', async () => {
  // Two workers; T is the middle of a 50 ms window; w1 truly arrives first (T + 1 ms), w2 at T + 1.2 ms.
  //   e0: w2's interval 4-6 ms early (misses truth, proves w2 first: wrong order; before the send: a
  //       causality violation), status degraded
  //   e1: the same, status ok
  //   e2: w2's interval 30 ms late, in the next 50 ms window: a false window conflict, degraded
  //   e3: all honest
  //   e4: all honest, w1 degraded
  const nodes = ['w1', 'w2'];
  const events: Ev[] = [0, 1, 2, 3, 4].map((i) => {
    const T = 5e9 + i * 100 * MS + 25 * MS; // the middle of a 50 ms window, in the first half of a 100 ms one
    const recv = [T + 1 * MS, T + 1.2 * MS];
    const w2 =
      i === 0
        ? around(T - 4 * MS, 1 * MS, 'degraded')
        : i === 1
          ? around(T - 4 * MS, 1 * MS)
          : i === 2
            ? around(T + 30 * MS, 1 * MS, 'degraded')
            : around(recv[1]!, 0.1 * MS);
    return {
      send: T - 0.5 * MS,
      coord: around(T - 0.5 * MS, 0.1 * MS),
      recv,
      workers: [around(recv[0]!, 0.1 * MS, i === 4 ? 'degraded' : 'ok'), w2],
    };
  });
  const { stats, summaryText } = await analyzeRun(writeRun(events, nodes), { threads: false });
  const r = (x: { count: number; total: number } | null | undefined) => (x ? [x.count, x.total] : null);

  const bq = (node: string) => stats.bound_quality.find((b) => b.source === 'bounded' && b.role === 'worker' && b.node === node)!;
  assert.deepEqual(
    [r(bq('w2').coverage), r(bq('w2').coverage_degraded), r(bq('w2').coverage_not_degraded)],
    [
      [2, 5],
      [0, 2],
      [2, 3],
    ],
  );
  assert.deepEqual(
    [r(bq('w1').coverage), r(bq('w1').coverage_degraded), r(bq('w1').coverage_not_degraded)],
    [
      [5, 5],
      [1, 1],
      [4, 4],
    ],
  );

  const cz = (node: string) => stats.causality.find((c) => c.source === 'bounded' && c.node === node)!.interval!;
  assert.deepEqual([r(cz('w2').violation), cz('w2').degraded.compared, r(cz('w2').degraded.violation)], [[2, 5], 2, [1, 2]]);
  assert.deepEqual([cz('w1').degraded.compared, r(cz('w1').degraded.violation)], [1, [0, 1]]);

  for (const pair of [['w1', 'w2'], null]) {
    const o = stats.ordering.find((x) => x.source === 'bounded' && JSON.stringify(x.pair) === JSON.stringify(pair))!.interval_vs_truth!;
    assert.deepEqual([r(o.wrong), o.degraded.compared, r(o.degraded.wrong)], [[2, 5], 3, [1, 3]], `pair ${JSON.stringify(pair)}`);
    assert.deepEqual(
      o.wrong_by_worker,
      [
        { node: 'w1', count: 0 },
        { node: 'w2', count: 2 },
      ],
      `pair ${JSON.stringify(pair)}`,
    );
  }

  const w50 = stats.windows.find((x) => x.source === 'bounded' && x.window_ms === 50)!.interval!;
  assert.deepEqual([w50.confident_conflict.count, w50.conflict_false], [1, 1]);
  assert.deepEqual([w50.degraded.events, r(w50.degraded.confident_conflict), w50.degraded.conflict_false], [3, [1, 3], 1]);
  assert.deepEqual(w50.conflict_false_by_worker, [
    { node: 'w1', count: 0 },
    { node: 'w2', count: 1 },
  ]);
  const w100 = stats.windows.find((x) => x.source === 'bounded' && x.window_ms === 100)!.interval!;
  assert.deepEqual(
    [w100.conflict_false, w100.conflict_false_by_worker],
    [
      0,
      [
        { node: 'w1', count: 0 },
        { node: 'w2', count: 0 },
      ],
    ],
  );

  // headline: pooled counts, the worst worker named for each
  const h = stats.headline.find((x) => x.source === 'bounded')!;
  assert.deepEqual([h.interval_violations, h.interval_wrong_orders, h.window_false_conflicts, h.availability_share], [2, 2, 1, 1]);
  assert.deepEqual(h.worst, {
    availability: { node: 'w1', value: 1 },
    coverage: { node: 'w2', value: 0.4 },
    interval_violations: { node: 'w2', value: 2 },
    interval_wrong_orders: { node: 'w2', value: 2 },
    window_false_conflicts: { node: 'w2', value: 1 },
    point_violations: { node: 'w2', value: 0.4 },
  });
  const w2 = h.workers.find((w) => w.node === 'w2')!;
  assert.deepEqual(
    [r(w2.coverage), r(w2.interval_violations), w2.interval_wrong_orders, w2.window_false_conflicts],
    [[2, 5], [2, 5], 2, 1],
  );

  // the text summary leads with the headline block, naming the worst worker where it is not perfect
  const lines = summaryText.split('\n');
  const at = lines.findIndex((l) => l.startsWith('Headline'));
  assert.ok(at > 0 && at < 6, 'the headline block comes first');
  assert.ok(at < lines.findIndex((l) => l === 'Delivery'));
  const row = lines.slice(at).find((l) => l.startsWith('bounded'))!;
  assert.match(row, /100% \(10\/10\)/, 'availability, pooled');
  assert.match(row, /70\.00% \(7\/10\); worst w2 40\.00%/, 'coverage, pooled, then the worst worker');
  assert.match(row, /\b2; worst w2 2\b/, 'violations and wrong orders with the worst worker');
  assert.match(row, /\b1; worst w2 1\b/, 'false window conflicts');
  // a pooled point-violation share never hides the worker that breaks causality most
  assert.match(row, /%; worst w2 40\.00%\s*\S*\s*$/, 'point violations, pooled, then the worst worker');
  assert.doesNotMatch(row, /worst w1/, 'a perfect worker is not named');
  // and the split is printed
  const bqRow = lines.slice(lines.findIndex((l) => l.startsWith('Bound quality'))).find((l) => l.startsWith('bounded'))!;
  assert.match(
    bqRow,
    /70\.00% \(7\/10\) +33\.33% \(1\/3\) +85\.71% \(6\/7\)/,
    'coverage, then of the degraded readings, then of the others',
  );
});

test('availability counts readings with a value per worker and pooled, by the value the source uses', async () => {
  // w1 warming for 680 of 1000 events (the short-poll failure), w2 fine: pooled 66 %, w1 32 %
  const nodes = ['w1', 'w2'];
  const events: Ev[] = Array.from({ length: 1000 }, (_, i) => {
    const T = 5e9 + i * 20 * MS;
    return {
      send: T,
      coord: around(T, 0.1 * MS),
      recv: [T + MS, T + MS],
      workers: [i < 680 ? { lo: null, hi: null, status: 'warming' } : around(T + MS, 0.1 * MS), around(T + MS, 0.1 * MS)],
    };
  });
  const { stats, summaryText } = await analyzeRun(writeRun(events, nodes), { threads: false });
  const a = (role: string, node: string | null) =>
    stats.readings.find((x) => x.source === 'bounded' && x.role === role && x.node === node)!;
  assert.deepEqual([a('worker', 'w1').availability.count, a('worker', 'w1').availability.total], [320, 1000]);
  assert.deepEqual(
    [a('worker', null).availability.count, a('worker', null).availability.total, a('worker', null).status_counts],
    [1320, 2000, { ok: 1320, warming: 680 }],
  );
  assert.deepEqual([a('coordinator', null).availability.count, a('coordinator', null).rows], [1000, 1000]);
  // coverage over the 32 % looks perfect; the availability check of a built-in scenario fails, naming w1
  const bq = stats.bound_quality.find((b) => b.source === 'bounded' && b.role === 'worker' && b.node === 'w1')!.coverage!;
  assert.equal(bq.share, 1);
  const res = evaluateChecks(loadScenario('lan').scenario, stats).find((c) => c.name === 'bounded-availability')!;
  assert.deepEqual([res.verdict, res.measured, res.worst_at], ['fail', 0.32, 'node=w1']);
  assert.match(summaryText, /66\.00% \(1320\/2000\); worst w1 32\.00%/);
});
