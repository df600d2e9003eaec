// Every figure is a 300-DPI PNG (checked by reading the pHYs chunk ourselves) whose pixel size
// is the SVG's size scaled by 300/72, with the SVG beside it; absent data means a skipped figure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { makeAnalysedRun } from '../fixtures/analysed-run.js';
import { readPngMeta } from '../../analysis/figures/png-meta.js';
import { renderFiguresAndReport } from '../../analysis/report/index.js';
import { tmpDir } from '../support/helpers.js';

const ALL = [
  'dashboard',
  'source-health',
  'causality-timeline',
  'ordering',
  'window-agreement',
  'commit-wait-decay',
  'clock-offsets',
  'coverage',
  'latency',
  'bracketed-error',
];

function svgSize(svg: string): { w: number; h: number } {
  const m = /<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg);
  assert.ok(m, 'SVG has width and height attributes');
  return { w: Number(m[1]), h: Number(m[2]) };
}

test('every figure is written as SVG + PNG at 300 DPI with the expected pixel size', async () => {
  const dir = tmpDir('chronoeval-fig-png-');
  try {
    const { stats } = await makeAnalysedRun(dir, { events: 1500, rate: 100, tornTail: true });
    const r = await renderFiguresAndReport(dir, stats);
    assert.deepEqual(r.failed, []);
    assert.deepEqual(r.skipped, []);
    const pngs = readdirSync(path.join(dir, 'figures'))
      .filter((f) => f.endsWith('.png'))
      .sort();
    assert.deepEqual(pngs, ALL.map((n) => `${n}.png`).sort());
    for (const png of pngs) {
      const buf = readFileSync(path.join(dir, 'figures', png));
      const meta = readPngMeta(buf);
      assert.equal(meta.unit, 1, `${png}: pHYs unit is the metre`);
      assert.equal(meta.ppuX, 11811, `${png}: 300 DPI = 11811 px/m horizontally`);
      assert.equal(meta.ppuY, 11811, `${png}: 300 DPI = 11811 px/m vertically`);
      assert.equal(meta.dpiX, 300);
      const svgFile = path.join(dir, 'figures', png.replace(/\.png$/, '.svg'));
      assert.ok(existsSync(svgFile), `${png}: SVG kept beside it`);
      const { w, h } = svgSize(readFileSync(svgFile, 'utf8'));
      assert.ok(Math.abs(meta.width - (w * 300) / 72) <= 1, `${png}: width ${meta.width} px = ${w} pt × 300/72`);
      assert.ok(Math.abs(meta.height - (h * 300) / 72) <= 1, `${png}: height ${meta.height} px = ${h} pt × 300/72`);
      const svgText = readFileSync(svgFile, 'utf8');
      assert.match(svgText, /font-family="DejaVu Sans, Liberation Sans, sans-serif"/, `${png}: local generic font family, no web font`);
      assert.doesNotMatch(svgText, /https?:\/\/(?!www\.w3\.org)/, `${png}: no external reference`);
      const marks = (svgText.match(/<(path|line|rect|text)\b/g) ?? []).length;
      assert.ok(marks < 8000, `${png}: ${marks} SVG elements (a few thousand marks at most)`);
      assert.ok(
        meta.width >= 1500 && meta.width <= 6000,
        `${png}: printable width (${meta.width} px = ${(meta.width / 300).toFixed(1)} in)`,
      );
    }
    assert.equal(r.figures.length, ALL.length * 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without truth and without interval sources, coverage and commit-wait figures are skipped, not invented', async () => {
  const dir = tmpDir('chronoeval-fig-skip-');
  try {
    const { stats } = await makeAnalysedRun(dir, { events: 600, rate: 100, noTruth: true, pointOnly: true });
    const r = await renderFiguresAndReport(dir, stats);
    const skipped = r.skipped.map((s) => s.name).sort();
    assert.deepEqual(skipped, ['commit-wait-decay', 'coverage']);
    assert.ok(!existsSync(path.join(dir, 'figures', 'coverage.png')));
    assert.ok(!existsSync(path.join(dir, 'figures', 'commit-wait-decay.png')));
    const html = readFileSync(r.report, 'utf8');
    assert.match(html, /no ground truth \(true_recv_ns\) in this run/);
    assert.match(html, /no re-estimation/);
    // The causality figure of a point-only run has no interval bars (no interval source to draw).
    const svg = readFileSync(path.join(dir, 'figures', 'causality-timeline.svg'), 'utf8');
    assert.doesNotMatch(svg, /interval source/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('readPngMeta reads IHDR and reports a missing pHYs as null, and rejects non-PNG input', () => {
  // 1×1 grey PNG without a pHYs chunk.
  const png = Buffer.from(
    '89504e470d0a1a0a0000000d4948445200000001000000010800000000' +
      '3a7e9b55' +
      '0000000a49444154789c6360000000020001e221bc33' +
      '0000000049454e44ae426082',
    'hex',
  );
  const m = readPngMeta(png);
  assert.equal(m.width, 1);
  assert.equal(m.height, 1);
  assert.equal(m.ppuX, null);
  assert.equal(m.dpiX, null);
  assert.throws(() => readPngMeta(Buffer.from('GIF89a not a png at all, padding padding')), /not a PNG/);
});
