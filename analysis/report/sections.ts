// What report.html holds, in page order: one list of sections, each with its tables. The table of
// contents is built from this list, so a new table or figure section is one entry here (a new
// figure needs none: it is registered in analysis/figures/index.ts and drawn in "Figures").
import type { Stats } from '../stats/types.js';
import type { FigureOutcome } from '../figures/index.js';
import { terminalTables } from '../stats/summary-text.js';
import { esc } from './html.js';
import {
  boundQualityTable,
  causalityTable,
  deliveryTable,
  headlineTable,
  inputsTable,
  lossTable,
  manifestSection,
  perWorkerTable,
} from './tables.js';
import { bracketedTable } from './bracket-tables.js';
import { checksSection, type ChecksFile } from './checks-section.js';
import { sourceHealthTable } from './source-health.js';
import { figureHtml } from './figure-html.js';
import { terminalNotesHtml, terminalTableHtml, terminalTableId } from './terminal-tables.js';

export interface ReportContext {
  stats: Stats;
  outcomes: FigureOutcome[];
  manifest: Record<string, unknown> | null;
  /** The figures directory relative to the page (for the download links). */
  figDir: string;
  warnings: string[];
  checks: ChecksFile | null;
  /** True when the vega builds are inlined (figures drawn in the page); false: static images. */
  interactive: boolean;
  /** Figure name → its screen-resolution PNG data: URI (the fallback of an interactive figure). */
  fallbackPng: Map<string, string>;
}

/**
 * One entry of a section: its id (the page wraps it in an element with id "part-<id>", the TOC's
 * target), its TOC title ('' = not listed) and its HTML.
 */
export interface ReportPart {
  id: string;
  title: string;
  html(ctx: ReportContext): string;
}

export interface ReportSection {
  id: string;
  title: string;
  /** Text under the heading (before the parts). */
  intro?(ctx: ReportContext): string;
  parts(ctx: ReportContext): ReportPart[];
  /** Omitted from the page (and the TOC) when this says so, e.g. no checks.json. */
  absent?(ctx: ReportContext): boolean;
}

const part = (id: string, title: string, html: (ctx: ReportContext) => string): ReportPart => ({ id, title, html });

/** The first words of a table title, up to its explanation: the TOC entry. */
const shortTitle = (t: string): string => t.split(/ \(|: /)[0]!;

export const SECTIONS: ReportSection[] = [
  {
    id: 'checks',
    title: 'Scenario checks',
    absent: (c) => !c.checks || c.checks.results.length === 0,
    parts: () => [part('checks', '', (c) => checksSection(c.checks))],
  },
  {
    id: 'warnings',
    title: 'Warnings',
    parts: () => [
      part('warnings', '', (c) =>
        c.warnings.length
          ? `<div class="warnbox"><ul class="warnings">${c.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul></div>`
          : '<div class="okbox"><p>No lost events, no sources without values, no damaged input files.</p></div>',
      ),
    ],
  },
  {
    id: 'source-health',
    title: 'Source health',
    parts: () => [part('table-source-health', '', (c) => sourceHealthTable(c.stats))],
  },
  {
    id: 'summary',
    title: 'Summary (the tables chronoeval analyze prints)',
    parts: (ctx) => [
      ...terminalTables(ctx.stats).map((t) => part(terminalTableId(t.key), shortTitle(t.title), () => terminalTableHtml(t))),
      part('terminal-notes', 'Proven by echo brackets', (c) => terminalNotesHtml(c.stats)),
    ],
  },
  {
    id: 'figures',
    title: 'Figures',
    intro: (c) => {
      const skipped = c.outcomes.filter((o) => o.status !== 'rendered');
      return (
        (c.interactive
          ? '<p class="meta">Hover a mark for its values (event, worker, source, value); time axes zoom (wheel) and pan (drag), double-click resets. Each figure draws data the analysis already aggregated: sampled events and time bins, never one mark per event.</p>'
          : '') +
        (skipped.length
          ? `<p>${skipped.length} figure(s) not drawn: ${esc(skipped.map((s) => s.def.name).join(', '))} (reasons below, in place).</p>`
          : '')
      );
    },
    parts: (ctx) =>
      ctx.outcomes.map((o) =>
        part(`fig-${o.def.name}`, o.def.title, (c) => figureHtml(o, c.figDir, c.interactive, c.fallbackPng.get(o.def.name))),
      ),
  },
  {
    id: 'details',
    title: 'Details per source and worker',
    parts: () => [
      part('table-headline', 'Headline per source', (c) => headlineTable(c.stats)),
      part('table-per-worker', 'Per worker', (c) => perWorkerTable(c.stats)),
      part('table-delivery', 'Delivery per worker', (c) => deliveryTable(c.stats)),
      part('table-loss', 'Loss by place per worker', (c) => lossTable(c.stats)),
      part('table-causality', 'Causality per worker', (c) => causalityTable(c.stats)),
      part('table-bound-quality', 'Bound quality per place', (c) => boundQualityTable(c.stats)),
      part('table-bracketed', 'Bracketed truth per worker', (c) => bracketedTable(c.stats)),
    ],
  },
  {
    id: 'manifest-section',
    title: 'Run manifest and inputs',
    parts: () => [
      part('table-manifest', 'Run manifest', (c) => manifestSection(c.manifest)),
      part('table-inputs', 'Input files', (c) => inputsTable(c.stats)),
    ],
  },
];
