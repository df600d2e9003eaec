// `chronoeval analyze`: read a run's CSVs, write stats.json, figures and report.html.
import { existsSync } from 'node:fs';
import type { Argv } from 'yargs';
import { Logger } from '../cli/logger.js';
import { positive } from '../cli/options.js';
import { numberOption, parseNumberList, typedText } from '../cli/flag-values.js';
import { runCommand } from '../cli/command-runner.js';
import { EXIT } from '../cli/exit-codes.js';
import { UsageError } from '../validate/index.js';
import type { Stats } from '../../analysis/index.js';
// The style module alone (no vega, no sharp): the flags' choices and defaults.
import { FIGURE_SIZES, figureStyle, type FigureSize, type FigureStyle } from '../../analysis/figures/style.js';
import type { ExportFormat } from '../../analysis/export/index.js';
import { type ArgsOf, HELP_EPILOG } from './shared.js';

/** --reference on analyze and run-local (docs/metrics.md §Echo brackets). */
export const REFERENCE_OPTION = {
  type: 'string',
  default: 'system',
  describe:
    "Frame of the echo brackets: system (the coordinator's clock) or an interval source the coordinator stamped (e.g. bounded), which maps each bracket to true time",
} as const;

/** --figure-size on analyze and run-local: the print width the figures are laid out for. */
export const FIGURE_SIZE_OPTION = {
  choices: FIGURE_SIZES,
  default: 'double' as FigureSize,
  describe:
    'Print width of the figures: single (3.5 in, one journal column) or double (7.16 in, the page); text is at least 7 pt at that width',
} as const;

/** --titles on analyze and run-local (--no-titles: the paper's caption says what the figure is). */
export const TITLES_OPTION = {
  type: 'boolean',
  default: true,
  describe: "Draw each figure's title and subtitle (--no-titles leaves them to the caption; panel titles stay)",
} as const;

/** The figures' style from the two flags. */
export function figureStyleOf(a: { 'figure-size': FigureSize; titles: boolean }): FigureStyle {
  return figureStyle(a['figure-size'], a.titles);
}

export const command = 'analyze <run_dir>';
export const describe = "Read a run's CSVs and write stats.json, figures and report.html";

export function builder(y: Argv) {
  return y
    .positional('run_dir', { type: 'string', demandOption: true, describe: 'results/<run_id> directory (or a legacy run directory)' })
    .option('format', {
      choices: ['native', 'legacy'] as const,
      default: 'native' as const,
      describe: "native: this project's files; legacy: the first Python version's CSVs",
    })
    .option('windows-ms', { type: 'string', default: '50,100,500,1000', describe: 'Window sizes in ms for window-assignment metrics' })
    .option('figures', { type: 'boolean', default: true, describe: 'Render figures and report.html (--no-figures skips them)' })
    .option('figure-size', FIGURE_SIZE_OPTION)
    .option('titles', TITLES_OPTION)
    .option('max-freq-error-ppm', MAX_FREQ_ERROR_OPTION)
    .option('reference', REFERENCE_OPTION)
    .option('ordering-pairs', {
      type: 'boolean',
      describe:
        'Per-pair ordering entries in stats.json (default: with at most 16 workers; above, ordering is pooled over all pairs in O(W log W) per event, the same pooled counts)',
    })
    .option('export', {
      type: 'string',
      describe:
        'Also write long-format tables to RUN_DIR/export/: parquet (readings/echo/summary .parquet), tidy (the same as .csv), or parquet,tidy (docs/csv-schema.md)',
    })
    .example('$0 analyze results/20250101T120000Z-abc123', 'stats.json, figures/ and report.html in that directory; the summary on stdout')
    .example(
      '$0 analyze results/20250101T120000Z-abc123 --export parquet,tidy',
      'also export/readings.parquet, readings.csv, summary.* for pandas, polars, R, DuckDB',
    )
    .example(
      '$0 analyze results/20250101T120000Z-abc123 --figure-size single --no-titles',
      'figures for one column of a paper: 3.5 in wide, no titles; PNG (300 DPI), SVG and PDF each',
    )
    .example('$0 analyze old-run/ --format legacy --no-figures', 'stats.json of a run of the first Python version, without figures')
    .epilog(HELP_EPILOG);
}

/** --max-freq-error-ppm (analyze and run-local): ε of the self-consistency bounds. */
export const MAX_FREQ_ERROR_OPTION = numberOption('max-freq-error-ppm', {
  what: 'a number of ppm, e.g. 500',
  describe: "Self-consistency: the most a local clock's rate may be off, in ppm",
  default: 500,
});

/** The flag's range: 0 ≤ ppm < 10^6 (a rate error of 100 % or more bounds nothing). */
export function maxFreqErrorPpm(v: number): number {
  if (!(Number.isFinite(v) && v >= 0 && v < 1e6))
    throw new Error(`--max-freq-error-ppm: expected a number of ppm >= 0 and below 1000000 (e.g. 500), got ${typedText(String(v))}`);
  return v;
}

