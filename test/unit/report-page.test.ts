// report.html's parts without a browser: the interactive figure spec (tooltips, zoom on time axes,
// the row cap, screen size), every table the terminal prints, a table of contents whose links all
// land, the static page when the vega builds are missing, and the builds travelling in a deploy bundle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { makeAnalysedRun } from '../fixtures/analysed-run.js';
import { interactiveSpec, MAX_ROWS } from '../../analysis/report/interactive-spec.js';
import { buildReportHtml } from '../../analysis/report/page.js';
import { vegaBundle } from '../../analysis/report/vega-bundle.js';
import { terminalTables } from '../../analysis/stats/summary-text.js';
import { productionModules } from '../../src/deploy/bundle.js';
import type { FigureOutcome } from '../../analysis/figures/index.js';
import type { Stats } from '../../analysis/stats/types.js';
import { PACKAGE_ROOT, tmpDir } from '../support/helpers.js';

type Json = Record<string, unknown>;

function timeSpec(rows: number): Json {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    vconcat: [
      {
        width: 300,
        height: 100,
        data: { values: Array.from({ length: rows }, (_, i) => ({ seq: i, node: 'w1', t_s: i / 7, v: Math.PI * i })) },
        layer: [
          { mark: { type: 'rule' }, encoding: { y: { datum: 0 } } },
          { mark: 'point', encoding: { x: { field: 't_s', type: 'quantitative' }, y: { field: 'v', type: 'quantitative' } } },
          { mark: 'line', encoding: { x: { field: 't_s', type: 'quantitative' }, y: { field: 'v', type: 'quantitative' } } },
        ],
      },
      {
        width: 200,
        height: 80,
        data: { values: [{ cat: 'a', v: 1 }] },
        mark: 'bar',
        encoding: { x: { field: 'cat', type: 'nominal' }, y: { field: 'v', type: 'quantitative' } },
      },
    ],
    config: { axis: { labelFontSize: 7 }, legend: { symbolSize: 64 } },
  };
}

test('interactive spec: a tooltip on every data mark, zoom on the time axis only, rows capped, screen size, print spec untouched', () => {
  const printed = timeSpec(MAX_ROWS + 1000);
  const before = structuredClone(printed);
  const k = 1.5 * (96 / 72);
  const r = interactiveSpec(printed, 1.5);
  assert.deepEqual(printed, before, 'the print spec is not changed');
  assert.equal(r.printRows, MAX_ROWS + 1001);
  assert.ok(r.rows <= MAX_ROWS && r.rows > MAX_ROWS / 2, `rows capped (${r.rows})`);
  const [time, bars] = r.spec.vconcat as Json[];
  const [rule, point, line] = (time!.layer as Json[]).map((l) => l.mark as Json);
  assert.equal(rule!.tooltip, undefined, 'a mark drawing no data field has no tooltip');
  assert.deepEqual(point!.tooltip, { content: 'data' });
  assert.deepEqual(line!.tooltip, { content: 'data' });
  assert.deepEqual((bars!.mark as Json).tooltip, { content: 'data' });
  const params = (time!.layer as Json[]).map((l) => l.params as Json[] | undefined);
  assert.deepEqual(
    params.map((p) => p?.length ?? 0),
    [0, 1, 0],
    'one zoom per layered view, on its first time layer',
  );
  assert.deepEqual(params[1]![0], { name: 'zoom_0', select: { type: 'interval', encodings: ['x'] }, bind: 'scales' });
  assert.equal(bars!.params, undefined, 'no zoom on a categorical axis');
  assert.equal(r.zooms, 1);
  assert.equal(time!.width, Math.round(300 * k * 100) / 100);
  assert.equal(((r.spec.config as Json).axis as Json).labelFontSize, Math.round(7 * k * 100) / 100);
  assert.equal(((r.spec.config as Json).legend as Json).symbolSize, Math.round(64 * k * k * 100) / 100);
  // Data in top-level datasets, numbers at 7 significant digits, integers exact.
  const rows = Object.values(r.spec.datasets as Record<string, Json[]>)[0]!;
  assert.equal(rows[1]!.v, Number((Math.PI * (rows[1]!.seq as number)).toPrecision(7)));
  assert.equal(rows[1]!.seq, 2 * 1, 'every 2nd row kept at 6001 rows and a cap of 5000');
  // Compiled to vega: the selection's signals are there, and no vega-lite is needed in the page.
  assert.ok(
    (r.vega.signals as Json[] | undefined)?.some((s) => String(s.name).startsWith('zoom_0')) || JSON.stringify(r.vega).includes('"zoom_0'),
    'the zoom selection compiled',
  );
  assert.equal(r.vega.$schema, 'https://vega.github.io/schema/vega/v6.json');
});

function renderedOutcome(name: string, withSpec: boolean | Json): FigureOutcome {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50" viewBox="0 0 100 50"><rect width="100" height="50"/></svg>';
  return {
    def: { name, title: `Figure ${name}`, howToRead: 'Read it.', build: () => ({ skip: 'unused' }) },
    status: 'rendered',
    figure: { name, svgPath: `/x/${name}.svg`, pngPath: `/x/${name}.png`, pdfPath: `/x/${name}.pdf`, svg, width: 1000, height: 500 },
    notes: [],
    ms: 1,
    ...(withSpec ? { spec: { spec: withSpec === true ? timeSpec(10) : withSpec, fitScale: 1 } } : {}),
  };
}

