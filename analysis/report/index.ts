// Figures (PNG at 300 DPI, SVG, PDF) and a self-contained report.html (page.ts) for one analysed run.
// `chronoeval analyze` calls renderFiguresAndReport unless --no-figures.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { Logger } from '../../src/cli/logger.js';
import { writeFileAtomic } from '../../src/files/atomic-json.js';
import type { Stats } from '../stats/types.js';
import { renderAllFigures, type FigureOutcome, type RenderAllOptions } from '../figures/index.js';
import { readChecks } from './checks-section.js';
import { buildReportHtml } from './page.js';

export interface ReportOptions {
  logger?: Logger;
  /** Passed to the figure pipeline (e.g. sampling targets). */
  figures?: Omit<RenderAllOptions, 'onFigure'>;
}

export interface ReportResult {
  /** Absolute paths of every PNG, SVG and PDF written. */
  figures: string[];
  /** Absolute path of report.html. */
  report: string;
  skipped: { name: string; reason: string }[];
  failed: { name: string; reason: string }[];
  timings: { readMs: number; renderMs: number; reportMs: number; perFigureMs: Record<string, number> };
}

export async function renderFiguresAndReport(runDir: string, stats: Stats, opts: ReportOptions = {}): Promise<ReportResult> {
  const log = opts.logger;
  const all = await renderAllFigures(runDir, stats, {
    ...opts.figures,
    onFigure: (o) => {
      if (o.status === 'rendered') log?.debug('figure rendered', { figure: o.def.name, ms: Math.round(o.ms), png: o.figure.pngPath });
      else if (o.status === 'skipped') log?.info(`figure ${o.def.name} skipped: ${o.reason}`);
      else log?.warn(`figure ${o.def.name} failed: ${o.reason}`);
    },
  });
  const t = performance.now();
  const manifest = stats.run.manifest ?? readManifest(runDir);
  const fallbackPng = await screenPngs(all.outcomes);
  const html = buildReportHtml(stats, all.outcomes, manifest, path.relative(runDir, all.outDir) || '.', {
    readErrors: all.readErrors,
    checks: readChecks(runDir),
    fallbackPng,
  });
  const report = path.join(runDir, 'report.html');
  await writeFileAtomic(report, html);
  const reportMs = performance.now() - t;
  log?.debug('report written', {
    report,
    figures: all.outcomes.filter((o) => o.status === 'rendered').length,
    read_ms: Math.round(all.readMs),
    render_ms: Math.round(all.renderMs),
  });
  return {
    figures: all.outcomes.flatMap((o) =>
      o.status === 'rendered' ? [o.figure.pngPath, o.figure.svgPath, ...(o.figure.pdfPath ? [o.figure.pdfPath] : [])] : [],
    ),
    report,
    skipped: all.outcomes.flatMap((o) => (o.status === 'skipped' ? [{ name: o.def.name, reason: o.reason }] : [])),
    failed: all.outcomes.flatMap((o) => (o.status === 'failed' ? [{ name: o.def.name, reason: o.reason }] : [])),
    timings: {
      readMs: all.readMs,
      renderMs: all.renderMs,
      reportMs,
      perFigureMs: Object.fromEntries(all.outcomes.flatMap((o) => (o.status === 'rendered' ? [[o.def.name, Math.round(o.ms)]] : []))),
    },
  };
}

/**
 * Each rendered figure as a PNG at screen size (96 DPI, palette): the interactive figure's fallback
 * in the page, a tenth of the bytes of the SVG (which the page would otherwise carry twice). Drawn
 * at once on libuv's thread pool; quantiser effort 1 is a third of the default's time for 15 % more bytes.
 */
async function screenPngs(outcomes: FigureOutcome[]): Promise<Map<string, string>> {
  const rendered = outcomes.flatMap((o) => (o.status === 'rendered' ? [o] : []));
  const pngs = await Promise.all(
    rendered.map((o) =>
      sharp(Buffer.from(o.figure.svg), { density: SCREEN_DPI }).png({ palette: true, compressionLevel: 6, effort: 1 }).toBuffer(),
    ),
  );
  return new Map(rendered.map((o, i) => [o.def.name, `data:image/png;base64,${pngs[i]!.toString('base64')}`]));
}

const SCREEN_DPI = 96;

function readManifest(runDir: string): Record<string, unknown> | null {
  const f = path.join(runDir, 'manifest.json');
  if (!existsSync(f)) return null;
  try {
    return JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}
