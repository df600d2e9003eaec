// `chronoeval run-local`: run a scenario on loopback (SNTP servers, workers, coordinator), analyse
// it, judge its checks.
import path from 'node:path';
import type { Argv } from 'yargs';
import { makeLogger, positive, resolveRunId, withCommon, withRecvStamp, withRunIdentity } from '../cli/options.js';
import { KNOWN_SOURCES, parseSourceList } from '../clock/registry.js';
import { validateRunLocalOptions } from '../cli/config-validation.js';
import { numberOption, parseNumberList } from '../cli/flag-values.js';
import { runCommand } from '../cli/command-runner.js';
import { UsageError } from '../validate/index.js';
import { EXIT, signalExit } from '../cli/exit-codes.js';
import type { Level, Logger } from '../cli/logger.js';
import { newRunId } from '../files/run-id.js';
import { writeChecksFile } from '../files/checks-file.js';
import { runDirPaths } from '../files/paths.js';
import { SCHEDULE_HELP, SCHEDULE_KINDS } from '../coordinator/schedule.js';
import type { RecvStampMode } from '../net/stamped-socket.js';
import { parseSpecArg } from '../scenario/spec-arg.js';
import { builtinScenarioNames, loadScenario } from '../scenario/load.js';
import {
  checksExitCode,
  checksVerdictText,
  evaluateChecks,
  formatCheckResults,
  formatCheckValue,
  planScenario,
  repeatOverSeeds,
  type Scenario,
} from '../scenario/index.js';
import { replayArgs, replayLine, replayScenarioArg } from '../scenario/repeat.js';
import { negativeControlHeader, negativeControlNote } from '../scenario/negative-control.js';
import {
  FIGURE_SIZE_OPTION,
  MAX_FREQ_ERROR_OPTION,
  REFERENCE_OPTION,
  TITLES_OPTION,
  analyzeRunDir,
  figureStyleOf,
  maxFreqErrorPpm,
  renderReport,
} from './analyze.js';
import type { FigureStyle } from '../../analysis/figures/style.js';
import { SECONDS_LIST, type ArgsOf, HELP_EPILOG } from './shared.js';
import { parseEchoMode } from '../coordinator/echo-mode.js';

export const command = 'run-local';
export const describe =
  "Everything on one machine: SNTP servers, workers and coordinator on loopback with a fault scenario, then analysis and the scenario's checks (the main job)";

export function builder(y: Argv) {
  return withRecvStamp(withCommon(withRunIdentity(y)))
    .option('scenario', {
      type: 'string',
      default: 'demo',
      describe: `Built-in scenario name or a JSON file (docs/scenarios.md); built in: ${builtinScenarioNames().join(', ')}`,
    })
    .option(
      'seed',
      numberOption('seed', {
        what: 'a whole number (a seed)',
        integer: true,
        describe:
          "Seed for the scenario's random parts (default: the scenario's): the same seed replays the same injected faults and event schedule, not the same measurements (real timing, scheduling and the host clock differ from run to run)",
      }),
    )
    .option(
      'repeat',
      numberOption('repeat', {
        what: 'a whole number of seeds',
        integer: true,
        default: 1,
        describe:
          "Run the scenario over K seeds (seed, seed+1, ...), report each check's worst case, and compare the seeds (95 % intervals; compare/<timestamp>/ beside the results directory)",
      }),
    )
    .option(
      'workers',
      numberOption('workers', { what: 'a whole number of workers', integer: true, describe: 'Override: number of worker processes' }),
    )
    .option('rate', numberOption('rate', { what: 'a number of events per second', describe: 'Override: events per second' }))
    .option('schedule', { choices: SCHEDULE_KINDS, describe: `Override: ${SCHEDULE_HELP}. Seeded from the run's seed` })
    .option('duration-s', numberOption('duration-s', { what: 'a number of seconds', describe: 'Override: seconds of events after warmup' }))
    .option(
      'count',
      numberOption('count', {
        what: 'a whole number of events',
        integer: true,
        describe: 'Override: number of events (instead of a duration)',
      }),
    )
    .option('sources', { type: 'string', describe: `Override: comma-separated clock sources, of: ${KNOWN_SOURCES.join(', ')}` })
    .option('poll-ms', numberOption('poll-ms', { what: 'a number of milliseconds', describe: 'Override: NTP poll interval (ms)' }))
    .option(
      'warmup-max-s',
      numberOption('warmup-max-s', {
        what: 'a number of seconds',
        describe: 'Override: longest a worker waits for its sources to converge',
      }),
    )
    .option('commit-wait-s', { type: 'string', describe: 'Override: re-estimation delays in seconds, e.g. 2,5' })
    .option('clock-faults', { type: 'string', describe: "Override: every worker's clock faults (JSON or file)" })
    .option('faults', { type: 'string', describe: "Override: the main NTP server's faults (JSON or file)" })
    .option('event-faults', { type: 'string', describe: 'Override: event-path faults (JSON or file)' })
    .option('echo', { type: 'string', describe: 'Override: echo brackets on, off or N (one event in N asks for an echo; default on)' })
    .option('figures', { type: 'boolean', default: true, describe: 'Render figures and report.html (--no-figures skips them)' })
    .option('figure-size', FIGURE_SIZE_OPTION)
    .option('titles', TITLES_OPTION)
    .option('max-freq-error-ppm', MAX_FREQ_ERROR_OPTION)
    .option('reference', REFERENCE_OPTION)
    .example('$0 run-local', 'the demo scenario (about a minute); report in results/<run_id>/report.html')
    .example('$0 run-local --scenario step --seed 3', 'the same faults as seed 3 of the step scenario (measurements differ run to run)')
    .example('$0 run-local --scenario lan --repeat 5', "judge the lan scenario's checks over five seeds")
    .example('$0 run-local --rate 5000 --echo 10', 'echo brackets for one event in 10')
    .epilog(HELP_EPILOG);
}

