// Figures (PNG at 300 DPI + SVG) and a self-contained report.html for one analysed run.
// `chronoeval analyze` calls renderFiguresAndReport unless --no-figures.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../src/cli/logger.js';
import { writeFileAtomic } from '../../src/files/atomic-json.js';
import type { Stats } from '../stats/types.js';
import { renderAllFigures, type FigureOutcome, type RenderAllOptions } from '../figures/index.js';
import { esc } from './html.js';
import {
  boundQualityTable,
  causalityTable,
  deliveryTable,
  headlineBlock,
  headlineTable,
  inputsTable,
  lossTable,
  manifestSection,
  perWorkerTable,
  selfConsistencyTable,
} from './tables.js';
import { bracketedTable } from './bracket-tables.js';
import { collectWarnings } from './warnings.js';
import { sourceHealthSection } from './source-health.js';
import { scheduleText } from '../load/schedule-info.js';
import { checksSection, readChecks, type ChecksFile } from './checks-section.js';

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
  const html = buildReportHtml(stats, all.outcomes, manifest, path.relative(runDir, all.outDir) || '.', all.readErrors, readChecks(runDir));
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

function readManifest(runDir: string): Record<string, unknown> | null {
  const f = path.join(runDir, 'manifest.json');
  if (!existsSync(f)) return null;
  try {
    return JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

const CSS = `
body{font-family:'DejaVu Sans','Liberation Sans',sans-serif;margin:2rem auto;max-width:1100px;color:#111;line-height:1.45;padding:0 1rem}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2.2rem;border-bottom:1px solid #ccc;padding-bottom:.2rem}
.meta{color:#444;margin-top:0}
table.summary{border-collapse:collapse;margin:1rem 0;font-size:.85rem;display:block;max-width:100%;overflow-x:auto}
table.summary caption{text-align:left;font-weight:bold;padding:.3rem 0}
table.summary th,table.summary td{border:1px solid #ccc;padding:.25rem .45rem;text-align:left;vertical-align:top}
table.summary thead th{background:#eef2f6}
td{white-space:nowrap}td.num{text-align:right;font-variant-numeric:tabular-nums}
.na{color:#888}
figure{margin:1.5rem 0;border:1px solid #ddd;padding:.8rem;background:#fff}
figure img{height:auto;display:block}
figcaption{font-size:.9rem;color:#222;margin-top:.5rem}
figcaption .notes{color:#555}
ul.warnings li{margin:.2rem 0}
.warnbox{border-left:4px solid #D55E00;background:#fff7f0;padding:.5rem 1rem}
.okbox{border-left:4px solid #0072B2;background:#f0f6fb;padding:.5rem 1rem}
pre{background:#f6f6f6;padding:.6rem;overflow:auto;font-size:.8rem}
code{font-size:.8rem}
`;

function figureHtml(o: FigureOutcome, figDir: string): string {
  if (o.status !== 'rendered') {
    const what = o.status === 'skipped' ? 'Not drawn' : 'Could not be rendered';
    return `<section class="figure-missing" id="fig-${esc(o.def.name)}"><h3>${esc(o.def.title)}</h3><p><em>${what}:</em> ${esc(o.reason)}</p></section>`;
  }
  const src = `data:image/svg+xml;base64,${Buffer.from(o.figure.svg).toString('base64')}`;
  const png = `${figDir}/${o.def.name}.png`;
  const svg = `${figDir}/${o.def.name}.svg`;
  const pdf = o.figure.pdfPath ? `${figDir}/${o.def.name}.pdf` : null;
  const notes = o.notes.length ? ` <span class="notes">${esc(o.notes.join(' '))}</span>` : '';
  // Shown at its print size (inches × 96 CSS px: 7 pt text reads as 9.3 px), up to 1.4× on wide screens.
  const w = Math.round((o.figure.width / 300) * 96);
  return (
    `<figure id="fig-${esc(o.def.name)}"><img src="${src}" alt="${esc(o.def.title)}" width="${w}" style="width:100%;max-width:${Math.round(w * 1.4)}px">` +
    `<figcaption><strong>${esc(o.def.title)}.</strong> ${esc(o.def.howToRead)}${notes} ` +
    `Files: <a href="${esc(png)}">${esc(png)}</a> (300 DPI), <a href="${esc(svg)}">${esc(svg)}</a>` +
    `${pdf ? `, <a href="${esc(pdf)}">${esc(pdf)}</a>` : ''}.</figcaption></figure>`
  );
}

/** The whole page as one string: inline CSS, figures as data: URIs, no external resource. */
export function buildReportHtml(
  stats: Stats,
  outcomes: FigureOutcome[],
  manifest: Record<string, unknown> | null,
  figDir = 'figures',
  readErrors: string[] = [],
  checks: ChecksFile | null = null,
): string {
  const warnings = [...collectWarnings(stats, outcomes), ...readErrors.map((e) => `figures: ${e}`)];
  const runId = stats.run.run_id ?? path.basename(stats.run.run_dir);
  const dur = stats.run.duration_ns !== null ? `${(stats.run.duration_ns / 1e9).toFixed(1)} s of sending` : 'duration unknown';
  const skipped = outcomes.filter((o) => o.status !== 'rendered');
  const parts = [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>chronoeval report — ${esc(runId)}</title><style>${CSS}</style></head><body>`,
    `<h1>chronoeval report: ${esc(runId)}</h1>`,
    `<p class="meta">${esc(stats.delivery.events_sent)} events sent to ${esc(stats.workers.length)} worker(s) (${esc(stats.workers.join(', '))}); ${esc(dur)}; ` +
      `sources: ${esc(stats.sources.map((s) => `${s.name}${s.bounded ? ' (interval)' : ''}`).join(', '))}; ground truth: ${stats.truth.recv ? 'yes' : 'no'}; ` +
      `event schedule: ${esc(scheduleText(stats.run.schedule ?? null))}; format ${esc(stats.run.format)}; analysed ${esc(stats.generated_at)} by ${esc(stats.generator.name)} ${esc(stats.generator.version)}.</p>`,
    headlineBlock(stats),
    '<h2 id="warnings">Warnings</h2>',
    warnings.length
      ? `<div class="warnbox"><ul class="warnings">${warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul></div>`
      : '<div class="okbox"><p>No lost events, no sources without values, no damaged input files.</p></div>',
    checksSection(checks),
    sourceHealthSection(stats),
    '<h2 id="summary">Summary</h2>',
    headlineTable(stats),
    perWorkerTable(stats),
    deliveryTable(stats),
    lossTable(stats),
    causalityTable(stats),
    boundQualityTable(stats),
    selfConsistencyTable(stats),
    '<h2 id="bracketed">Bracketed truth (no reference hardware)</h2>',
    bracketedTable(stats),
    '<h2 id="figures">Figures</h2>',
    skipped.length
      ? `<p>${skipped.length} figure(s) not drawn: ${esc(skipped.map((s) => s.def.name).join(', '))} (reasons below, in place).</p>`
      : '',
    ...outcomes.map((o) => figureHtml(o, figDir)),
    '<h2 id="manifest-section">Run manifest and inputs</h2>',
    manifestSection(manifest),
    inputsTable(stats),
    '<p class="meta">Definitions of every number: docs/metrics.md; how to read the figures: docs/figures.md.</p>',
    '</body></html>\n',
  ];
  return parts.join('\n');
}