let statsCache: Stats | null = null;
async function fixtureStats(): Promise<Stats> {
  if (statsCache) return statsCache;
  const dir = tmpDir('chronoeval-report-page-');
  try {
    statsCache = (await makeAnalysedRun(dir, { events: 600, rate: 100 })).stats;
    return statsCache;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ids = (html: string): string[] => [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!);

test('the page holds every table the terminal prints, under its printed title, and every TOC link lands', async () => {
  const stats = await fixtureStats();
  const html = buildReportHtml(stats, [renderedOutcome('demo', true)], null, 'figures');
  const tables = terminalTables(stats);
  assert.ok(tables.length >= 11, `the terminal's tables (${tables.map((t) => t.key).join(', ')})`);
  for (const key of ['headline', 'delivery', 'loss', 'causality', 'ordering', 'windows', 'coordination', 'commit-wait', 'bound-quality'])
    assert.ok(
      tables.some((t) => t.key === key),
      `terminal table ${key}`,
    );
  for (const t of tables) {
    const m = new RegExp(`<table id="table-terminal-${t.key}" class="summary"><caption>([^<]*)</caption>`).exec(html);
    assert.ok(m, `table-terminal-${t.key} is in the page`);
    assert.equal(m[1], t.title.replace(/'/g, '&#39;'), `${t.key}: the printed title`);
    assert.equal(
      html.split(`id="table-terminal-${t.key}"`)[1]!.split('</table>')[0]!.split('<tr>').length - 2,
      t.rows.length,
      `${t.key}: every row`,
    );
  }
  const all = ids(html);
  assert.equal(new Set(all).size, all.length, `no id twice: ${all.filter((x, i) => all.indexOf(x) !== i).join(', ')}`);
  const toc = /<nav id="toc"[^]*?<\/nav>/.exec(html)![0];
  const links = [...toc.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]!);
  assert.ok(links.length > 20, 'a table of contents');
  for (const l of links) assert.ok(all.includes(l), `TOC link #${l} lands`);
  // Warnings come before the summary tables and the figures.
  assert.ok(html.indexOf('id="warnings"') < html.indexOf('id="summary"') && html.indexOf('id="summary"') < html.indexOf('id="figures"'));
  // The interactive page: the builds inline (no src), the spec as JSON, a PNG-or-SVG fallback, download links.
  assert.doesNotMatch(html, /<script[^>]*\ssrc=|<link|@import|url\(http/i);
  assert.match(html, /<script type="application\/json" id="spec-demo">\{/);
  assert.match(html, /<noscript><img src="data:image\/svg\+xml;base64,/);
  assert.match(
    html,
    /<a href="figures\/demo\.png" download>PNG \(300 DPI\)<\/a> · <a href="figures\/demo\.svg" download>SVG<\/a> · <a href="figures\/demo\.pdf" download>PDF<\/a>/,
  );
  assert.match(html, /\/\* vega 6\.[^]*\/\* vega-embed 7\./);
});

test('without the vega builds the page keeps static figures, says why among the warnings, and has no script', async () => {
  const stats = await fixtureStats();
  const html = buildReportHtml(stats, [renderedOutcome('demo', true), renderedOutcome('old', false)], null, 'figures', {
    vega: { ok: false, reason: 'the browser builds could not be read (ENOENT)' },
  });
  assert.doesNotMatch(html, /<script/);
  assert.equal([...html.matchAll(/<div class="fig-box fig-static"><img src="data:image\/svg\+xml;base64,/g)].length, 2);
  assert.match(
    html,
    /<li>report: interactive figures are off, static images shown instead: the browser builds could not be read \(ENOENT\)\.<\/li>/,
  );
});

test('a figure whose interactive spec cannot be built stays static with the reason; the others stay interactive', async () => {
  const stats = await fixtureStats();
  const bad = { mark: 'no-such-mark', data: { values: [{ t_s: 1 }] }, encoding: { x: { field: 't_s', type: 'quantitative' } } };
  const html = buildReportHtml(stats, [renderedOutcome('bad', bad), renderedOutcome('good', true)], null, 'figures');
  assert.ok(
    /<figure id="fig-bad"><div class="fig-box fig-static"><img src="data:image\/svg\+xml;base64,/.test(html),
    'the bad figure is static',
  );
  assert.ok(/Static here: the interactive figure could not be built \(./.test(html), 'with the reason');
  assert.ok(html.includes('<script type="application/json" id="spec-good">'), 'the good one is interactive');
  assert.ok(!html.includes('id="spec-bad"'));
});

test('the vega builds are read from the installed packages (vega before vega-embed) and travel in a deploy bundle', () => {
  const b = vegaBundle();
  assert.ok(b.ok, b.ok ? '' : b.reason);
  assert.deepEqual(
    b.scripts.map((s) => s.pkg),
    ['vega', 'vega-embed'],
  );
  const pkgVersion = (p: string) =>
    (JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'node_modules', p, 'package.json'), 'utf8')) as { version: string }).version;
  for (const s of b.scripts) assert.equal(s.version, pkgVersion(s.pkg));
  assert.ok(b.scripts[1]!.code.includes('vg-tooltip-element'), 'vega-embed carries vega-tooltip');
  const shipped = productionModules(PACKAGE_ROOT);
  assert.ok(
    shipped.includes('node_modules') || (shipped.includes('node_modules/vega') && shipped.includes('node_modules/vega-embed')),
    `the deploy bundle ships vega and vega-embed: ${shipped.join(' ')}`,
  );
});