/** Drop undefined keys so scenario values stay in force where no flag was given. */
function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

interface RunLocalOptions {
  /** The --scenario argument as typed (for replay lines). */
  scenarioArg: string;
  scenario: Scenario;
  /** The scenario's file (null for the defaults). */
  file: string | null;
  /** The seed given with --seed, if any. */
  seed: number | undefined;
  repeat: number;
  resultsDir: string;
  logsDir: string;
  runId?: string;
  figures: boolean;
  /** --figure-size and --titles, passed to the figures. */
  figureStyle: FigureStyle;
  /** --max-freq-error-ppm, passed to the analysis. */
  maxFreqErrorPpm: number;
  logLevel: Level;
  commandLine: string[];
  /** --recv-stamp for every worker (default auto). */
  recvStamp?: RecvStampMode;
  /** --reference for the analysis (echo brackets' frame). */
  reference?: string;
}

function parse(a: ArgsOf<typeof builder>): RunLocalOptions {
  validateRunLocalOptions(a);
  const overrides = stripUndefined({
    seed: a.seed === undefined ? undefined : positive('seed', a.seed, { integer: true, allowZero: true }),
    workers: a.workers === undefined ? undefined : positive('workers', a.workers, { integer: true }),
    rate: a.rate === undefined ? undefined : positive('rate', a.rate),
    schedule: a.schedule,
    duration_s: a['duration-s'] === undefined ? undefined : positive('duration-s', a['duration-s']),
    count: a.count === undefined ? undefined : positive('count', a.count, { integer: true }),
    sources: a.sources === undefined ? undefined : parseSourceList(a.sources),
    poll_ms: a['poll-ms'] === undefined ? undefined : positive('poll-ms', a['poll-ms']),
    warmup_max_s: a['warmup-max-s'] === undefined ? undefined : positive('warmup-max-s', a['warmup-max-s']),
    commit_wait_s:
      a['commit-wait-s'] === undefined
        ? undefined
        : parseNumberList('commit-wait-s', a['commit-wait-s'], SECONDS_LIST).map((x) => positive('commit-wait-s', x)),
    clock_faults: a['clock-faults'] === undefined ? undefined : parseSpecArg(a['clock-faults'], 'clock-faults'),
    faults: a.faults === undefined ? undefined : parseSpecArg(a.faults, 'faults'),
    event_faults: a['event-faults'] === undefined ? undefined : parseSpecArg(a['event-faults'], 'event-faults'),
    echo: a.echo === undefined ? undefined : parseEchoMode(a.echo),
  });
  const { scenario, file } = loadScenario(a.scenario, overrides);
  // Known before the run: the analysis would refuse a reference the coordinator does not stamp.
  if (a.reference !== 'system' && !scenario.sources.includes(a.reference))
    throw new UsageError(
      `--reference ${JSON.stringify(a.reference)}: the coordinator will not stamp that source (this run's sources: ${scenario.sources.join(', ')}); use --reference system or an interval source among them, e.g. bounded`,
    );
  return {
    scenarioArg: a.scenario,
    scenario,
    file,
    seed: overrides.seed,
    repeat: positive('repeat', a.repeat, { integer: true }),
    resultsDir: a['results-dir'],
    logsDir: a['logs-dir'],
    runId: a['run-id'] === undefined ? undefined : resolveRunId(a['run-id']),
    figures: a.figures,
    figureStyle: figureStyleOf(a),
    maxFreqErrorPpm: maxFreqErrorPpm(a['max-freq-error-ppm']),
    logLevel: a['log-level'],
    commandLine: process.argv.slice(1),
    recvStamp: a['recv-stamp'],
    reference: a.reference,
  };
}

