import { checksExitCode, evaluateChecks, type CheckResult, type ChecksExitCode, type Verdict } from './checks.js';
import { parseThreshold } from './stats-path.js';
import type { CheckOp, Scenario } from './types.js';
import path from 'node:path';
import { shQuote } from '../deploy/shell-quote.js';
import { SCENARIO_DIR } from '../files/paths.js';
import { EXIT } from '../cli/exit-codes.js';

export interface RepeatOptions {
  scenario: Scenario;
  /** Number of seeds to run (≥ 1). */
  k: number;
  /** Seeds are firstSeed, firstSeed+1, ... (default the scenario's seed). */
  firstSeed?: number;
  /** Run one seed and return its parsed stats.json (or null when the run produced none). */
  runOne: (seed: number, index: number) => Promise<unknown>;
  /** Called after each seed (progress output). */
  onRun?: (run: RepeatRun) => void;
  /** Replay command prefix (default "chronoeval run-local" + replayArgs). */
  replayCommand?: string;
  /**
   * The run-local arguments a replay repeats, --seed excluded (default `--scenario <name>`).
   * A scenario given as a file must be replayed from that file: see replayArgs().
   */
  replayArgs?: string[];
}

export interface RepeatRun {
  seed: number;
  results: CheckResult[];
  exitCode: ChecksExitCode;
  /** The run itself failed (threw or returned no stats): every check is unknown. */
  error: string | null;
}

export interface RepeatCheckSummary {
  name: string;
  op: CheckOp;
  threshold: number;
  /** Worst measured value over the seeds that measured it, and the seed it came from. */
  worst: number | null;
  worstSeed: number | null;
  /** Where the worst value sat in that seed's stats.json (e.g. "node=w2"), null when the path matched one number. */
  worstAt: string | null;
  verdicts: Record<Verdict, number>;
  failingSeeds: number[];
  unknownSeeds: number[];
}

export interface RepeatReport {
  scenario: string;
  seeds: number[];
  runs: RepeatRun[];
  checks: RepeatCheckSummary[];
  exitCode: ChecksExitCode;
  /** One replay command per seed that failed or could not be judged. */
  replay: string[];
}

const isWorse = (op: CheckOp, a: number, b: number, t: number): boolean =>
  op === '<=' || op === '<' ? a > b : op === '>=' || op === '>' ? a < b : Math.abs(a - t) > Math.abs(b - t);

/**
 * Run a scenario over K seeds, one after another (runs on one machine must not overlap), and
 * summarise each check's worst case and the seeds to replay. Exit code: 1 if any seed failed a
 * check, else 2 if any check could not be judged in some seed, else 0.
 */
export async function repeatOverSeeds(opts: RepeatOptions): Promise<RepeatReport> {
  if (!Number.isSafeInteger(opts.k) || opts.k < 1) throw new Error(`--repeat must be an integer ≥ 1, got ${opts.k}`);
  const first = opts.firstSeed ?? opts.scenario.seed;
  const seeds = Array.from({ length: opts.k }, (_, i) => (first + i) >>> 0);
  const runs: RepeatRun[] = [];
  for (const [i, seed] of seeds.entries()) {
    let run: RepeatRun;
    try {
      const stats = await opts.runOne(seed, i);
      if (stats === null || stats === undefined) throw new Error('the run produced no stats.json');
      const results = evaluateChecks(opts.scenario, stats);
      run = { seed, results, exitCode: checksExitCode(results), error: null };
    } catch (e) {
      const results: CheckResult[] = opts.scenario.checks.map((c) => ({
        name: c.name,
        path: c.path,
        op: c.op,
        threshold: parseThreshold(c.threshold),
        measured: null,
        matched: 0,
        worst_at: null,
        verdict: 'unknown',
        detail: `run failed: ${(e as Error).message}`,
      }));
      run = { seed, results, exitCode: EXIT.unjudged, error: (e as Error).message };
    }
    runs.push(run);
    opts.onRun?.(run);
  }
  const checks: RepeatCheckSummary[] = opts.scenario.checks.map((c, ci) => {
    const threshold = parseThreshold(c.threshold);
    const s: RepeatCheckSummary = {
      name: c.name,
      op: c.op,
      threshold,
      worst: null,
      worstSeed: null,
      worstAt: null,
      verdicts: { pass: 0, fail: 0, unknown: 0 },
      failingSeeds: [],
      unknownSeeds: [],
    };
    for (const r of runs) {
      const res = r.results[ci]!;
      s.verdicts[res.verdict]++;
      if (res.verdict === 'fail') s.failingSeeds.push(r.seed);
      if (res.verdict === 'unknown') s.unknownSeeds.push(r.seed);
      if (res.measured !== null && (s.worst === null || isWorse(c.op, res.measured, s.worst, threshold))) {
        s.worst = res.measured;
        s.worstSeed = r.seed;
        s.worstAt = res.worst_at;
      }
    }
    return s;
  });
  const exitCode = runs.some((r) => r.exitCode === EXIT.checkFailed)
    ? EXIT.checkFailed
    : runs.some((r) => r.exitCode === EXIT.unjudged)
      ? EXIT.unjudged
      : EXIT.ok;
  const args = opts.replayArgs ?? ['--scenario', opts.scenario.name];
  const replay = runs
    .filter((r) => r.exitCode !== 0)
    .map((r) => (opts.replayCommand ? `${opts.replayCommand} --seed ${r.seed}` : replayLine(args, r.seed)));
  return { scenario: opts.scenario.name, seeds, runs, checks, exitCode, replay };
}

/** Flags of `run-local` that a per-seed replay must not repeat (it names one seed, runs once). */
const NOT_REPLAYED = new Set(['--scenario', '--repeat', '--seed', '--run-id']);

/**
 * The arguments that replay one seed of `chronoeval run-local ARGS`: the scenario as given to the
 * loader (a built-in name, or the file's path — a file's scenario name is not a built-in), then
 * every other flag as typed, minus --repeat, --seed and --run-id. `args` are the words after
 * `run-local` (every flag here takes a value, as the next word or after '=').
 */
export function replayArgs(args: readonly string[], scenarioArg: string): string[] {
  const out = ['--scenario', scenarioArg];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const flag = a.startsWith('--') ? a.split('=')[0]! : null;
    if (flag !== null && NOT_REPLAYED.has(flag)) {
      if (!a.includes('=')) i++; // its value
      continue;
    }
    out.push(a);
  }
  return out;
}

/** How a replay names the scenario: its built-in name, or the path of the file it came from (`file` is absolute). */
export function replayScenarioArg(given: string, file: string | null, builtinDir = SCENARIO_DIR): string {
  if (file === null) return given;
  return path.dirname(file) === path.resolve(builtinDir) ? path.basename(file, '.json') : file;
}

/** The command that replays one seed: `chronoeval run-local ARGS --seed N`, shell-quoted. */
export function replayLine(args: readonly string[], seed: number): string {
  return `chronoeval run-local ${shellWords([...args, '--seed', String(seed)])}`;
}

function shellWords(words: readonly string[]): string {
  return words
    .map((w) => {
      try {
        return shQuote(w);
      } catch {
        return JSON.stringify(w);
      }
    })
    .join(' ');
}
