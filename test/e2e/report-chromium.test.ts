// report.html of a 100,000-event × 4-worker run opened by a real headless Chromium from a file:
// URL with the network cut: no request leaves the page, no console error, every figure drawn
// (a non-blank canvas per figure), a hovered point shows its tooltip, the wheel zooms a time axis,
// every TOC link lands, every table the terminal prints is there under its title; and the page
// draws every figure within 2 s of navigation. The run is built once for the file.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { makeFixtureRun } from '../fixtures/figures-run.js';
import { analyzeRun, renderFiguresAndReport, type ReportResult, type Stats } from '../../analysis/index.js';
import { terminalTables } from '../../analysis/stats/summary-text.js';
import { PACKAGE_ROOT, tmpDir } from '../support/helpers.js';
import { writeChecksFile } from '../../src/files/checks-file.js';

const CHROMIUM = '/usr/bin/chromium';
const SKIP = !existsSync(CHROMIUM) && `${CHROMIUM} not installed`;
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const EVENTS = 100_000;
const WORKERS = ['w1', 'w2', 'w3', 'w4'];
/** The page must draw every figure within this of navigation. */
const LOAD_BUDGET_MS = 2000;

let run: { dir: string; stats: Stats; r: ReportResult } | null = null;
let profile = '';
let ctx: BrowserContext | null = null;

before(async () => {
  if (SKIP) return;
  const dir = tmpDir('chronoeval-report-e2e-');
  // CSVs from the fixture generator; stats.json and figures-data.json from the real analysis (the
  // same path as `chronoeval analyze`), so the page is tested against what analyze really writes.
  await makeFixtureRun(dir, { events: EVENTS, rate: 1000, workers: WORKERS, statsEvery: 50, tornTail: true });
  const { stats } = await analyzeRun(dir, {});
  const r = await renderFiguresAndReport(dir, stats);
  assert.deepEqual(r.failed, []);
  run = { dir, stats, r };
  profile = tmpDir('chronoeval-chromium-profile-');
  // A fresh user-data-dir: Playwright takes it as the persistent-context directory.
  ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
  });
});

after(async () => {
  await ctx?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  if (run && !process.env.CHRONOEVAL_KEEP_SCREENSHOT) rmSync(run.dir, { recursive: true, force: true });
});

/**
 * A new page on the report with every request that is not file: or data: refused and recorded,
 * console errors collected, and the main thread's busy time (CPU) from navigation to every figure settled.
 */
async function openReport(
  file = run!.r.report,
): Promise<{ page: Page; external: string[]; errors: string[]; wallMs: number; cpuMs: number }> {
  const page = await ctx!.newPage();
  const cdp = await ctx!.newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  const busy = async () => (await cdp.send('Performance.getMetrics')).metrics.find((x) => x.name === 'TaskDuration')?.value ?? NaN;
  const busy0 = await busy();
  const external: string[] = [];
  const errors: string[] = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
    external.push(url);
    return route.abort();
  });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('requestfailed', (q) => errors.push(`request failed: ${q.url().slice(0, 80)} (${q.failure()?.errorText ?? '?'})`));
  await page.goto(`file://${file}`, { waitUntil: 'load' });
  await page.waitForSelector('html[data-figures="done"]', { timeout: 60_000 });
  const cpuMs = Math.round(1000 * ((await busy()) - busy0));
  await cdp.detach();
  // The page's own clock: navigation start to the last figure settled.
  const wallMs = Number(await page.getAttribute('html', 'data-figures-ms'));
  return { page, external, errors, wallMs, cpuMs };
}

