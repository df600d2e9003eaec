// `chronoeval compare RUN_DIR… | SWEEP_DIR`: runs side by side with 95 % confidence intervals
// across the seeds of each cell (docs/compare.md): summary.csv, cells.csv, compare.html, figures/.
import path from 'node:path';
import { existsSync, statSync } from 'node:fs';
import type { Argv } from 'yargs';
import { Logger } from '../cli/logger.js';
import { runCommand } from '../cli/command-runner.js';
import { EXIT } from '../cli/exit-codes.js';
import { UsageError } from '../validate/index.js';
import { type ArgsOf, HELP_EPILOG } from './shared.js';

export const command = 'compare <dirs..>';
export const describe =
  'Compare runs (or a sweep): summary.csv, cells.csv with 95 % confidence intervals across seeds, compare.html and figures';

export function builder(y: Argv) {
  return y
    .positional('dirs', {
      type: 'string',
      array: true,
      demandOption: true,
      describe: 'Analysed run directories (results/<run_id>), or one sweep directory (holding sweep.json)',
    })
    .option('figures', { type: 'boolean', default: true, describe: 'Draw the figures (--no-figures: the CSVs and the page only)' })
    .option('out', {
      type: 'string',
      describe: 'Output directory (default: <sweep>/compare/, or compare/<timestamp>/ beside the results directory)',
    })
    .example(
      '$0 compare results/20261201T100000Z-aaaaaa results/20261201T101500Z-bbbbbb',
      'two runs side by side; cells by the parameters that differ',
    )
    .example('$0 compare sweeps/20261201T090000Z-abc123', "a sweep's cells with 95 % intervals across seeds, into sweeps/<id>/compare/")
    .example('$0 compare results/* --out paper/fig3', 'every run of a results directory, written to paper/fig3/')
    .epilog(HELP_EPILOG);
}

interface CompareCommandOptions {
  runDirs: string[];
  params?: Map<string, Record<string, string | number | boolean | null>>;
  outDir: string;
  skipped: string[];
  figures: boolean;
}

async function parse(a: ArgsOf<typeof builder>): Promise<CompareCommandOptions> {
  const dirs = (a.dirs as unknown[]).map(String);
  const { resolveCompareInputs } = await import('../../analysis/compare/inputs.js');
  const { CompareInputError } = await import('../../analysis/compare/load-runs.js');
  let inputs;
  try {
    inputs = resolveCompareInputs(dirs);
  } catch (e) {
    if (e instanceof CompareInputError) throw new UsageError(e.message);
    throw e;
  }
  const out = a.out === undefined ? inputs.defaultOutDir : path.resolve(a.out);
  if (a.out !== undefined && (a.out.trim() === '' || (existsSync(out) && !statSync(out).isDirectory())))
    throw new UsageError(
      `--out ${JSON.stringify(a.out)}: not a directory; give a directory to write summary.csv, cells.csv and compare.html into`,
    );
  return { runDirs: inputs.runDirs, params: inputs.params, outDir: out, skipped: inputs.skipped, figures: a.figures };
}

async function run(o: CompareCommandOptions): Promise<number> {
  const logger = new Logger('compare', null, 'info');
  for (const s of o.skipped) logger.warn(`left out: ${s}`);
  const r = await compareWithTable({ runDirs: o.runDirs, outDir: o.outDir, params: o.params, logger, figures: o.figures });
  logger.info(`compare: ${r.page}`);
  return EXIT.ok;
}

export const handler = runCommand({ parse, run });

/** compareRuns with progress on stderr and the cells' table on stdout (also used by run-local --repeat). */
export async function compareWithTable(o: {
  runDirs: string[];
  outDir: string;
  params?: Map<string, Record<string, string | number | boolean | null>>;
  logger: Logger;
  figures?: boolean;
}): Promise<{ page: string; outDir: string }> {
  const { compareRuns } = await import('../../analysis/compare/index.js');
  const { cellsTableText } = await import('../../analysis/compare/terminal-table.js');
  const r = await compareRuns({ runDirs: o.runDirs, outDir: o.outDir, params: o.params, figures: o.figures, log: (l) => o.logger.info(l) });
  process.stdout.write(
    `\nCompared ${r.runs} run(s) in ${r.cells} cell(s) (workers pooled; proportions pooled over seeds with a Wilson interval, values a t interval):\n` +
      `${cellsTableText(r.stats ?? [])
        .map((l) => '  ' + l)
        .join('\n')}\n` +
      `Written to ${o.outDir}/: summary.csv, cells.csv, compare.html, figures/ (${r.figures.length / 2} figures)\n`,
  );
  return { page: r.page, outDir: o.outDir };
}
