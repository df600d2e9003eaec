// report.html as one string: inline CSS, a table of contents, the sections of sections.ts, the
// figures' specs as inline JSON and the vega builds as inline scripts. Nothing is fetched: the page
// works from a file: URL with the network cut.
import path from 'node:path';
import type { Stats } from '../stats/types.js';
import type { FigureOutcome } from '../figures/index.js';
import { scheduleText } from '../load/schedule-info.js';
import { esc } from './html.js';
import type { ChecksFile } from './checks-section.js';
import { collectWarnings } from './warnings.js';
import { SECTIONS, type ReportContext } from './sections.js';
import { PAGE_SCRIPT } from './page-script.js';
import { vegaBundle, type VegaBundle } from './vega-bundle.js';
import { MAX_ROWS } from './interactive-spec.js';

const CSS = `
body{font-family:'DejaVu Sans','Liberation Sans',sans-serif;margin:2rem auto;max-width:1100px;color:#111;line-height:1.45;padding:0 1rem}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2.2rem;border-bottom:1px solid #ccc;padding-bottom:.2rem}
.meta{color:#444;margin-top:0}
nav#toc{background:#f7f9fb;border:1px solid #dde3ea;padding:.4rem 1rem;font-size:.85rem;columns:2 22rem}
nav#toc ol{margin:.2rem 0;padding-left:1.3rem}nav#toc>ol>li{break-inside:avoid;margin-bottom:.3rem}
table.summary{border-collapse:collapse;margin:1rem 0;font-size:.85rem;display:block;max-width:100%;overflow-x:auto}
table.summary caption{text-align:left;font-weight:bold;padding:.3rem 0;position:sticky;left:0;max-width:min(1068px,calc(100vw - 2rem))}
table.summary th,table.summary td{border:1px solid #ccc;padding:.25rem .45rem;text-align:left;vertical-align:top}
table.summary thead th{background:#eef2f6}
td{white-space:nowrap}td.wrap{white-space:normal;min-width:12rem}td.wrap code{overflow-wrap:break-word}td.num{text-align:right;font-variant-numeric:tabular-nums}
.na{color:#888}
figure{margin:1.5rem 0;border:1px solid #ddd;padding:.8rem;background:#fff}
figure img{height:auto;display:block}
.fig-box{overflow-x:auto;min-height:2rem}
.fig-error{color:#a40000;font-weight:bold;border-left:4px solid #D55E00;padding-left:.5rem}
figcaption{font-size:.9rem;color:#222;margin-top:.5rem}
figcaption .notes{color:#555}
ul.warnings li{margin:.2rem 0}
.warnbox{border-left:4px solid #D55E00;background:#fff7f0;padding:.5rem 1rem}
.okbox{border-left:4px solid #0072B2;background:#f0f6fb;padding:.5rem 1rem}
pre{background:#f6f6f6;padding:.6rem;overflow:auto;font-size:.8rem}
code{font-size:.8rem}
#vg-tooltip-element{font-size:12px}
`;

export interface PageInputs {
  /** Why figures-data.json was not used (shown as warnings). */
  readErrors?: string[];
  checks?: ChecksFile | null;
  /** The browser builds to inline (default: read from the installed packages). */
  vega?: VegaBundle;
  /** Figure name → a small screen-resolution PNG (data: URI), the fallback of an interactive figure. */
  fallbackPng?: Map<string, string>;
}

/** The page as one string. */
export function buildReportHtml(
  stats: Stats,
  outcomes: FigureOutcome[],
  manifest: Record<string, unknown> | null,
  figDir = 'figures',
  { readErrors = [], checks = null, vega = vegaBundle(), fallbackPng = new Map() }: PageInputs = {},
): string {
  const warnings = [...collectWarnings(stats, outcomes), ...readErrors.map((e) => `figures: ${e}`)];
  const anyInteractive = outcomes.some((o) => o.status === 'rendered' && o.spec);
  const interactive = vega.ok && anyInteractive;
  if (!vega.ok && anyInteractive) warnings.push(`report: interactive figures are off, static images shown instead: ${vega.reason}.`);
  const ctx: ReportContext = { stats, outcomes, manifest, figDir, warnings, checks, interactive, fallbackPng };
  const runId = stats.run.run_id ?? path.basename(stats.run.run_dir);
  const dur = stats.run.duration_ns !== null ? `${(stats.run.duration_ns / 1e9).toFixed(1)} s of sending` : 'duration unknown';

  const sections = SECTIONS.filter((s) => !s.absent?.(ctx)).map((s) => ({ s, parts: s.parts(ctx) }));
  const toc =
    '<nav id="toc" aria-label="Contents"><ol>' +
    sections
      .map(({ s, parts }) => {
        const listed = parts.filter((p) => p.title !== '');
        const sub = listed.length
          ? `<ol>${listed.map((p) => `<li><a href="#part-${esc(p.id)}">${esc(p.title)}</a></li>`).join('')}</ol>`
          : '';
        return `<li><a href="#${esc(s.id)}">${esc(s.title)}</a>${sub}</li>`;
      })
      .join('') +
    '</ol></nav>';
  const body = sections.map(
    ({ s, parts }) =>
      `<section id="${esc(s.id)}"><h2>${esc(s.title)}</h2>${s.intro?.(ctx) ?? ''}\n` +
      parts.map((p) => `<div class="part" id="part-${esc(p.id)}">${p.html(ctx)}</div>`).join('\n') +
      '</section>',
  );
  const scripts = interactive && vega.ok ? vega.scripts.map((x) => `<script>/* ${x.pkg} ${x.version} */\n${x.code}\n</script>`) : [];
  const mode = interactive
    ? `Interactive figures drawn in the page by vega-embed (${vega.ok ? vega.scripts.map((x) => `${x.pkg} ${x.version}`).join(', ') : ''}, inlined; no network), at most ${MAX_ROWS} data rows per figure.`
    : 'Static figures.';
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>chronoeval report — ${esc(runId)}</title><style>${CSS}</style></head><body>`,
    `<h1>chronoeval report: ${esc(runId)}</h1>`,
    `<p class="meta">${esc(stats.delivery.events_sent)} events sent to ${esc(stats.workers.length)} worker(s) (${esc(stats.workers.join(', '))}); ${esc(dur)}; ` +
      `sources: ${esc(stats.sources.map((s) => `${s.name}${s.bounded ? ' (interval)' : ''}`).join(', '))}; ground truth: ${stats.truth.recv ? 'yes' : 'no'}; ` +
      `event schedule: ${esc(scheduleText(stats.run.schedule ?? null))}; format ${esc(stats.run.format)}; analysed ${esc(stats.generated_at)} by ${esc(stats.generator.name)} ${esc(stats.generator.version)}. ${esc(mode)}</p>`,
    toc,
    ...body,
    '<p class="meta">Definitions of every number: docs/metrics.md; how to read the figures: docs/figures.md.</p>',
    ...scripts,
    interactive ? `<script>${PAGE_SCRIPT}</script>` : '',
    '</body></html>\n',
  ].join('\n');
}
