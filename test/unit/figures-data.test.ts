// The streamed per-event data behind the causality timeline and the sync figure: counts agree
// with the fixture's independent event-by-event stats, marks stay bounded, torn lines are skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderFiguresAndReport } from '../../analysis/report/index.js';
import { makeFixtureRun } from '../fixtures/figures-run.js';
import { readCausalityData, type CausalityBin } from '../../analysis/figures/event-stream.js';
import { readSyncData } from '../../analysis/figures/sync-stream.js';
import { FIGURES } from '../../analysis/figures/index.js';
import { relNsOf, splitAnchor } from '../../analysis/figures/csv-stream.js';
import { tmpDir } from '../support/helpers.js';

test('causality bins count every joined pair, the same totals as stats.json; samples stay bounded', async () => {
  const dir = tmpDir('chronoeval-fig-data-');
  try {
    const stats = await makeFixtureRun(dir, { events: 4000, rate: 200, tornTail: true });
    const c = await readCausalityData(dir, stats, { samplesPerSource: 300, violationCap: 50 });
    assert.ok(c);
    assert.equal(c.rowsSkipped, 1, 'the torn last line is skipped');
    for (const src of stats.sources) {
      const pooled = stats.causality.find((e) => e.source === src.name && e.node === null)!;
      const bins: CausalityBin[] = c.bins.filter((b) => b.source === src.name);
      const sum = (f: (b: CausalityBin) => number): number => bins.reduce((a: number, b) => a + f(b), 0);
      assert.equal(sum((b) => b.compared), pooled.point.compared, `${src.name}: pairs compared`);
      assert.equal(sum((b) => b.point_violations), pooled.point.violations.count, `${src.name}: point violations`);
      if (pooled.interval) {
        assert.equal(sum((b) => b.interval_violations), pooled.interval.violation.count, `${src.name}: interval violations`);
        assert.equal(sum((b) => b.interval_ambiguous), pooled.interval.ambiguous.count, `${src.name}: interval ambiguous`);
      }
      const drawn = c.samples.filter((s) => s.source === src.name).length;
      assert.ok(drawn <= 300 * 1.1 + 50, `${src.name}: ${drawn} marks, within the sample target + violation cap`);
      assert.ok(c.violations[src.name]!.drawn <= (c.violations[src.name]!.total ?? 0));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sync figure data is binned to at most the requested bins per (node, source)', async () => {
  const dir = tmpDir('chronoeval-fig-sync-');
  try {
    const stats = await makeFixtureRun(dir, { events: 3000, rate: 50 }); // 60 s → ~65 samples per series
    const s = await readSyncData(dir, stats, { maxBinsPerSeries: 20 });
    assert.ok(s);
    assert.equal(s.series.length, stats.workers.length * 2);
    for (const ser of s.series) {
      const n = s.bins.filter((b) => b.node === ser.node && b.source === ser.source).length;
      assert.ok(n <= 20 && n > 0, `${ser.node}/${ser.source}: ${n} bins`);
      assert.equal(ser.binned, true);
      const counted: number = s.bins.filter((b) => b.node === ser.node && b.source === ser.source).reduce((a, b) => a + b.n, 0);
      assert.equal(counted, ser.samples, 'every sample lands in one bin');
    }
    // The ntp source has no half-width: never an invented 0.
    assert.ok(s.bins.filter((b) => b.source === 'ntp').every((b) => b.half_width_mean_ms === null));
    assert.ok(s.bins.some((b) => b.source === 'bounded' && b.half_width_mean_ms !== null && b.half_width_mean_ms > 0));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every figure builds a spec from a complete run, and says why it is skipped from an empty one', async () => {
  const dir = tmpDir('chronoeval-fig-empty-');
  try {
    const stats = await makeFixtureRun(dir, { events: 300, rate: 100 });
    const full = { stats, causality: await readCausalityData(dir, stats), sync: await readSyncData(dir, stats) };
    for (const f of FIGURES) assert.ok('spec' in f.build(full), `${f.name} builds`);
    const empty = {
      ...stats, workers: [], sources: [], headline: [], windows: [], ordering: [], coordination: [], commit_wait: [],
      bound_quality: [], reestimation_delays_s: [], truth: { send: false, recv: false },
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

test('relNsAt parses epoch-ns cells exactly relative to the anchor, and empty or bad cells as NaN', () => {
  const [s, r] = splitAnchor('1763740800000000000');
  assert.equal(relNsOf('1763740800123456789', s, r), 123_456_789);
  assert.equal(relNsOf('1763744400000000001', s, r), 3_600_000_000_001); // one hour and 1 ns later: exact
  assert.equal(relNsOf('1763740799999999999', s, r), -1);
  const [s2, r2] = splitAnchor('1763740800500000000');
  assert.equal(relNsOf('1763740800499999999', s2, r2), -1);
  assert.ok(Number.isNaN(relNsOf('', s, r)));
  assert.ok(Number.isNaN(relNsOf('17637408001234x6789', s, r)));
  assert.ok(Number.isNaN(relNsOf('1.5e18', s, r)));
});

test('an empty worker CSV and an empty sync CSV (killed before the first flush) do not stop the figures', async () => {
  const dir = tmpDir('chronoeval-fig-emptyfile-');
  try {
    const stats = await makeFixtureRun(dir, { events: 400, rate: 100 });
    writeFileSync(path.join(dir, 'workers', 'w3.csv'), '');
    writeFileSync(path.join(dir, 'sync', 'w3.csv'), '');
    const c = await readCausalityData(dir, stats);
    assert.ok(c);
    assert.ok(c.warnings.some((w) => /workers\/w3\.csv/.test(w)), c.warnings.join('\n'));
    assert.ok(c.samples.every((s) => s.node !== 'w3'));
    const r = await renderFiguresAndReport(dir, stats);
    assert.deepEqual(r.failed, []);
    assert.ok(r.figures.some((f) => f.endsWith('causality-timeline.png')));
    assert.ok(r.figures.some((f) => f.endsWith('clock-offsets.png')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
