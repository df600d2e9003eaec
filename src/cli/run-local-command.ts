import os from 'node:os';
import path from 'node:path';
import { runLocal } from '../scenario/run-local.js';
import { makeLogger } from './options.js';
import { newRunId } from '../files/run-id.js';
import { analyzeCommand, renderReport } from './analyze-command.js';
import { writeChecksFile } from '../files/checks-file.js';
import { runDirPaths } from '../files/paths.js';
import type { Level, Logger } from './logger.js';
import type { RecvStampMode } from '../net/stamped-socket.js';
import {
  checksExitCode, evaluateChecks, formatCheckResults, formatCheckValue, loadScenario, planScenario, repeatOverSeeds,
  type Scenario, type ScenarioOverrides,
} from '../scenario/index.js';
import { replayArgs, replayLine, replayScenarioArg } from '../scenario/repeat.js';
import { negativeControlHeader, negativeControlNote } from '../scenario/negative-control.js';

export interface RunLocalCommandOptions {
  scenario: string;
  overrides: ScenarioOverrides;
  repeat: number;
  resultsDir: string;
  logsDir: string;
  runId?: string;
  figures: boolean;
  logLevel: Level;
  commandLine: string[];
  /** --recv-stamp for every worker (default auto). */
  recvStamp?: RecvStampMode;
}

/**
 * `chronoeval run-local`: run a scenario on loopback, analyse it, judge its checks.
 * Exit: 0 all checks hold, 1 a check failed (or a process failed), 2 a check could not be judged,
 * 128 + n when signal n (SIGINT 130, SIGTERM 143, SIGHUP 129) stopped the run: every child is stopped first.
 */
export async function runLocalCommand(o: RunLocalCommandOptions): Promise<number> {
  const { scenario, file } = loadScenario(o.scenario, o.overrides);
  if (o.repeat > 1) return repeat(o, scenario, file);
  const runId = o.runId ?? newRunId();
  const logger = makeLogger('run-local', o.logsDir, runId, o.logLevel);
  try {
    const { exitCode, runDir } = await oneRun(o, scenario, file, scenario.seed, runId, logger, o.figures, true);
    logger.info(`results: ${runDir}/ (stats.json${o.figures ? ', figures/, report.html' : ''}); logs: ${path.join(o.logsDir, runId)}/`);
    return exitCode;
  } finally {
    await logger.close();
  }
}

/** Run, analyse, judge one seed; writes checks.json beside stats.json. */
async function oneRun(o: RunLocalCommandOptions, scenario: Scenario, file: string | null, seed: number, runId: string, logger: Logger, figures: boolean, verbose: boolean):
  Promise<{ exitCode: number; runDir: string; stats: unknown }> {
  const res = await runLocal({
    plan: planScenario(scenario, seed), scenarioFile: file, resultsDir: o.resultsDir, logsDir: o.logsDir, runId, logger,
    commandLine: o.commandLine, verbose, recvStamp: o.recvStamp,
  });
  logger.info(`run finished${res.exitCode ? ' WITH ERRORS' : ''}; analysing ${res.runDir}`);
  const stats = await analyzeCommand({ runDir: res.runDir, format: 'native', windowsMs: [50, 100, 500, 1000], figures: false, quiet: !verbose });
  const results = evaluateChecks(scenario, stats);
  const shown = results.map((r) => ({ ...r, measured_text: formatCheckValue(r.path, r.measured), threshold_text: formatCheckValue(r.path, r.threshold) }));
  await writeChecksFile(runDirPaths(res.runDir).checks, {
    scenario: scenario.name, seed, results: shown, exit_code: checksExitCode(results),
    expected_verdict: scenario.expected_verdict, note: negativeControlNote(scenario, results),
    replay: replayLine(replayArgs(typedArgs(o.commandLine), replayScenarioArg(o.scenario, file)), seed),
  });
  // Figures and report after the checks, so the report shows them.
  if (figures) await renderReport(res.runDir, stats);
  if (results.length) {
    process.stdout.write(`\nChecks of scenario "${scenario.name}" (seed ${seed})${negativeControlHeader(scenario)}:\n${formatCheckResults(results).map((l) => '  ' + l).join('\n')}\n`);
    const note = verbose ? negativeControlNote(scenario, results) : null; // --repeat says it once, after every seed
    if (note) process.stdout.write(`${note}\n`);
  }
  const checks = checksExitCode(results);
  if (res.interrupted) {
    logger.error(`run stopped by ${res.interrupted}; the data recorded so far was analysed`);
    return { exitCode: 128 + (os.constants.signals[res.interrupted] ?? 0), runDir: res.runDir, stats };
  }
  if (res.exitCode !== 0) logger.error('a process of the run failed (see above); its data so far was analysed');
  return { exitCode: res.exitCode !== 0 ? 1 : checks, runDir: res.runDir, stats };
}

async function repeat(o: RunLocalCommandOptions, scenario: Scenario, file: string | null): Promise<number> {
  const logger = makeLogger('run-local', o.logsDir, null, o.logLevel);
  let stoppedWith: number | null = null;
  const report = await repeatOverSeeds({
    scenario, k: o.repeat, firstSeed: o.overrides.seed, replayArgs: replayArgs(typedArgs(o.commandLine), replayScenarioArg(o.scenario, file)),
    runOne: async (seed, i) => {
      // After a stop signal no further seed starts: each is reported as not run.
      if (stoppedWith !== null) throw new Error(`not run: the repeat was stopped (exit ${stoppedWith})`);
      logger.info(`seed ${seed} (${i + 1}/${o.repeat})`);
      const r = await oneRun(o, scenario, file, seed, newRunId(), logger, false, false);
      if (r.exitCode >= 128) stoppedWith = r.exitCode;
      return r.stats;
    },
    onRun: (r) => logger.info(`seed ${r.seed}: ${r.error ? `run failed: ${r.error}` : ['all checks hold', 'a check FAILED', 'a check could not be judged'][r.exitCode]}`),
  });
  const lines = report.checks.map((c) => `${c.name.padEnd(28)} worst ${c.worst ?? '—'} (seed ${c.worstSeed ?? '—'}${c.worstAt ? `, ${c.worstAt}` : ''}) ${c.op} ${c.threshold}: pass ${c.verdicts.pass}, fail ${c.verdicts.fail}, unknown ${c.verdicts.unknown}`);
  process.stdout.write(`\nScenario "${scenario.name}" over ${report.seeds.length} seeds (${report.seeds.join(', ')})${negativeControlHeader(scenario)}:\n${lines.map((l) => '  ' + l).join('\n')}\n`);
  const note = negativeControlNote(scenario, report.checks.map((c) => ({ name: c.name, verdict: c.verdicts.fail ? 'fail' : c.verdicts.unknown ? 'unknown' : 'pass' })));
  if (note) process.stdout.write(`${note}\n`);
  if (report.replay.length) process.stdout.write(`Replay a failing seed with:\n${report.replay.map((l) => '  ' + l).join('\n')}\n`);
  await logger.close();
  return stoppedWith ?? report.exitCode;
}

/** The words typed after the program, without the command name (commandLine is argv from the script on). */
function typedArgs(commandLine: readonly string[]): string[] {
  const words = commandLine.slice(1);
  const at = words.indexOf('run-local');
  return at < 0 ? words : [...words.slice(0, at), ...words.slice(at + 1)];
}
