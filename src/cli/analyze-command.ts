import { existsSync } from 'node:fs';
import { Logger } from './logger.js';
import type { Stats } from '../../analysis/index.js';

export interface AnalyzeCommandOptions {
  runDir: string;
  format: 'native' | 'legacy';
  windowsMs: number[];
  figures: boolean;
  /** Do not print the summary table (repeat runs). */
  quiet?: boolean;
}

/** `chronoeval analyze`: stats.json (+ figures and report unless --no-figures), summary on stdout; returns the stats. */
export async function analyzeCommand(o: AnalyzeCommandOptions): Promise<Stats> {
  if (!existsSync(o.runDir)) throw new Error(`run directory ${o.runDir} does not exist; give results/<run_id>`);
  const { analyzeRun } = await import('../../analysis/index.js');
  const logger = new Logger('analyze', null, o.quiet ? 'warn' : 'info');
  const { stats, summaryText, warnings } = await analyzeRun(o.runDir, { format: o.format, windowsMs: o.windowsMs, logger });
  if (!o.quiet) process.stdout.write(summaryText.endsWith('\n') ? summaryText : summaryText + '\n');
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  if (o.figures) await renderReport(o.runDir, stats, logger);
  return stats;
}

/** Figures (300-DPI PNG + SVG) and report.html for an analysed run. */
export async function renderReport(runDir: string, stats: Stats, logger = new Logger('analyze', null, 'info')): Promise<void> {
  const { renderFiguresAndReport } = await import('../../analysis/index.js');
  const r = await renderFiguresAndReport(runDir, stats, { logger });
  for (const f of r.failed) process.stderr.write(`warning: figure ${f.name} could not be rendered: ${f.reason}\n`);
  logger.info(`report: ${r.report} (${r.figures.length / 2} figures${r.skipped.length ? `, ${r.skipped.length} skipped for lack of data` : ''})`);
}
