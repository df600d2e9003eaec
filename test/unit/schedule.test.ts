import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dueTimesNs, scheduleLength, scheduleRecord, validateSchedule, type ScheduleSpec } from '../../src/coordinator/schedule.js';

test('fixed rate with a count gives evenly spaced due times', () => {
  assert.deepEqual([...dueTimesNs({ kind: 'fixed', rate: 4, count: 3 })], [0, 250_000_000, 500_000_000]);
});

test('a duration bounds the schedule (events due strictly before the end)', () => {
  assert.equal(scheduleLength({ kind: 'fixed', rate: 10, durationS: 1 }), 10);
  for (const kind of ['jittered', 'poisson'] as const) {
    const due = [...dueTimesNs({ kind, seed: 5, rate: 1000, durationS: 2 })];
    assert.ok(
      due.every((t) => t >= 0 && t < 2e9),
      kind,
    );
    assert.ok(Math.abs(due.length - 2000) < (kind === 'jittered' ? 2 : 200), `${kind}: ${due.length} events in 2 s at 1000/s`);
  }
});

test('a pattern of spacings repeats', () => {
  assert.deepEqual([...dueTimesNs({ kind: 'fixed', patternMs: [1, 9], count: 4 })], [0, 1_000_000, 10_000_000, 11_000_000]);
});

test('jittered: one event at a uniform instant in each slot of the fixed schedule, the same for the same seed', () => {
  const spec: ScheduleSpec = { seed: 42, rate: 100, count: 1000 }; // the default kind
  const a = [...dueTimesNs(spec)];
  assert.deepEqual([...dueTimesNs(spec)], a, 'same seed, same due times');
  assert.notDeepEqual([...dueTimesNs({ ...spec, seed: 43 })], a, 'another seed, other due times');
  a.forEach((t, k) => assert.ok(t >= k * 1e7 && t <= (k + 1) * 1e7, `event ${k} at ${t} outside its slot`));
  for (let k = 1; k < a.length; k++) assert.ok(a[k]! >= a[k - 1]!, 'non-decreasing');
  // with a pattern: each event inside its own spacing's slot; zero spacings stay simultaneous
  const p = [...dueTimesNs({ kind: 'jittered', seed: 1, patternMs: [0, 5, 45], count: 6 })];
  assert.ok(p[0] === p[1] && p[0]! <= 5e6, `burst of two in [0, 5 ms): ${p.join(',')}`);
  assert.ok(p[2]! >= 5e6 && p[2]! <= 50e6, `third in [5, 50 ms): ${p.join(',')}`);
  assert.ok(p[3] === p[4] && p[3]! >= 50e6 && p[3]! <= 55e6 && p[5]! >= 55e6 && p[5]! <= 100e6, p.join(','));
});

test('poisson: exponential gaps with mean 1/rate (seeded)', () => {
  const due = [...dueTimesNs({ kind: 'poisson', seed: 7, rate: 1000, count: 20_000 })];
  const gaps = due.map((t, i) => t - (i ? due[i - 1]! : 0));
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  assert.ok(Math.abs(mean - 1e6) < 0.03e6, `mean gap ${mean} ns`);
  // exponential: P(gap > mean) = 1/e
  const above = gaps.filter((g) => g > 1e6).length / gaps.length;
  assert.ok(Math.abs(above - Math.exp(-1)) < 0.015, `share of gaps above the mean ${above}`);
  assert.deepEqual([...dueTimesNs({ kind: 'poisson', seed: 7, rate: 1000, count: 50 })], due.slice(0, 50));
});

/**
 * Chi-square statistic of the phases (epoch ns mod W) of events sent from `startNs`, in bins of
 * `binNs`, and the critical value at p = 0.001 (Wilson–Hilferty).
 */