/**
 * Exit 0 all checks hold, 1 a check failed, 4 a check could not be judged, 7 a process of the
 * run failed, 128 + n when signal n (SIGINT 130, SIGTERM 143, SIGHUP 129) stopped the run: every
 * child is stopped first and what was recorded is analysed.
 */
async function run(o: RunLocalOptions): Promise<number> {
  if (o.repeat > 1) return repeat(o);
  const runId = o.runId ?? newRunId();
  const logger = makeLogger('run-local', o.logsDir, runId, o.logLevel);
  try {
    const { exitCode, runDir } = await oneRun(o, o.scenario.seed, runId, logger, o.figures, true);
    logger.info(`results: ${runDir}/ (stats.json${o.figures ? ', figures/, report.html' : ''}); logs: ${path.join(o.logsDir, runId)}/`);
    return exitCode;
  } finally {
    await logger.close();
  }
}

export const handler = runCommand({ parse, run });

/** Run, analyse, judge one seed; writes checks.json beside stats.json. */
async function oneRun(
  o: RunLocalOptions,
  seed: number,
  runId: string,
  logger: Logger,
  figures: boolean,
  verbose: boolean,
): Promise<{ exitCode: number; runDir: string; stats: unknown }> {
  const { scenario, file } = o;
  const { runLocal } = await import('../scenario/run-local.js');
  const res = await runLocal({
    plan: planScenario(scenario, seed),
    scenarioFile: file,
    resultsDir: o.resultsDir,
    logsDir: o.logsDir,
    runId,
    logger,
    commandLine: o.commandLine,
    verbose,
    recvStamp: o.recvStamp,
  });
  logger.info(`run finished${res.exitCode ? ' WITH ERRORS' : ''}; analysing ${res.runDir}`);
  let stats: Awaited<ReturnType<typeof analyzeRunDir>>;
  try {
    stats = await analyzeRunDir({
      runDir: res.runDir,
      format: 'native',
      windowsMs: [50, 100, 500, 1000],
      maxFreqErrorPpm: o.maxFreqErrorPpm,
      reference: o.reference,
      figures: false,
      quiet: !verbose,
    });
  } catch (e) {
    // A stop that came before the coordinator recorded anything (a process-group signal can reach it
    // while it loads) leaves nothing to analyse: the exit is still the signal's, not a failure.
    if (!res.interrupted) throw e;
    throw Object.assign(
      new Error(
        `run stopped by ${res.interrupted} before anything could be analysed (${(e as Error).message}); what was recorded is kept in ${res.runDir}`,
      ),
      { exitCode: signalExit(res.interrupted), cause: e },
    );
  }
  const results = evaluateChecks(scenario, stats);
  const shown = results.map((r) => ({
    ...r,
    measured_text: formatCheckValue(r.path, r.measured),
    threshold_text: formatCheckValue(r.path, r.threshold),
  }));
  await writeChecksFile(runDirPaths(res.runDir).checks, {
    scenario: scenario.name,
    seed,
    results: shown,
    exit_code: checksExitCode(results),
    expected_verdict: scenario.expected_verdict,
    note: negativeControlNote(scenario, results),
    replay: replayLine(replayArgs(typedArgs(o.commandLine), replayScenarioArg(o.scenarioArg, file)), seed),
  });
  // Figures and report after the checks, so the report shows them.
  if (figures) await renderReport(res.runDir, stats, undefined, o.figureStyle);
  if (results.length) {
    process.stdout.write(
      `\nChecks of scenario "${scenario.name}" (seed ${seed})${negativeControlHeader(scenario)}:\n${formatCheckResults(results)
        .map((l) => '  ' + l)
        .join('\n')}\n`,
    );
    const note = verbose ? negativeControlNote(scenario, results) : null; // --repeat says it once, after every seed
    if (note) process.stdout.write(`${note}\n`);
  }
  if (res.interrupted) {
    logger.error(`run stopped by ${res.interrupted}; the data recorded so far was analysed`);
    return { exitCode: signalExit(res.interrupted), runDir: res.runDir, stats };
  }
  if (res.exitCode !== 0) logger.error('a process of the run failed (see above); its data so far was analysed');
  return { exitCode: res.exitCode !== 0 ? EXIT.failed : checksExitCode(results), runDir: res.runDir, stats };
}