test(
  'report.html opens offline in headless Chromium: figures drawn, tooltips, zoom, TOC, every terminal table',
  { skip: SKIP },
  async () => {
    const { page, external, errors } = await openReport();
    try {
      const rendered = run!.r.figures.filter((f) => f.endsWith('.png')).length;
      assert.equal(rendered, 10, 'the fixture run draws all 10 figures');
      assert.equal(await page.getAttribute('html', 'data-figures-failed'), '0');
      // Each figure container holds a canvas of real size with ink on it (not blank white).
      const figs = await page.$$eval('figure .fig-box[data-spec]', (boxes) =>
        boxes.map((box) => {
          const c = box.querySelector('.fig-view canvas') as HTMLCanvasElement | null;
          if (!c) return { id: box.parentElement!.id, w: 0, h: 0, ink: 0 };
          const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
          let ink = 0;
          for (let i = 0; i < px.length; i += 4) if (px[i + 3]! > 0 && (px[i]! < 200 || px[i + 1]! < 200 || px[i + 2]! < 200)) ink++;
          return { id: box.parentElement!.id, w: c.width, h: c.height, ink, rendered: box.getAttribute('data-rendered') };
        }),
      );
      assert.equal(figs.length, rendered, `a container per figure: ${figs.map((f) => f.id).join(', ')}`);
      for (const f of figs) assert.ok(f.w > 200 && f.h > 100 && f.ink > 500, `${f.id} drawn (${f.w}×${f.h}, ${f.ink} inked pixels)`);

      // Hover a sampled event's dot in the causality figure: vega-tooltip's element shows its fields.
      const dot = await page.evaluate(() => {
        const view = (window as unknown as { chronoevalViews: Record<string, VegaView> }).chronoevalViews['fig-causality-timeline']!;
        const canvas = view.container().querySelector('canvas')!;
        canvas.scrollIntoView({ block: 'start' });
        const rect = canvas.getBoundingClientRect();
        const [ox, oy] = view.origin();
        const find = (mark: SceneMark, x: number, y: number): { x: number; y: number } | null => {
          for (const it of mark.items) {
            if (mark.marktype === 'group') {
              for (const m of it.items ?? []) {
                const r = find(m, x + (it.x ?? 0), y + (it.y ?? 0));
                if (r) return r;
              }
            } else if (mark.marktype === 'symbol' && it.datum?.seq !== undefined && (it.datum.t_s as number) > 20)
              return { x: rect.left + ox + x + (it.x ?? 0), y: rect.top + oy + y + (it.y ?? 0) };
          }
          return null;
        };
        return find(view.scenegraph().root, 0, 0);
      });
      assert.ok(dot, 'the causality figure has a dot of a sampled event');
      let tip = '';
      // Dots are a few px wide: start on the dot's computed centre, then search around it.
      search: for (const r of [0, 3, 6, 9])
        for (const [dx, dy] of [
          [0, 0],
          [r, 0],
          [-r, 0],
          [0, r],
          [0, -r],
          [r, r],
          [-r, -r],
          [r, -r],
          [-r, r],
        ]) {
          await page.mouse.move(dot.x + dx! + 15, dot.y + dy! + 15);
          await page.mouse.move(dot.x + dx!, dot.y + dy!, { steps: 2 });
          tip = await page
            .waitForSelector('#vg-tooltip-element.visible', { timeout: 300 })
            .then((e) => e.textContent())
            .then((t) => t ?? '')
            .catch(() => '');
          if (tip) break search;
        }
      for (const field of ['source', 'node', 'seq', 't_s', 'margin_ms'])
        assert.ok(tip.includes(field), `the tooltip names ${field}: "${tip}"`);

      // The wheel over the plot zooms its time axis (a scale-bound interval selection).
      const zooms = () =>
        page.evaluate(() => {
          const view = (window as unknown as { chronoevalViews: Record<string, VegaView> }).chronoevalViews['fig-causality-timeline']!;
          return [0, 1, 2, 3].map((i) => JSON.stringify(view.signal(`zoom_${i}_t_s`) ?? null));
        });
      const before = await zooms();
      await page.mouse.wheel(0, -200);
      await page.waitForFunction(
        (b) => {
          const view = (window as unknown as { chronoevalViews: Record<string, VegaView> }).chronoevalViews['fig-causality-timeline']!;
          return [0, 1, 2, 3].some((i) => JSON.stringify(view.signal(`zoom_${i}_t_s`) ?? null) !== b[i]);
        },
        before,
        { timeout: 5000 },
      );

      // Every TOC link lands on an element; every table the terminal prints is there under its title.
      const toc = await page.$$eval('nav#toc a', (as) => as.map((a) => (a as HTMLAnchorElement).hash.slice(1)));
      assert.ok(toc.length > 20, 'a table of contents');
      const missing = await page.evaluate((ids) => ids.filter((id) => !document.getElementById(id)), toc);
      assert.deepEqual(missing, [], 'every TOC link lands');
      for (const t of terminalTables(run!.stats)) {
        const caption = await page.$eval(`#table-terminal-${t.key} caption`, (c) => c.textContent ?? '').catch(() => null);
        assert.equal(caption, t.title, `terminal table "${t.key}" in the page under its printed title`);
        const rows = await page.$$eval(`#table-terminal-${t.key} tbody tr`, (els) => els.length);
        assert.equal(rows, t.rows.length, `${t.key}: every printed row`);
      }
      for (const id of [
        'table-headline',
        'table-source-health',
        'table-delivery',
        'table-causality',
        'table-bound-quality',
        'table-bracketed',
        'table-manifest',
        'table-inputs',
      ]) {
        const rows = await page.$$eval(`table#${id} tbody tr`, (els) => els.length);
        assert.ok(rows > 0, `table #${id} has rows`);
      }
      // Checks and warnings first: the warnings and the source health precede the summary and the figures.
      const order = await page.$$eval('body > section', (s) => s.map((x) => x.id));
      assert.deepEqual(order.slice(0, 4), ['warnings', 'source-health', 'summary', 'figures']);
      // Each figure links its three files, relative to the page.
      const links = await page.$$eval('#fig-ordering figcaption a', (as) => as.map((a) => a.getAttribute('href')));
      assert.deepEqual(links, ['figures/ordering.png', 'figures/ordering.svg', 'figures/ordering.pdf']);

      // No table runs off the page: a wide one scrolls inside its own box.
      const overflow = await page.evaluate(() => ({
        page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        tables: [...document.querySelectorAll('table.summary')]
          .filter((t) => t.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
          .map((t) => t.id),
      }));
      assert.deepEqual(overflow, { page: 0, tables: [] }, 'nothing wider than the page');
      const warnings = await page.$$eval('ul.warnings li', (els) => els.map((e) => e.textContent ?? ''));
      assert.ok(
        warnings.some((w) => /torn/.test(w)),
        'the torn worker file is reported',
      );
      assert.ok(
        warnings.some((w) => new RegExp(`lost \\d+ of ${EVENTS} events`).test(w)),
        'lost events are reported',
      );
      assert.ok(
        warnings.some((w) => /warming/.test(w)),
        'the warming source is reported',
      );
      assert.deepEqual(external, [], 'no request leaves the page');
      assert.deepEqual(errors, [], 'no console error, no failed request');
      const shot = path.join(run!.dir, 'report-screenshot.png');
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: shot, fullPage: true });
      assert.ok(statSync(shot).size > 50_000, 'screenshot written');
      if (process.env.CHRONOEVAL_KEEP_SCREENSHOT) {
        mkdirSync(path.join(PACKAGE_ROOT, 'docs/img'), { recursive: true });
        await page.screenshot({ path: path.join(PACKAGE_ROOT, 'docs/img/report-screenshot.png'), fullPage: false });
      }
      // One file: scripts inline only, nothing referenced outside it but the figure files it links.
      const html = readFileSync(run!.r.report, 'utf8');
      assert.doesNotMatch(html, /<script[^>]*\ssrc=|<link|@import|url\(http/i);
    } finally {
      await page.close();
    }
  },
);

