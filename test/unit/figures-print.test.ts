// Print-ready figures: at single-column width (3.5 in) every figure's SVG is 252 pt wide with no
// text under 7 pt, its PDF opens in poppler (pdftoppm renders it, pdffonts lists only embedded
// fonts) and its PNG says 300 DPI. Titles are dropped on request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { makeAnalysedRun } from '../fixtures/analysed-run.js';
import { readPngMeta } from '../../analysis/figures/png-meta.js';
import { renderFiguresAndReport } from '../../analysis/report/index.js';
import { figureStyle } from '../../analysis/figures/style.js';
import { tmpDir } from '../support/helpers.js';

const SINGLE_PT = 3.5 * 72;
const MIN_TEXT_PT = 7;

/** The printed size of the SVG's text: font-size in the drawing's units × (width / viewBox width). */
function textSizesPt(svg: string): { widthPt: number; sizesPt: number[] } {
  const root = /<svg\b[^>]*>/.exec(svg)?.[0] ?? '';
  const width = Number(/\swidth="([\d.]+)"/.exec(root)?.[1]);
  const viewBox = /\sviewBox="([^"]+)"/
    .exec(root)?.[1]
    ?.split(/[\s,]+/)
    .map(Number);
  assert.ok(width > 0, 'SVG root has a numeric width');
  const scale = viewBox && viewBox[2]! > 0 ? width / viewBox[2]! : 1;
  // vega writes font-size="Npx": N user units, which the PNG and PDF print as N/72 in (see render.ts).
  const sizes = [...svg.matchAll(/font-size[=:]\s*"?([\d.]+)(px)?/g)].map((m) => Number(m[1]) * scale);
  return { widthPt: width, sizesPt: sizes };
}

function tool(name: string): string {
  for (const dir of (process.env.PATH ?? '').split(':')) if (existsSync(path.join(dir, name))) return path.join(dir, name);
  assert.fail(`${name} not found: install poppler-utils (bash scripts/install-test-deps.sh)`);
}

test('at single-column size every figure is 3.5 in wide with text >= 7 pt, a PDF that poppler renders with embedded fonts, and a 300-DPI PNG', async () => {
  const pdftoppm = tool('pdftoppm');
  const pdffonts = tool('pdffonts');
  const dir = tmpDir('chronoeval-fig-print-');
  try {
    const { stats } = await makeAnalysedRun(dir, { events: 600, rate: 100 });
    const r = await renderFiguresAndReport(dir, stats, { figures: { style: figureStyle('single', true) } });
    assert.deepEqual(r.failed, []);
    const figDir = path.join(dir, 'figures');
    const svgs = readdirSync(figDir).filter((f) => f.endsWith('.svg'));
    assert.ok(svgs.length >= 8, `figures rendered: ${svgs.join(', ')}`);
    assert.ok(svgs.includes('source-health.svg'), `the source health figure is among them: ${svgs.join(', ')}`);
    for (const svgFile of svgs) {
      const name = svgFile.replace(/\.svg$/, '');
      const { widthPt, sizesPt } = textSizesPt(readFileSync(path.join(figDir, svgFile), 'utf8'));
      assert.ok(Math.abs(widthPt - SINGLE_PT) < 0.01, `${name}: ${widthPt} pt wide, not 3.5 in`);
      assert.ok(sizesPt.length > 0, `${name}: has text`);
      const smallest = Math.min(...sizesPt);
      assert.ok(smallest >= MIN_TEXT_PT - 1e-6, `${name}: smallest text ${smallest.toFixed(2)} pt at 3.5 in (must be >= ${MIN_TEXT_PT})`);

      const pdf = path.join(figDir, `${name}.pdf`);
      assert.ok(existsSync(pdf) && statSync(pdf).size > 1000, `${name}: PDF written`);
      const prefix = path.join(dir, `${name}-pdf`);
      execFileSync(pdftoppm, ['-r', '30', '-png', '-singlefile', pdf, prefix], { stdio: 'pipe' });
      const rendered = readPngMeta(readFileSync(`${prefix}.png`));
      // pdftoppm at 30 DPI: the page is 3.5 in wide.
      assert.ok(Math.abs(rendered.width - 3.5 * 30) <= 1, `${name}: pdftoppm page ${rendered.width} px at 30 DPI`);
      const fonts = execFileSync(pdffonts, [pdf], { encoding: 'utf8' }).trim().split('\n').slice(2);
      assert.ok(fonts.length > 0, `${name}: the PDF has fonts (text is text, not paths)`);
      for (const line of fonts) assert.match(line, /\s+yes\s+yes\s+yes\s+/, `${name}: font embedded as a subset: ${line}`);

      if (name === 'commit-wait-decay') {
        // the half-width panel colours its lines by source: it needs a legend of its own
        const texts = [...readFileSync(path.join(figDir, svgFile), 'utf8').matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
        if (texts.includes('half-width (ms)'))
          assert.ok(texts.includes('source'), `commit-wait-decay: no source legend (${texts.join('|')})`);
      }
      const png = readPngMeta(readFileSync(path.join(figDir, `${name}.png`)));
      assert.equal(png.dpiX, 300, `${name}: PNG pHYs says 300 DPI`);
      assert.equal(png.dpiY, 300);
      assert.ok(Math.abs(png.width - 3.5 * 300) <= 1, `${name}: PNG ${png.width} px = 3.5 in at 300 DPI`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--no-titles drops the figure title, keeps the panel titles', async () => {
  const dir = tmpDir('chronoeval-fig-notitle-');
  try {
    const { stats } = await makeAnalysedRun(dir, { events: 300, rate: 100 });
    const { FIGURES, figureContext } = await import('../../analysis/figures/index.js');
    const { printSpec } = await import('../../analysis/figures/print-layout.js');
    const { context } = await figureContext(dir, stats);
    for (const def of FIGURES) {
      const built = def.build(context);
      if ('skip' in built) continue;
      const spec = built.spec as unknown as Record<string, unknown>;
      assert.ok(spec.title, `${def.name}: has a title with titles on`);
      assert.equal(printSpec(spec, figureStyle('double', false)).title, undefined, `${def.name}: no title with --no-titles`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every figure is laid out to the page width at both sizes, and the fit (one compiled view laid out again) draws what compiling the fitted spec afresh draws', async () => {
  const dir = tmpDir('chronoeval-fig-fit-');
  try {
    const { stats } = await makeAnalysedRun(dir, { events: 600, rate: 100 });
    const { FIGURES, figureContext } = await import('../../analysis/figures/index.js');
    const { specToPrintSvg, svgSize } = await import('../../analysis/figures/render.js');
    const { useFontMetrics } = await import('../../analysis/figures/text-measure.js');
    const vega = await import('vega');
    const { compile } = await import('vega-lite');
    const { context } = await figureContext(dir, stats);
    // Element lines with the drawing's root left out (its size is the print size): axis ticks may
    // come in another order after a re-layout, so the elements are compared as a multiset.
    const elements = (svg: string): string[] =>
      svg
        .replace(/<svg\b[^>]*>/, '')
        .split('><')
        .sort();
    for (const size of ['double', 'single'] as const)
      for (const def of FIGURES) {
        const built = def.build(context);
        if ('skip' in built) continue;
        const fitted = await specToPrintSvg(built.spec, figureStyle(size, true), () => {});
        useFontMetrics();
        const compiled = compile(fitted.spec as never, {
          logger: { level: () => 0, warn: () => undefined, info: () => undefined, debug: () => undefined, error: () => undefined } as never,
        }).spec;
        const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
        const fresh = await view.toSVG();
        view.finalize();
        const w = svgSize(fresh).width;
        assert.ok(
          Math.abs(w * fitted.fitScale - fitted.widthPt) < 0.01,
          `${def.name} (${size}): fresh width ${w} × fit ${fitted.fitScale}`,
        );
        // Laid out for the page, not shrunk to it: text keeps its print size (fitScale < 1 would shrink it).
        assert.ok(
          fitted.fitScale >= 0.99 && fitted.fitScale <= 1.016,
          `${def.name} (${size}): drawn ${w} pt for a ${fitted.widthPt}-pt page`,
        );
        assert.deepEqual(elements(fitted.svg), elements(fresh), `${def.name} (${size}): the same elements`);
      }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
