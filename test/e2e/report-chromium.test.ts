// report.html opened by a real headless Chromium with the network cut: every figure loads
// (naturalWidth > 0), the summary tables are there, nothing is fetched from outside the page,
// and a screenshot is saved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { makeFixtureRun } from '../fixtures/figures-run.js';
import { analyzeRun, renderFiguresAndReport } from '../../analysis/index.js';
import { PACKAGE_ROOT, tmpDir } from '../support/helpers.js';

const CHROMIUM = '/usr/bin/chromium';
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

test(
  'report.html opens offline in headless Chromium with every figure and table',
  { skip: !existsSync(CHROMIUM) && `${CHROMIUM} not installed` },
  async () => {
    const dir = tmpDir('chronoeval-report-e2e-');
    const profile = tmpDir('chronoeval-chromium-profile-');
    const context = await (async () => {
      // CSVs from the fixture generator; stats.json from the real analysis (the same path as
      // `chronoeval analyze`), so the report is tested against what analyze really writes.
      await makeFixtureRun(dir, { events: 2000, rate: 100, tornTail: true });
      const { stats } = await analyzeRun(dir, {});
      const r = await renderFiguresAndReport(dir, stats);
      assert.deepEqual(r.failed, []);
      // A fresh user-data-dir: Playwright takes it as the persistent-context directory.
      return {
        r,
        ctx: await chromium.launchPersistentContext(profile, {
          executablePath: CHROMIUM,
          headless: true,
          args: ARGS,
          viewport: { width: 1280, height: 900 },
        }),
      };
    })();
    const { r, ctx } = context;
    try {
      const page = ctx.pages()[0] ?? (await ctx.newPage());
      const external: string[] = [];
      await ctx.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
        external.push(url);
        return route.abort();
      });
      await page.goto(`file://${r.report}`, { waitUntil: 'load' });
      const imgs = await page.$$eval('figure img', (els) =>
        els.map((e) => {
          const img = e as HTMLImageElement;
          return { alt: img.alt, complete: img.complete, w: img.naturalWidth, h: img.naturalHeight, src: img.src.slice(0, 30) };
        }),
      );
      assert.equal(imgs.length, 10, `10 figures embedded: ${imgs.map((i) => i.alt).join(', ')}`);
      for (const img of imgs) {
        assert.ok(img.complete && img.w > 0 && img.h > 0, `figure "${img.alt}" loaded (${img.w}×${img.h})`);
        assert.ok(img.src.startsWith('data:image/svg+xml;base64,'), `figure "${img.alt}" is embedded, not linked`);
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
        warnings.some((w) => /lost \d+ of 2000 events/.test(w)),
        'lost events are reported',
      );
      assert.ok(
        warnings.some((w) => /warming/.test(w)),
        'the warming source is reported',
      );
      assert.deepEqual(external, [], 'no request leaves the page');
      const shot = path.join(dir, 'report-screenshot.png');
      await page.screenshot({ path: shot, fullPage: true });
      assert.ok(statSync(shot).size > 50_000, 'screenshot written');
      if (process.env.CHRONOEVAL_KEEP_SCREENSHOT) {
        mkdirSync(path.join(PACKAGE_ROOT, 'docs/img'), { recursive: true });
        await page.screenshot({ path: path.join(PACKAGE_ROOT, 'docs/img/report-screenshot.png'), fullPage: false });
      }
      // The page has no script and no external reference at all.
      const html = readFileSync(r.report, 'utf8');
      assert.doesNotMatch(html, /<script|<link|@import|url\(http/i);
    } finally {
      await ctx.close();
      rmSync(profile, { recursive: true, force: true });
      if (!process.env.CHRONOEVAL_KEEP_SCREENSHOT) rmSync(dir, { recursive: true, force: true });
    }
  },
);
