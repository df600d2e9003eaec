// analyzeRun on a generated run with the real column layout and commit-wait files: the streaming
// join must match every row (nothing late, nothing unmatched), keep a bounded number of events in
// flight, and honest ±1 ms intervals must give full coverage, no wrong orders and no false conflicts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeRun, REORDER_WINDOW, type Stats } from '../../analysis/index.js';
import { generateSyntheticRun } from '../../bench/cases/analysis.js';
import { tmpDir } from '../support/helpers.js';

test('synthetic run: 30 000 events × 3 workers with re-estimation at 2 s and 5 s', async () => {
  const dir = path.join(tmpDir('chronoeval-synth-'), 'synthetic-run');
  const events = 30_000;
  const rateHz = 1000;
  await generateSyntheticRun(dir, { events, workers: 3, rateHz, commitWaitDelaysS: [2, 5], lossRate: 0, seed: 7 });
  const { stats, warnings, summaryText } = await analyzeRun(dir, {});
  assert.deepEqual(warnings, []);
  assert.equal(stats.delivery.events_sent, events);
  for (const w of stats.delivery.workers) {
    assert.equal(w.received, events);
    assert.equal(w.duplicates, 0);
    assert.equal(w.lost, 0);
  }
  assert.equal(stats.inputs.join.late_rows, 0);
  // in flight: the reorder window, a read batch, and the longest delay's worth of events (5 s × 1000/s)
  assert.ok(stats.inputs.join.max_events_in_flight < REORDER_WINDOW + 5 * rateHz + 15_000, String(stats.inputs.join.max_events_in_flight));
  assert.ok(stats.inputs.join.max_events_in_flight < events);
  assert.deepEqual(stats.reestimation_delays_s, [2, 5]);

  const bounded = stats.bound_quality.find((b) => b.source === 'bounded' && b.role === 'worker' && b.node === null)!;
  assert.equal(bounded.coverage!.share, 1);
  assert.equal(bounded.readings, events * 3);
  const order = stats.ordering.find((o) => o.source === 'bounded' && o.pair === null)!;
  assert.equal(order.interval_vs_truth!.wrong.count, 0);
  assert.equal(order.interval!.compared, events * 3);
  for (const w of stats.windows.filter((x) => x.source === 'bounded')) assert.equal(w.interval!.conflict_false, 0);
  const cw = stats.commit_wait.find((c) => c.source === 'bounded' && c.node === null)!;
  assert.deepEqual(
    cw.reestimated.map((r) => [r.delay_s, r.rows]),
    [
      [2, events * 3],
      [5, events * 3],
    ],
  );
  assert.equal(cw.reestimated[0]!.coverage!.share, 1);
  assert.ok(cw.reestimated[0]!.width.p50! < cw.wait.p50!, 're-estimated intervals are narrower');
  const coord = stats.coordination.find((c) => c.source === 'bounded' && c.window_ms === 50)!;
  assert.equal(coord.reestimated.length, 2);
  assert.equal(coord.reestimated[0]!.events, events);
  // ntp of worker 1 is warming for its first 50 events: empty values with a status, not compared
  const ntp = stats.readings.find((r) => r.source === 'ntp' && r.node === 'w1')!;
  assert.deepEqual([ntp.empty, ntp.status_counts['warming']], [50, 50]);
  // timeline and samples exist and are bounded
  assert.ok(stats.timeline!.t_rel_ns.length <= 201);
  assert.equal(
    stats.timeline!.events_sent.reduce((a, b) => a + b, 0),
    events,
  );
  assert.ok(stats.samples.events.length <= 2001 && stats.samples.events.length >= 1000);
  const onDisk = JSON.parse(readFileSync(path.join(dir, 'stats.json'), 'utf8')) as Stats;
  assert.equal(onDisk.run.run_id, 'synthetic-run');
  assert.match(summaryText, /Commit wait/);
});
