// compare.html: one self-contained page (inline CSS, figures as data: URIs) with the runs, the
// cells' headline numbers with their 95 % intervals, and the figures. Every number comes from
// cells.csv's statistics; the escaping and tables are the run report's (analysis/report/html.ts).
import path from 'node:path';
import { esc, table, type Cell as HtmlCell } from '../report/html.js';
import type { CellStat } from './cell-stats.js';
import type { Cell } from './cells.js';
import type { CompareFigure } from './figures.js';
import { HEADLINE_METRICS, cellLabel } from './figures.js';
import { worstKey, worstWorkers } from './worst-worker.js';

const CSS = `
body{font-family:'DejaVu Sans','Liberation Sans',sans-serif;margin:2rem auto;max-width:1100px;color:#111;line-height:1.45;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccc}
.meta{color:#444}
table.summary{border-collapse:collapse;margin:1rem 0;font-size:.85rem;width:100%}
table.summary caption{text-align:left;font-weight:bold;padding:.3rem 0}
table.summary th,table.summary td{border:1px solid #ccc;padding:.25rem .45rem;text-align:left;vertical-align:top}
table.summary thead th{background:#eef2f6}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.na{color:#888}
figure{margin:1.5rem 0;border:1px solid #ddd;padding:.8rem}
figure img{height:auto;display:block}
figcaption{font-size:.9rem;margin-top:.5rem}
`;

/** An estimate with its interval in the metric's display unit; null (shown as —) without one. */
export function estimateText(s: Pick<CellStat, 'unit' | 'estimate' | 'ci_lo' | 'ci_hi'>): string | null {
  if (s.estimate === null) return null;
  const f =
    s.unit === 'ratio'
      ? (v: number) => `${(v * 100).toPrecision(4)} %`
      : s.unit === 'ns'
        ? (v: number) => `${(v / 1e6).toPrecision(4)} ms`
        : (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(4));
  const text = s.ci_lo === null || s.ci_hi === null ? f(s.estimate) : `${f(s.estimate)} [${f(s.ci_lo)}, ${f(s.ci_hi)}]`;
  // A bare count is a mean over the cell's runs (a worker's charged wrong orders), not a share.
  return s.unit === 'count' ? `${text} per run` : text;
}

function cellList(cells: readonly Cell[]): string {
  const rows: HtmlCell[][] = cells.map((c, i) => [cellLabel(c.id, i), c.id, c.runs.length, c.runs.map((r) => r.seed ?? '?').join(', ')]);
  return table(
    'table-cell-list',
    "Cells (the label on the figures' axes when a figure is drawn over cells)",
    ['label', 'parameters', 'runs', 'seeds'],
    rows,
  );
}

function runsTable(cells: readonly Cell[]): string {
  const rows: HtmlCell[][] = cells.flatMap((c) =>
    c.runs.map((r) => [r.run_id, r.kind, r.seed, c.id, r.run_dir, r.missing.length ? r.missing.join('; ') : 'nothing']),
  );
  return table(
    'table-runs',
    'Runs (a cell = the runs whose parameters are equal except the seed)',
    ['run', 'kind', 'seed', 'cell', 'directory', 'missing'],
    rows,
  );
}

/** "w2: 97.50 % [..]" for the worst worker of a pooled row; null when no worker has the number. */
export function worstText(worst: ReadonlyMap<string, CellStat>, s: CellStat): string | null {
  const w = worst.get(worstKey(s));
  return w ? `${w.node}: ${estimateText(w)}` : null;
}

function headlineTable(stats: readonly CellStat[]): string {
  const metrics = HEADLINE_METRICS.map((m) => m.metric);
  const worst = worstWorkers(stats);
  const rows: HtmlCell[][] = stats
    .filter((s) => s.node === '' && metrics.includes(s.metric))
    .sort(
      (a, b) => a.cell.localeCompare(b.cell) || a.source.localeCompare(b.source) || metrics.indexOf(a.metric) - metrics.indexOf(b.metric),
    )
    .map((s) => [
      s.cell,
      s.source,
      s.metric,
      s.n,
      s.count !== null ? `${s.count} of ${s.total}` : null,
      estimateText(s),
      s.method,
      worstText(worst, s),
    ]);
  return table(
    'table-cells',
    'Headline metrics per cell, workers pooled, and the worst worker: estimate [95 % interval] (no interval for one run); every metric and worker: cells.csv',
    ['cell', 'source', 'metric', 'runs', 'pooled count', 'estimate [95 % CI]', 'method', 'worst worker (same method)'],
    rows,
  );
}

function figureHtml(f: CompareFigure, outDir: string): string {
  const src = `data:image/svg+xml;base64,${Buffer.from(f.figure.svg).toString('base64')}`;
  const png = path.relative(outDir, f.figure.pngPath);
  const svg = path.relative(outDir, f.figure.svgPath);
  const w = Math.round(f.figure.width / (300 / 72));
  return (
    `<figure id="fig-${esc(f.name)}"><img src="${src}" alt="${esc(f.title)}" width="${w}" style="width:100%;max-width:${Math.round(w * 1.35)}px">` +
    `<figcaption><strong>${esc(f.title)}.</strong> ${esc(f.howToRead)} Files: <a href="${esc(png)}">${esc(png)}</a> (300 DPI), <a href="${esc(svg)}">${esc(svg)}</a>.</figcaption></figure>`
  );
}

export function comparePageHtml(o: {
  cells: readonly Cell[];
  names: readonly string[];
  stats: readonly CellStat[];
  figures: readonly CompareFigure[];
  outDir: string;
  generatedAt: string;
}): string {
  const runs = o.cells.reduce((s, c) => s + c.runs.length, 0);
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>chronoeval compare — ${runs} runs</title><style>${CSS}</style></head><body>`,
    `<h1>chronoeval compare: ${runs} run(s) in ${o.cells.length} cell(s)</h1>`,
    `<p class="meta">Parameters that vary: ${o.names.length ? esc(o.names.join(', ')) : 'none (every run is a repetition of one condition)'}. ` +
      `Written ${esc(o.generatedAt)}. Tables: <a href="summary.csv">summary.csv</a> (one row per run × source × metric × worker), ` +
      `<a href="cells.csv">cells.csv</a> (per cell, with 95 % intervals). Proportions: counts pooled over seeds, Wilson interval; ` +
      'values (ns, counts): mean over seeds, Student t interval; see docs/compare.md.</p>',
    '<h2 id="cells">Cells</h2>',
    cellList(o.cells),
    headlineTable(o.stats),
    '<h2 id="figures">Figures</h2>',
    o.figures.length
      ? o.figures.map((f) => figureHtml(f, o.outDir)).join('\n')
      : '<p>No figure drawn (figures were turned off, or no headline metric has an estimate).</p>',
    '<h2 id="runs">Runs</h2>',
    runsTable(o.cells),
    '</body></html>\n',
  ].join('\n');
}