test(
  `report.html of ${EVENTS} events × ${WORKERS.length} workers draws every figure within ${LOAD_BUDGET_MS} ms`,
  { skip: SKIP },
  async () => {
    const bytes = statSync(run!.r.report).size;
    const loads: { wallMs: number; cpuMs: number }[] = [];
    for (let i = 0; i < 3; i++) {
      const { page, errors, wallMs, cpuMs } = await openReport();
      loads.push({ wallMs, cpuMs });
      assert.deepEqual(errors, []);
      await page.close();
    }
    const best = loads.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
    const load = os.loadavg()[0]! / os.cpus().length;
    process.stdout.write(`report load: ${bytes} bytes; ${JSON.stringify(loads)} (load average per core ${load.toFixed(1)})\n`);
    // A machine busy with other work stretches wall time; the page's main-thread time is then the measure.
    if (load > 1.5) assert.ok(best.cpuMs < LOAD_BUDGET_MS, `main-thread time ${best.cpuMs} ms < ${LOAD_BUDGET_MS} ms on a busy machine`);
    else assert.ok(best.wallMs < LOAD_BUDGET_MS, `all figures drawn ${best.wallMs} ms after navigation (< ${LOAD_BUDGET_MS} ms)`);
  },
);

test('a figure vega cannot draw falls back to its static image with the error in view; the others are drawn', { skip: SKIP }, async () => {
  // The same page with the ordering figure's spec replaced by one vega refuses (an unknown expression function).
  const html = readFileSync(run!.r.report, 'utf8').replace(
    /(<script type="application\/json" id="spec-ordering">)[^<]*(<\/script>)/,
    `$1${JSON.stringify({ $schema: 'https://vega.github.io/schema/vega/v6.json', signals: [{ name: 'x', update: 'noSuchFunction()' }] })}$2`,
  );
  assert.ok(html.includes('noSuchFunction'), 'the spec was replaced');
  const broken = path.join(run!.dir, 'report-broken.html');
  writeFileSync(broken, html);
  const { page, external } = await openReport(broken);
  try {
    assert.equal(await page.getAttribute('html', 'data-figures-failed'), '1');
    const err = await page.$eval('#fig-ordering .fig-error', (e) => ({ hidden: (e as HTMLElement).hidden, text: e.textContent ?? '' }));
    assert.equal(err.hidden, false, 'the error is shown');
    assert.match(err.text, /Interactive figure unavailable \(.*noSuchFunction.*\); the static image is shown instead\./);
    const img = await page.$eval('#fig-ordering .fig-view img', (e) => {
      const i = e as HTMLImageElement;
      return { w: i.naturalWidth, src: i.src.slice(0, 22) };
    });
    assert.ok(img.w > 300 && img.src === 'data:image/png;base64,', `the screen-size PNG is put back (${JSON.stringify(img)})`);
    const drawn = await page.$$eval('.fig-box[data-rendered="yes"]', (b) => b.length);
    assert.equal(drawn, 9, 'the other figures are drawn');
    assert.deepEqual(external, []);
  } finally {
    await page.close();
  }
});

