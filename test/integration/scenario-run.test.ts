// A scenario end to end with real processes: run-local's orchestration starts a real ntp-server per
// planned server, real workers and a real coordinator on loopback; `chronoeval analyze` writes
// stats.json; the scenario's checks are judged on it. The falseticker must show in the stats.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, tmpDir } from '../support/helpers.js';
import { runLocal } from '../../src/scenario/run-local.js';
import { Logger } from '../../src/cli/logger.js';
import { workerSummaryOf } from '../support/worker-summary.js';
import {
  loadScenario,
  planScenario,
  withTruthAnchor,
  measureTruthAnchor,
  evaluateChecks,
  checksExitCode,
  formatCheckResults,
  type LocalRunPlan,
} from '../../src/scenario/index.js';

/** One seed of a plan through the real run-local orchestration (real processes on loopback). */
async function runPlan(plan: LocalRunPlan): Promise<{ runDir: string }> {
  const r = await runLocal({
    plan,
    scenarioFile: null,
    resultsDir: tmpDir('chronoeval-scn-results-'),
    logsDir: tmpDir('chronoeval-scn-logs-'),
    logger: new Logger('scenario-run-test', null, 'error'),
    commandLine: [],
    verbose: false,
  });
  assert.equal(r.exitCode, 0, 'every process of the run exited 0');
  return { runDir: r.runDir };
}

test(
  'falseticker scenario, real processes: the liar shows in stats.json and fails exactly the check it should',
  { timeout: 150_000 },
  async (t) => {
    const { scenario } = loadScenario('falseticker', { duration_s: 8, rate: 25 });
    const plan = withTruthAnchor(planScenario(scenario), measureTruthAnchor());
    const { runDir } = await runPlan(plan);
    const an = await runCli(['analyze', runDir, '--no-figures'], { timeoutMs: 60_000 });
    assert.equal(an.code, 0, an.stderr);
    const stats = JSON.parse(readFileSync(path.join(runDir, 'stats.json'), 'utf8')) as Record<string, unknown>;
    const results = evaluateChecks(scenario, stats);
    const lines = formatCheckResults(results).join('\n');
    t.diagnostic(lines);
    const verdict = Object.fromEntries(results.map((r) => [r.name, r.verdict]));
    assert.equal(verdict['falseticker-visible'], 'pass', lines);
    assert.equal(verdict['honest-w1-ntp-error'], 'pass', lines);
    assert.equal(verdict['honest-w1-bounded-coverage'], 'pass', lines);
    assert.equal(verdict['w3-bounded-coverage'], 'fail', lines);
    assert.equal(checksExitCode(results), 1, 'the negative control exits 1, as its expected_verdict says');
    assert.equal(scenario.expected_verdict, 'fail');
    const w3 = results.find((r) => r.name === 'falseticker-visible')!;
    assert.ok(w3.measured! > 25e6 && w3.measured! < 35e6, `w3 NTP error ${w3.measured} ns ≈ 30 ms`);
    // Ground truth was recorded for every worker row (simulated run, shared truth anchor).
    assert.deepEqual(stats.truth, { send: true, recv: true });
    // Realised faults reached the worker summaries: w3's clock and seed as planned.
    const summary = workerSummaryOf(path.join(runDir, 'workers', 'w3.summary.json'));
    assert.equal((summary.clock_faults as { seed: number }).seed, plan.workers[2]!.clockFaults.seed);
  },
);