export interface AnalyzeOptions {
  runDir: string;
  format: 'native' | 'legacy';
  windowsMs: number[];
  figures: boolean;
  /** Print width and titles of the figures (default: double column, with titles). */
  figureStyle?: FigureStyle;
  /** ε of the self-consistency bounds in ppm (default 500). */
  maxFreqErrorPpm?: number;
  /** The echo brackets' frame: 'system' (default) or an interval source of the coordinator. */
  reference?: string;
  /** Do not print the summary table (repeat runs). */
  quiet?: boolean;
  /** Long-format tables to write to RUN_DIR/export/ (analysis/export/index.ts); none when absent. */
  export?: ExportFormat[];
  /** Per-pair ordering entries; undefined: by the number of workers. */
  orderingPairs?: boolean;
}

async function parse(a: ArgsOf<typeof builder>): Promise<AnalyzeOptions> {
  const o: AnalyzeOptions = {
    runDir: a.run_dir as string,
    format: a.format,
    figures: a.figures,
    figureStyle: figureStyleOf(a),
    maxFreqErrorPpm: maxFreqErrorPpm(a['max-freq-error-ppm']),
    reference: a.reference,
    orderingPairs: a['ordering-pairs'],
    windowsMs: parseNumberList('windows-ms', a['windows-ms'], { what: 'comma-separated window sizes in ms, e.g. 50,100' }).map((w) =>
      positive('windows-ms', w),
    ),
  };
  if (a.export !== undefined) {
    const { parseExportFormats } = await import('../../analysis/export/index.js');
    // Given twice, yargs makes a list: --export parquet --export tidy = parquet,tidy.
    const text = ([] as unknown[]).concat(a.export).map(String).join(',');
    o.export = parseExportFormats(text);
    if (o.format === 'legacy')
      throw new Error(
        `--export ${text}: exports read this project's run layout; a --format legacy run has none (analyze it without --export)`,
      );
  }
  // A directory that is not a run is bad input: found here, before any analysis starts.
  if (!existsSync(o.runDir)) throw new Error(`run directory ${o.runDir} does not exist; give results/<run_id>`);
  const { locateRun } = await import('../../analysis/index.js');
  await locateRun(o.runDir, o.format);
  return o;
}

/** Exit 0 analysed, 3 a result file could not be written, 7 the analysis failed, 130 on Ctrl-C. */
async function run(o: AnalyzeOptions): Promise<number> {
  await analyzeRunDir(o);
  return EXIT.ok;
}

export const handler = runCommand({ parse, run });

/** stats.json (+ figures and report unless figures is false), summary on stdout; returns the stats. */
export async function analyzeRunDir(o: AnalyzeOptions): Promise<Stats> {
  if (!existsSync(o.runDir)) throw new UsageError(`run directory ${o.runDir} does not exist; give results/<run_id>`);
  const { analyzeRun } = await import('../../analysis/index.js');
  const logger = new Logger('analyze', null, o.quiet ? 'warn' : 'info');
  const { stats, summaryText, warnings } = await analyzeRun(o.runDir, {
    format: o.format,
    windowsMs: o.windowsMs,
    maxFreqErrorPpm: o.maxFreqErrorPpm,
    logger,
    reference: o.reference,
    orderingPairs: o.orderingPairs,
  });
  if (!o.quiet) process.stdout.write(summaryText.endsWith('\n') ? summaryText : summaryText + '\n');
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  if (o.export?.length) await exportTables(o.runDir, stats, o.export, logger);
  if (o.figures) await renderReport(o.runDir, stats, logger, o.figureStyle);
  return stats;
}

/** RUN_DIR/export/ tables; rows skipped there are warned about like the analysis' own. */
async function exportTables(runDir: string, stats: Stats, formats: ExportFormat[], logger: Logger): Promise<void> {
  const { exportRun } = await import('../../analysis/export/index.js');
  const t0 = performance.now();
  const r = await exportRun(runDir, stats, { formats });
  for (const w of r.warnings) process.stderr.write(`warning: export: ${w}\n`);
  logger.info(
    `export: ${r.files.length} files in ${((performance.now() - t0) / 1000).toFixed(1)} s (${r.rows.readings} readings, ${r.rows.echo} echoes, ${r.rows.summary} summary rows): ${r.files.join(', ')}`,
  );
}

/** Figures (300-DPI PNG, SVG and PDF) and report.html for an analysed run. */
export async function renderReport(
  runDir: string,
  stats: Stats,
  logger = new Logger('analyze', null, 'info'),
  style?: FigureStyle,
): Promise<void> {
  const { renderFiguresAndReport } = await import('../../analysis/index.js');
  const r = await renderFiguresAndReport(runDir, stats, { logger, figures: { style } });
  for (const f of r.failed) process.stderr.write(`warning: figure ${f.name} could not be rendered: ${f.reason}\n`);
  logger.info(
    `report: ${r.report} (${r.figures.filter((f) => f.endsWith('.png')).length} figures${r.skipped.length ? `, ${r.skipped.length} skipped for lack of data` : ''})`,
  );
}