function phaseChiSquare(
  spec: ScheduleSpec,
  startNs: bigint,
  windowNs: number,
  binNs: number,
): { chi2: number; critical: number; distinct: number } {
  const bins = windowNs / binNs;
  const counts = new Array<number>(bins).fill(0);
  const w = BigInt(windowNs);
  const distinct = new Set<number>();
  let n = 0;
  for (const due of dueTimesNs(spec)) {
    const phase = Number((startNs + BigInt(due)) % w);
    distinct.add(Math.floor(phase / 1000));
    counts[Math.floor(phase / binNs)]!++;
    n++;
  }
  const expected = n / bins;
  const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
  const df = bins - 1;
  const z = 3.090232; // one-sided p = 0.001
  const critical = df * (1 - 2 / (9 * df) + z * Math.sqrt(2 / (9 * df))) ** 3;
  return { chi2, critical, distinct: distinct.size };
}

// Start instants of real runs are arbitrary epoch ns; the phases must not depend on them.
const STARTS = [1_763_740_800_000_000_000n, 1_763_740_800_012_345_678n, 1_763_740_837_999_220_000n];

test('the default schedule samples window phases uniformly (chi-square, 400 bins of 0.25 ms, p = 0.001)', () => {
  for (const rate of [50, 500, 1000]) {
    for (const [i, start] of STARTS.entries()) {
      const spec: ScheduleSpec = { rate, count: 100_000, seed: 1000 + i }; // kind left to the default
      const r = phaseChiSquare(spec, start, 100e6, 0.25e6);
      assert.ok(
        r.chi2 < r.critical,
        `default schedule at ${rate}/s from ${start}: chi² ${r.chi2.toFixed(0)} ≥ ${r.critical.toFixed(0)} (phases not uniform; ${r.distinct} distinct µs phases)`,
      );
    }
  }
});

test('poisson samples window phases uniformly; fixed does not (every event at the same few phases)', () => {
  for (const rate of [50, 500, 1000]) {
    const start = STARTS[1]!;
    const p = phaseChiSquare({ kind: 'poisson', seed: 3, rate, count: 100_000 }, start, 100e6, 0.25e6);
    assert.ok(p.chi2 < p.critical, `poisson at ${rate}/s: chi² ${p.chi2.toFixed(0)}`);
    const f = phaseChiSquare({ kind: 'fixed', rate, count: 100_000 }, start, 100e6, 0.25e6);
    assert.ok(f.chi2 > 10 * f.critical, `fixed at ${rate}/s: chi² ${f.chi2.toFixed(0)}`);
    assert.equal(f.distinct, rate / 10, `fixed at ${rate}/s: ${f.distinct} distinct phases in a 100 ms window`);
  }
});

test('the manifest record names the kind, the seed and whether phases are uniform', () => {
  assert.deepEqual(scheduleRecord({ seed: 9, rate: 50, durationS: 20 }), {
    kind: 'jittered',
    seed: 9,
    rate: 50,
    pattern_ms: null,
    count: null,
    duration_s: 20,
    uniform_phases: true,
  });
  assert.deepEqual(scheduleRecord({ kind: 'fixed', seed: 9, patternMs: [1, 2], count: 4 }), {
    kind: 'fixed',
    seed: null,
    rate: null,
    pattern_ms: [1, 2],
    count: 4,
    duration_s: null,
    uniform_phases: false,
  });
});

test('invalid schedules say what is wrong', () => {
  assert.throws(() => validateSchedule({ kind: 'fixed', rate: 0, count: 1 }), /--rate/);
  assert.throws(() => validateSchedule({ kind: 'fixed', rate: 5 }), /--count N or --duration-s/);
  assert.throws(() => validateSchedule({ kind: 'fixed', patternMs: [0, 0], count: 2 }), /--pattern/);
  assert.throws(() => validateSchedule({ kind: 'fixed', rate: 5, count: 1.5 }), /--count/);
  assert.throws(() => validateSchedule({ kind: 'poisson', seed: 1, patternMs: [1, 2], count: 2 }), /poisson .* no --pattern/);
  assert.throws(() => validateSchedule({ kind: 'jittered', rate: 5, count: 2 }), /--schedule jittered needs a seed/);
  assert.throws(() => validateSchedule({ kind: 'poisson', seed: -1, rate: 5, count: 2 }), /needs a seed .* got -1/);
  assert.throws(
    () => validateSchedule({ kind: 'sometimes' as never, seed: 1, rate: 5, count: 2 }),
    /--schedule "sometimes": use one of jittered, poisson, fixed/,
  );
});