test('at 1200 px the scenario-checks table fits the page and every table caption wraps within view', { skip: SKIP }, async () => {
  // checks.json as run-local writes it, with the long stats.json paths real scenarios check.
  const paths = [
    'ordering[source=bounded,pair=null].interval_vs_truth.wrong_by_worker[node=*].count',
    'windows[source=bounded].interval.conflict_false_by_worker[node=*].count',
    'bound_quality[source=system,role=worker,node=null].abs_point_error.p50',
  ];
  await writeChecksFile(path.join(run!.dir, 'checks.json'), {
    scenario: 'demo',
    seed: 7,
    exit_code: 0,
    results: paths.map((p, i) => ({
      name: `check-${i}`,
      path: p,
      op: '<=',
      threshold: 0,
      measured: 0,
      verdict: 'pass',
      detail: i === 0 ? 'a detail long enough to need more than one line of the table at this width, as a note on a check can be' : '',
    })),
  });
  const r = await renderFiguresAndReport(run!.dir, run!.stats);
  const { page, errors } = await openReport(r.report);
  try {
    await page.setViewportSize({ width: 1200, height: 900 });
    const checks = await page.$eval('#checks table', (t) => ({ scroll: t.scrollWidth, client: t.clientWidth }));
    assert.ok(checks.scroll <= checks.client + 1, `the checks table needs no scrolling (${JSON.stringify(checks)})`);
    const captions = await page.$$eval('table caption', (cs) =>
      cs.map((c) => ({ text: (c.textContent ?? '').slice(0, 40), right: Math.round(c.getBoundingClientRect().right) })),
    );
    assert.ok(captions.length > 5);
    for (const c of captions) assert.ok(c.right <= 1200, `caption "${c.text}…" ends at ${c.right} px, inside the 1200-px page`);
    assert.deepEqual(errors, []);
  } finally {
    await page.close();
  }
});

/** The parts of a vega View and its scene graph the test reads (the page's vega build is not typed here). */
interface SceneItem {
  x?: number;
  y?: number;
  datum?: Record<string, unknown>;
  items?: SceneMark[];
}
interface SceneMark {
  marktype: string;
  items: SceneItem[];
}
interface VegaView {
  container(): HTMLElement;
  origin(): [number, number];
  scenegraph(): { root: SceneMark };
  signal(name: string): unknown;
}
