// figures-data.json, gathered by the one analysis pass: its counts are the analysis' counts (and
// the fixture's independent ones), a run whose violations are known keeps exactly them, the sync
// log is binned within bounds, and the figures read nothing but stats.json and this file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeRun } from '../../analysis/analyze.js';
import { FIGURES, figureContext } from '../../analysis/figures/index.js';
import { causalityFromFiguresData } from '../../analysis/figures/inputs.js';
import { FIGURES_DATA_FILE } from '../../analysis/stats/figures-data.js';
import { SyncSeriesBinner } from '../../analysis/load/sync-series.js';
import { CausalitySampler } from '../../analysis/fold/figure-samples.js';
import { emptyStamps, type JoinedEvent } from '../../analysis/join/joined.js';
import { makeAnalysedRun } from '../fixtures/analysed-run.js';
import { makeFixtureRun } from '../fixtures/figures-run.js';
import { writeCoordinator, writeWorker, type CoordRow, type WorkerRow } from '../fixtures/analysis-run.js';
import { PACKAGE_ROOT, tmpDir } from '../support/helpers.js';

test("violation counts in figures-data equal stats.json and the fixture's own counts; the sample stays bounded", async () => {
  const dir = tmpDir('chronoeval-fig-data-');
  try {
    const { stats, figuresData, fixtureStats } = await makeAnalysedRun(dir, { events: 4000, rate: 200, tornTail: true });
    const c = figuresData.causality;
    assert.equal(figuresData.stats_generated_at, stats.generated_at);
    for (const src of stats.sources.filter((s) => s.in_coordinator && s.in_workers.length > 0)) {
      const pooled = stats.causality.find((e) => e.source === src.name && e.node === null)!;
      const fixture = fixtureStats.causality.find((e) => e.source === src.name && e.node === null)!;
      const v = c.violations.find((x) => x.source === src.name)!;
      assert.equal(v.point.counted, pooled.point.violations.count, `${src.name}: point violations = stats.json`);
      assert.equal(v.point.counted, fixture.point.violations.count, `${src.name}: point violations = the fixture's count`);
      if (pooled.interval) assert.equal(v.interval.counted, pooled.interval.violation.count, `${src.name}: interval violations`);
      const mine = c.samples.filter((s) => s.source === src.name);
      assert.ok(mine.filter((s) => s.thinned).length <= c.thinned_cap, `${src.name}: thinned sample within its cap`);
      assert.equal(mine.filter((s) => s.point === 'violation' && !s.thinned).length <= c.violation_cap + c.violation_cap, true);
      assert.ok(v.point.kept <= c.violation_cap, `${src.name}: violations kept within the cap`);
      if (v.point.counted <= c.violation_cap) assert.equal(v.point.kept, v.point.counted, `${src.name}: every violation kept`);
      else assert.ok(v.point.kept >= c.violation_cap / 2, `${src.name}: past the cap, every k-th violation`);
      for (const s of mine) assert.equal(s.thinned, s.seq % c.stride === 0, 'thinned = every stride-th seq');
    }
    // Time bins (stats.json) count every pair.
    for (const t of stats.timeline!.causality.filter((x) => x.node === null)) {
      const pooled = stats.causality.find((e) => e.source === t.source && e.node === null)!;
      assert.equal(
        t.compared.reduce((a, b) => a + b, 0),
        pooled.point.compared,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a run whose violations are known: the sample holds exactly them, classified like the analysis', async () => {
  const dir = tmpDir('chronoeval-fig-known-');
  try {
    const sources = ['system', 'bounded'];
    const coord: CoordRow[] = [];
    const wa: WorkerRow[] = [];
    const wb: WorkerRow[] = [];
    const pointViol = new Set([7, 23, 41]); // b's system clock stamps these before the send
    const ivViol = new Set([12, 30]); // b's bounded interval ends before the send interval starts
    for (let seq = 0; seq < 50; seq++) {
      const send = 100 + seq * 10;
      coord.push({ seq, send, stamps: { system: { p: send }, bounded: { p: send, lo: send - 1, hi: send + 1 } } });
      const ok = { system: { p: send + 3 }, bounded: { p: send + 3, lo: send + 2, hi: send + 4 } };
      wa.push({ seq, recv: send + 3, stamps: ok });
      wb.push({
        seq,
        recv: send + 3,
        stamps: {
          system: { p: pointViol.has(seq) ? send - 0.5 : send + 3 },
          bounded: ivViol.has(seq) ? { p: send - 3, lo: send - 4, hi: send - 2 } : ok.bounded,
        },
      });
    }
    writeCoordinator(dir, 'known', sources, coord);
    writeWorker(dir, 'known', 'a', sources, wa);
    writeWorker(dir, 'known', 'b', sources, wb);
    const { stats, figuresData } = await analyzeRun(dir, { windowsMs: [100] });
    const c = figuresData.causality;
    const got = (src: string, f: (s: (typeof c.samples)[number]) => boolean): string[] =>
      c.samples
        .filter((s) => s.source === src && f(s))
        .map((s) => `${s.node}:${s.seq}`)
        .sort();
    assert.deepEqual(
      got('system', (s) => s.point === 'violation'),
      [...pointViol].map((q) => `b:${q}`).sort(),
    );
    assert.deepEqual(
      got('bounded', (s) => s.interval === 'violation'),
      [...ivViol].map((q) => `b:${q}`).sort(),
    );
    assert.deepEqual(
      got('bounded', (s) => s.point === 'violation'),
      [...ivViol].map((q) => `b:${q}`).sort(),
      'their points are violations too',
    );
    assert.deepEqual(c.violations, [
      { source: 'system', point: { counted: 3, kept: 3 }, interval: { counted: 0, kept: 0 } },
      { source: 'bounded', point: { counted: 2, kept: 2 }, interval: { counted: 2, kept: 2 } },
    ]);
    const pooled = stats.causality.find((e) => e.source === 'bounded' && e.node === null)!;
    assert.equal(pooled.interval!.violation.count, 2, 'the same count as the causality fold');
    const v = c.samples.find((s) => s.source === 'bounded' && s.seq === 12 && s.node === 'b')!;
    assert.equal(v.margin_ns, -3e6);
    assert.equal(v.lo_ns, -4e6 - 1e6); // r_lo − s_hi
    assert.equal(v.hi_ns, -2e6 + 1e6); // r_hi − s_lo
    const ok = c.samples.find((s) => s.source === 'bounded' && s.seq === 12 && s.node === 'a')!;
    assert.equal(ok.interval, 'proven_after');
    // The figure draws every one of them as × and says how many there are.
    const { context } = await figureContext(dir, stats);
    assert.deepEqual(context.causality!.violations, { system: { total: 3, drawn: 3 }, bounded: { total: 2, drawn: 2 } });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('past the cap, kept violations are every k-th one (k doubling), so they span the run', () => {
  const sampler = new CausalitySampler([{ name: 's', bounded: false }], ['w'], 0, { stride: 1_000_000, thinnedCap: 10, violationCap: 100 });
  const vals = emptyStamps(1);
  const ev: JoinedEvent = {
    seq: 0,
    eventId: '',
    sendLocal: 0,
    trueSend: NaN,
    sendKernel: NaN,
    trueSendKernel: NaN,
    coord: emptyStamps(1),
    workers: [{ recvLocal: 0, trueRecv: NaN, vals, reest: null }],
  };
  for (let i = 1; i <= 1000; i++) {
    ev.seq = i;
    ev.sendLocal = i * 1e6;
    ev.coord[0] = i * 1e6;
    vals[0] = i % 2 === 0 ? i * 1e6 - 1 : i * 1e6 + 1; // every even seq is a violation: 500 in all
    sampler.add(ev);
  }
  const r = sampler.result(0);
  assert.deepEqual(r.violations[0]!.point.counted, 500);
  const kept = r.samples.filter((s) => s.point === 'violation').map((s) => s.seq);
  assert.equal(kept.length, r.violations[0]!.point.kept);
  assert.ok(kept.length <= 100 && kept.length >= 50, `${kept.length} kept`);
  const k = (kept[1]! - kept[0]!) / 2; // violations are 2 seqs apart
  assert.ok(
    kept.every((q, i) => q === 2 + i * 2 * k),
    'every k-th violation from the first',
  );
  assert.ok(kept[kept.length - 1]! > 900, 'the kept ones reach the end of the run');
  assert.equal(r.samples.filter((s) => s.thinned).length, 0, 'no seq 1…1000 is a multiple of the stride');
});

test('the sync log is binned: every accepted sample in one bin, rejected ones counted, no invented half-width', async () => {
  const dir = tmpDir('chronoeval-fig-sync-');
  try {
    const { stats, figuresData } = await makeAnalysedRun(dir, { events: 3000, rate: 50 }); // 60 s → ~65 samples per series
    assert.equal(figuresData.sync.length, stats.workers.length * 2);
    for (const ser of figuresData.sync) {
      const entry = stats.sync.find((e) => e.node === ser.node && e.source === ser.source)!;
      assert.equal(ser.samples + ser.rejected, entry.samples, `${ser.node}/${ser.source}: every row of the sync log`);
      assert.equal(ser.rejected, entry.accepted.total - entry.accepted.count, "rejected = the analysis' rule");
      assert.equal(
        ser.bins.reduce((a, b) => a + b.n, 0),
        ser.samples,
        'every sample in one bin',
      );
      assert.ok(ser.bins.length <= 150);
    }
    assert.ok(figuresData.sync.filter((s) => s.source === 'ntp').every((s) => s.bins.every((b) => b.half_width_mean_ns === null)));
    assert.ok(
      figuresData.sync.some((s) => s.source === 'bounded' && s.bins.some((b) => b.half_width_mean_ns !== null && b.half_width_mean_ns > 0)),
    );
    // Many samples: bins double until at most the limit, none lost.
    const b = new SyncSeriesBinner(20);
    for (let i = 0; i < 1000; i++) b.add('n', 's', (i - 100) * 1e9, i, NaN, i % 10 === 0 ? false : null);
    const [s] = b.result();
    assert.ok(s!.bins.length <= 20 && s!.binned);
    assert.equal(s!.samples, 900);
    assert.equal(s!.rejected, 100);
    assert.equal(
      s!.bins.reduce((a, x) => a + x.n, 0),
      900,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every figure builds from an analysed run, and says why it is skipped from an empty one', async () => {
  const dir = tmpDir('chronoeval-fig-empty-');
  try {
    const { stats } = await makeAnalysedRun(dir, { events: 300, rate: 100 });
    const { context } = await figureContext(dir, stats);
    for (const f of FIGURES) assert.ok('spec' in f.build(context), `${f.name} builds`);
    const empty = {
      ...stats,
      workers: [],
      sources: [],
      headline: [],
      windows: [],
      ordering: [],
      coordination: [],
      commit_wait: [],
      bound_quality: [],
      reestimation_delays_s: [],
      truth: { send: false, recv: false },
      delivery: { ...stats.delivery, workers: [] },
    };
    for (const f of FIGURES) {
      const b = f.build({ stats: empty, causality: null, sync: null });
      assert.ok('skip' in b && b.skip.length > 10, `${f.name} gives a reason to skip`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without figures-data.json (or with one from another pass) the figures fall back or skip with a reason', async () => {
  const dir = tmpDir('chronoeval-fig-nodata-');
  try {
    const { stats } = await makeAnalysedRun(dir, { events: 600, rate: 100 });
    const { renderFiguresAndReport } = await import('../../analysis/report/index.js');
    rmSync(path.join(dir, FIGURES_DATA_FILE));
    let r = await renderFiguresAndReport(dir, stats);
    assert.deepEqual(r.failed, []);
    const skipped = Object.fromEntries(r.skipped.map((s) => [s.name, s.reason]));
    assert.match(skipped['clock-offsets'] ?? '', /figures-data\.json/);
    assert.ok(
      r.figures.some((f) => f.endsWith('causality-timeline.png')),
      'causality drawn from stats.json',
    );
    const html = readFileSync(r.report, 'utf8');
    assert.match(html, /Drawn from stats\.json \(no figures-data\.json/);
    assert.match(html, /no figures-data\.json/);
    // A figures-data.json from another pass is not mixed with this stats.json.
    await analyzeRun(dir);
    r = await renderFiguresAndReport(dir, { ...stats, generated_at: '2000-01-01T00:00:00.000Z' });
    assert.deepEqual(r.failed, []);
    assert.match(readFileSync(r.report, 'utf8'), /from another analysis pass/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a directory holding only stats.json and figures-data.json gets every figure', async () => {
  const dir = tmpDir('chronoeval-fig-run-');
  const only = tmpDir('chronoeval-fig-only-');
  try {
    await makeAnalysedRun(dir, { events: 800, rate: 100 });
    for (const f of ['stats.json', FIGURES_DATA_FILE]) writeFileSync(path.join(only, f), readFileSync(path.join(dir, f)));
    const stats = JSON.parse(readFileSync(path.join(only, 'stats.json'), 'utf8'));
    const { renderFiguresAndReport } = await import('../../analysis/report/index.js');
    const r = await renderFiguresAndReport(only, stats);
    assert.deepEqual(r.failed, []);
    assert.deepEqual(r.skipped, [], 'the same figures as in the run directory');
    assert.ok(
      r.figures.some((f) => f.endsWith('clock-offsets.png')),
      'the sync log came from figures-data.json',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(only, { recursive: true, force: true });
  }
});

test('an empty worker CSV and an empty sync CSV (killed before the first flush) do not stop the figures', async () => {
  const dir = tmpDir('chronoeval-fig-emptyfile-');
  try {
    await makeFixtureRun(dir, { events: 400, rate: 100 });
    writeFileSync(path.join(dir, 'workers', 'w3.csv'), '');
    writeFileSync(path.join(dir, 'sync', 'w3.csv'), '');
    const { stats, figuresData } = await analyzeRun(dir);
    assert.ok(figuresData.causality.samples.every((s) => s.node !== 'w3'));
    assert.ok(figuresData.sync.every((s) => s.node !== 'w3'));
    const { renderFiguresAndReport } = await import('../../analysis/report/index.js');
    const r = await renderFiguresAndReport(dir, stats);
    assert.deepEqual(r.failed, []);
    assert.ok(r.figures.some((f) => f.endsWith('causality-timeline.png')));
    assert.ok(r.figures.some((f) => f.endsWith('clock-offsets.png')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('no module under analysis/figures or analysis/report reads a CSV (static check of the sources)', () => {
  const forbidden =
    /from '[^']*(csv|event-rows|decoded-rows|sync-rows|run-files|legacy|\/join\/|\/fold\/|\/threads\/)[^']*'|from 'node:readline'|createReadStream|CsvReader|csv-parse/;
  for (const folder of ['analysis/figures', 'analysis/report']) {
    const dirPath = path.join(PACKAGE_ROOT, folder);
    const files = readdirSync(dirPath).filter((f) => f.endsWith('.ts'));
    assert.ok(files.length > 3, `${folder} has sources`);
    for (const f of files) {
      const text = readFileSync(path.join(dirPath, f), 'utf8');
      const hit = text.split('\n').find((line) => forbidden.test(line));
      assert.equal(hit, undefined, `${folder}/${f} must not read CSVs: ${hit}`);
    }
  }
});

test("the causality caption's total is stats.json's count, also for interval violations without a point reading", async () => {
  const dir = tmpDir('chronoeval-fig-total-');
  try {
    const sources = ['bounded'];
    const coord: CoordRow[] = [];
    const wb: WorkerRow[] = [];
    const ivViol = new Set([12, 30]); // intervals before the send, and no point estimate with them
    for (let seq = 0; seq < 50; seq++) {
      const send = 100 + seq * 10;
      coord.push({ seq, send, stamps: { bounded: { p: send, lo: send - 1, hi: send + 1 } } });
      wb.push({
        seq,
        recv: send + 3,
        stamps: { bounded: ivViol.has(seq) ? { lo: send - 4, hi: send - 2 } : { p: send + 3, lo: send + 2, hi: send + 4 } },
      });
    }
    writeCoordinator(dir, 'total', sources, coord);
    writeWorker(dir, 'total', 'b', sources, wb);
    const { stats, figuresData } = await analyzeRun(dir, { windowsMs: [100] });
    const pooled = stats.causality.find((c) => c.source === 'bounded' && c.node === null)!;
    assert.equal(pooled.interval?.violation.count, 2, 'the analysis counts both interval violations');
    const data = causalityFromFiguresData(stats, figuresData);
    assert.equal(data?.violations['bounded']?.total, 2, 'the caption says what stats.json says');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