test('analysis names the recorded schedule (stats.json, summary, report) and warns when window phases were not sampled uniformly', async () => {
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const path = (await import('node:path')).default;
  const { tmpDir } = await import('../support/helpers.js');
  const { writeCoordinator, writeWorker } = await import('../fixtures/analysis-run.js');
  const { analyzeRun } = await import('../../analysis/analyze.js');
  const { collectWarnings } = await import('../../analysis/report/warnings.js');
  const run = async (schedule: Record<string, unknown> | null) => {
    const dir = tmpDir('chronoeval-schedule-');
    mkdirSync(path.join(dir, 'workers'));
    const rows = [0, 1, 2, 3].map((seq) => ({ seq, send: 20 * seq, stamps: { system: { p: 20 * seq } } }));
    writeCoordinator(dir, 'r1', ['system'], rows);
    for (const node of ['w1', 'w2'])
      writeWorker(
        dir,
        'r1',
        node,
        ['system'],
        rows.map((r) => ({ seq: r.seq, recv: r.send + 0.3, stamps: { system: { p: r.send + 0.3 } } })),
      );
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ run_id: 'r1', kind: 'local', ...(schedule ? { schedule } : {}) }));
    return analyzeRun(dir, { windowsMs: [100] });
  };
  const fixed = await run(scheduleRecord({ kind: 'fixed', rate: 50, count: 4 }));
  assert.deepEqual(fixed.stats.run.schedule, { kind: 'fixed', seed: null, uniform_phases: false });
  const w = fixed.stats.inputs.warnings.find((x) => x.startsWith('events were sent on the fixed schedule'));
  assert.ok(w, fixed.stats.inputs.warnings.join(' | '));
  assert.ok(fixed.summaryText.includes('event schedule: fixed: every event at the same few window phases'));
  assert.ok(fixed.summaryText.includes(w) && collectWarnings(fixed.stats, []).includes(w));
  const jit = await run(scheduleRecord({ seed: 7, rate: 50, count: 4 }));
  assert.deepEqual(jit.stats.run.schedule, { kind: 'jittered', seed: 7, uniform_phases: true });
  assert.equal(jit.stats.inputs.warnings.filter((x) => /schedule/.test(x)).length, 0);
  assert.ok(jit.summaryText.includes('event schedule: jittered, seed 7: window phases sampled uniformly'));
  const none = await run(null);
  assert.equal(none.stats.run.schedule, null);
  assert.ok(none.summaryText.includes('event schedule: not recorded'));
});

test('window disagreement of two clocks 0.3 ms apart: the default schedule gives ~0.3 % whatever the start; fixed gives 0 % or 20 % by start instant', async () => {
  const { makeWindowSize, pointWindowsAgree, windowIndex } = await import('../../analysis/metrics/windows.js');
  // Worker B's clock reads 0.3 ms ahead of worker A's; both receive each event at its due instant.
  // A point-window disagreement happens exactly when an arrival lies within 0.3 ms before an edge.
  const disagreement = (spec: ScheduleSpec, startNs: bigint): number => {
    const w = makeWindowSize(100, startNs);
    let n = 0,
      bad = 0;
    for (const due of dueTimesNs(spec)) {
      n++;
      if (!pointWindowsAgree([windowIndex(due, w), windowIndex(due + 300_000, w)])) bad++;
    }
    return bad / n;
  };
  const edge = 1_763_740_800_000_000_000n; // a multiple of 100 ms
  const starts = [edge + 19_850_000n, edge + 9_500_000n, edge + 1_234_567n, edge + 59_900_000n];
  const fixed = starts.map((s) => disagreement({ kind: 'fixed', rate: 50, count: 20_000 }, s));
  assert.deepEqual(
    fixed.map((x) => Math.round(x * 100) / 100),
    [0.2, 0, 0, 0.2],
    'fixed: 0 % or 20 %, set by the start instant',
  );
  starts.forEach((s, i) => {
    const share = disagreement({ seed: 50 + i, rate: 50, count: 20_000 }, s); // the default schedule
    assert.ok(Math.abs(share - 0.003) < 0.0012, `default schedule from start ${i}: ${(100 * share).toFixed(3)} % (expected 0.3 %)`);
  });
});
