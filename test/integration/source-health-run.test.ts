// Source health on a real run: real ntp-servers, workers and coordinator on loopback (run-local's
// orchestration), w2 polling a server that answers nothing. The analysis must say, per node, that
// w2's ntp and bounded were never ok (and why: the sync log's timeouts) while w1's were, in
// stats.json, in the report's table and warnings, and in the figure (SVG, 300-DPI PNG, PDF).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpDir } from '../support/helpers.js';
import { runLocal } from '../../src/scenario/run-local.js';
import { Logger } from '../../src/cli/logger.js';
import { loadScenario, planScenario } from '../../src/scenario/index.js';
import { analyzeRun } from '../../analysis/analyze.js';
import { figureContext } from '../../analysis/figures/index.js';
import { sourceHealth } from '../../analysis/figures/source-health.js';
import { specToPrintSvg, writeFigure } from '../../analysis/figures/render.js';
import { figureStyle } from '../../analysis/figures/style.js';
import { readPngMeta } from '../../analysis/figures/png-meta.js';
import { buildReportHtml } from '../../analysis/report/page.js';

const SCENARIO = {
  name: 'dead-server',
  description: 'w2 polls only a server that answers no request: its ntp and bounded sources never get a sample.',
  seed: 1,
  workers: 2,
  rate: 20,
  duration_s: 4,
  poll_ms: 500,
  warmup_max_s: 1,
  commit_wait_s: [1],
  echo: 'off',
  sources: ['system', 'ntp', 'bounded'],
  servers: { main: { faults: {} }, dead: { faults: { loss: 1 } } },
  per_worker: { w2: { ntp_servers: ['dead'] } },
};

test('a worker whose NTP server never answers: never ok in stats.json, the report and the figure', { timeout: 120_000 }, async (t) => {
  const dir = tmpDir('chronoeval-health-run-');
  try {
    const file = path.join(dir, 'dead-server.json');
    writeFileSync(file, JSON.stringify(SCENARIO));
    const { scenario } = loadScenario(file);
    const r = await runLocal({
      plan: planScenario(scenario),
      scenarioFile: file,
      resultsDir: path.join(dir, 'results'),
      logsDir: path.join(dir, 'logs'),
      logger: new Logger('source-health-test', null, 'error'),
      commandLine: [],
      verbose: false,
    });
    assert.equal(r.exitCode, 0);
    const { stats, figuresData } = await analyzeRun(r.runDir);
    const h = stats.source_health!;
    const get = (node: string, source: string) => h.find((e) => e.node === node && e.source === source)!;
    for (const e of h) t.diagnostic(`${e.node}/${e.source}: ${JSON.stringify(e.readings?.status_counts)} never_ok=${e.never_ok}`);

    for (const source of ['ntp', 'bounded']) {
      const w2 = get('w2', source);
      assert.equal(w2.never_ok, true, `w2 ${source}`);
      assert.equal(w2.readings!.first_ok_rel_ns, null);
      assert.equal(w2.readings!.before_first_ok, w2.readings!.rows);
      assert.equal(w2.readings!.availability.count, 0, 'no value without a sample: never invented');
    }
    const syncW2 = get('w2', 'ntp').sampling!;
    assert.ok(syncW2.samples > 0 && (syncW2.status_counts['ok'] ?? 0) === 0, JSON.stringify(syncW2.status_counts));
    assert.match(syncW2.reasons[0]!.reason, /timeout/, 'the sync log says why');
    // w1's server answers: its ntp was ok, and its readings were counted like the readings section's
    const w1 = get('w1', 'ntp');
    assert.equal(w1.never_ok, false);
    assert.ok(w1.sampling!.first_ok_rel_ns !== null);
    const readings = stats.readings.find((x) => x.source === 'ntp' && x.node === 'w1')!;
    assert.deepEqual(w1.readings!.status_counts, readings.status_counts);
    assert.equal(get('w1', 'system').never_ok, false);

    // the figure: rendered at single-column width to SVG, 300-DPI PNG and PDF
    const { context } = await figureContext(r.runDir, stats, figuresData);
    const built = sourceHealth.build(context);
    assert.ok('spec' in built, JSON.stringify(built));
    const { svg } = await specToPrintSvg(built.spec, figureStyle('single'));
    assert.match(svg, /NEVER OK/);
    const fig = await writeFigure(svg, path.join(r.runDir, 'figures'), sourceHealth.name);
    assert.equal(readPngMeta(readFileSync(fig.pngPath)).dpiX, 300);
    assert.ok(fig.pdfPath && existsSync(fig.pdfPath), fig.pdfError);

    // the report: the table row and the warning, first among the warnings
    const html = buildReportHtml(stats, [{ def: sourceHealth, status: 'rendered', figure: fig, notes: built.notes, ms: 0 }], null);
    assert.match(html, /<th>ntp @ w2<\/th><td[^>]*><strong>NEVER OK<\/strong>/);
    const warnings = html.slice(html.indexOf('id="warnings"'));
    assert.match(warnings, /<ul class="warnings"><li>source ntp at w2 was never ok: [^<]*timeout/);
    assert.match(html, /id="part-fig-source-health"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
