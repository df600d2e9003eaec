// A scenario end to end with real processes: the plan's arguments start a real ntp-server per
// planned server, real workers and a real coordinator on loopback; `chronoeval analyze` writes
// stats.json; the scenario's checks are judged on it. The falseticker must show in the stats.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, tmpDir } from '../helpers.js';
import { startRole, withTimeout, type RoleProcess } from '../../src/run/child.js';
import { newRunId } from '../../src/run/run-id.js';
import { writeNewKeyFile } from '../../src/run/key.js';
import {
  loadScenario, planScenario, withTruthAnchor, measureTruthAnchor, ntpServerArgs, workerArgs, coordinatorArgs,
  evaluateChecks, checksExitCode, formatCheckResults, type LocalRunPlan,
} from '../../src/scenario/index.js';

async function runPlan(plan: LocalRunPlan): Promise<{ runDir: string; stderr: string[] }> {
  const results = tmpDir('chronoeval-scn-results-');
  const logs = tmpDir('chronoeval-scn-logs-');
  const runId = newRunId();
  const keyFile = path.join(logs, 'run.key');
  await writeNewKeyFile(keyFile);
  const common = ['--run-id', runId, '--results-dir', results, '--logs-dir', logs];
  const procs: RoleProcess[] = [];
  const stderr: string[] = [];
  const start = (name: string, args: string[]): RoleProcess => {
    const p = startRole(name, args, { forwardStderr: false });
    p.child.stderr!.on('data', (d: Buffer) => stderr.push(`[${name}] ${d}`));
    procs.push(p);
    return p;
  };
  try {
    const servers: Record<string, string> = {};
    for (const s of plan.servers) {
      const p = start(`ntp-${s.name}`, ['ntp-server', '--bind', '127.0.0.1', '--port', '0', '--run-id', runId, '--logs-dir', logs, ...ntpServerArgs(s)]);
      servers[s.name] = `127.0.0.1:${await withTimeout(p.listening, 15_000, `ntp-server ${s.name}`)}`;
    }
    const workers = plan.workers.map((w) => start(w.node, ['worker', ...common, '--bind', '127.0.0.1', '--port', '0', '--key-file', keyFile, ...workerArgs(w, servers)]));
    const addrs: string[] = [];
    for (const w of workers) addrs.push(`127.0.0.1:${await withTimeout(w.listening, 15_000, w.name)}`);
    const coord = start('coordinator', ['coordinator', ...common, '--key-file', keyFile, ...coordinatorArgs(plan.coordinator, addrs, servers)]);
    const c = await withTimeout(coord.exited, 90_000, 'coordinator');
    assert.equal(c.code, 0, `coordinator exit\n${stderr.join('')}`);
    for (const w of workers) assert.equal((await withTimeout(w.exited, 30_000, w.name)).code, 0, `${w.name} exit\n${stderr.join('')}`);
    return { runDir: path.join(results, runId), stderr };
  } finally {
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
  }
}

test('falseticker scenario, real processes: the liar shows in stats.json and fails exactly the check it should', { timeout: 150_000 }, async (t) => {
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
  const summary = JSON.parse(readFileSync(path.join(runDir, 'workers', 'w3.summary.json'), 'utf8')) as { clock_faults: { seed: number } };
  assert.equal(summary.clock_faults.seed, plan.workers[2]!.clockFaults.seed);
});