async function repeat(o: RunLocalOptions): Promise<number> {
  const { scenario, file } = o;
  const logger = makeLogger('run-local', o.logsDir, null, o.logLevel);
  let stoppedWith: number | null = null;
  const runDirs: string[] = [];
  const report = await repeatOverSeeds({
    scenario,
    k: o.repeat,
    firstSeed: o.seed,
    replayArgs: replayArgs(typedArgs(o.commandLine), replayScenarioArg(o.scenarioArg, file)),
    runOne: async (seed, i) => {
      // After a stop signal no further seed starts: each is reported as not run.
      if (stoppedWith !== null) throw new Error(`not run: the repeat was stopped (exit ${stoppedWith})`);
      logger.info(`seed ${seed} (${i + 1}/${o.repeat})`);
      let r: Awaited<ReturnType<typeof oneRun>>;
      try {
        r = await oneRun(o, seed, newRunId(), logger, false, false);
      } catch (e) {
        const code = (e as { exitCode?: unknown }).exitCode;
        if (typeof code === 'number' && code >= 128) stoppedWith = code;
        throw e;
      }
      if (r.exitCode >= 128) stoppedWith = r.exitCode;
      runDirs.push(r.runDir);
      return r.stats;
    },
    onRun: (r) => logger.info(`seed ${r.seed}: ${r.error ? `run failed: ${r.error}` : checksVerdictText(r.exitCode)}`),
  });
  const lines = report.checks.map(
    (c) =>
      `${c.name.padEnd(28)} worst ${c.worst ?? '—'} (seed ${c.worstSeed ?? '—'}${c.worstAt ? `, ${c.worstAt}` : ''}) ${c.op} ${c.threshold}: pass ${c.verdicts.pass}, fail ${c.verdicts.fail}, unknown ${c.verdicts.unknown}`,
  );
  process.stdout.write(
    `\nScenario "${scenario.name}" over ${report.seeds.length} seeds (${report.seeds.join(', ')})${negativeControlHeader(scenario)}:\n${lines.map((l) => '  ' + l).join('\n')}\n`,
  );
  const note = negativeControlNote(
    scenario,
    report.checks.map((c) => ({ name: c.name, verdict: c.verdicts.fail ? 'fail' : c.verdicts.unknown ? 'unknown' : 'pass' })),
  );
  if (note) process.stdout.write(`${note}\n`);
  if (report.replay.length) process.stdout.write(`Replay a failing seed with:\n${report.replay.map((l) => '  ' + l).join('\n')}\n`);
  await compareSeeds(runDirs, logger, o.figures);
  await logger.close();
  return stoppedWith ?? report.exitCode;
}

/**
 * The seeds side by side with 95 % intervals (the compare command's output), into compare/<timestamp>/
 * beside the results directory. A failure here is reported and leaves the checks' exit code alone.
 */
async function compareSeeds(runDirs: string[], logger: Logger, figures: boolean): Promise<void> {
  if (runDirs.length === 0) return;
  try {
    const { plainOutDir } = await import('../../analysis/compare/inputs.js');
    const { compareWithTable } = await import('./compare.js');
    const outDir = plainOutDir(runDirs);
    const r = await compareWithTable({ runDirs, outDir, logger, figures });
    logger.info(`compare of the ${runDirs.length} seeds: ${r.page}`);
  } catch (e) {
    logger.warn(`the seeds could not be compared: ${(e as Error).message}`);
  }
}

/** The words typed after the program, without the command name (commandLine is argv from the script on). */
function typedArgs(commandLine: readonly string[]): string[] {
  const words = commandLine.slice(1);
  const at = words.indexOf('run-local');
  return at < 0 ? words : [...words.slice(0, at), ...words.slice(at + 1)];
}
