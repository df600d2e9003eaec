import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpDir } from '../support/helpers.js';
import {
  builtinScenarioNames,
  loadScenario,
  planScenario,
  defaultScenario,
  scenarioManifest,
  expectedRunSeconds,
  ScenarioError,
  coordinatorArgs,
  coordinatorSchedule,
  resolveScenario,
} from '../../src/scenario/index.js';
import { dueTimesNs } from '../../src/coordinator/schedule.js';
import { FaultyClock } from '../../src/sim/faulty-clock.js';
import { toJson } from '../../src/files/atomic-json.js';
import type { LocalClock } from '../../src/clock/types.js';

const REQUIRED = ['lan', 'wan-ntp', 'drift', 'step', 'falseticker', 'lossy', 'demo', 'step-backlog', 'asym-step', 'short-poll'];

test('every built-in scenario loads, validates, and is short enough for tests', () => {
  const names = builtinScenarioNames();
  for (const n of REQUIRED) assert.ok(names.includes(n), `built-in ${n} missing (have ${names.join(', ')})`);
  for (const n of names) {
    const { scenario, file } = loadScenario(n);
    assert.equal(scenario.name, n, `${file}: name matches the file name`);
    assert.ok(scenario.description.length > 40, `${n} says what it models`);
    assert.ok(scenario.checks.length > 0, `${n} has checks`);
    assert.ok(expectedRunSeconds(scenario) + scenario.warmup_max_s <= 40, `${n} runs ≤ 40 s including warmup`);
  }
});

test('bounds: built-ins include scenarios expected to pass and negative controls expected to fail', () => {
  const verdicts = builtinScenarioNames().map((n) => loadScenario(n).scenario.expected_verdict);
  assert.ok(verdicts.includes('pass') && verdicts.includes('fail'));
  for (const n of ['lan', 'wan-ntp', 'drift', 'lossy', 'demo']) {
    const s = loadScenario(n).scenario;
    assert.equal(s.expected_verdict, 'pass');
    assert.ok(
      s.checks.some((c) => c.path.startsWith('bound_quality[source=bounded') && c.path.endsWith('coverage.share')),
      `${n} checks bounded coverage`,
    );
  }
});

test('the same scenario and seed give the same plan and the same realised clock faults', () => {
  const a = planScenario(loadScenario('demo').scenario, 5);
  const b = planScenario(loadScenario('demo').scenario, 5);
  const c = planScenario(loadScenario('demo').scenario, 6);
  assert.equal(toJson(a), toJson(b));
  assert.notEqual(toJson(a.workers.map((w) => w.clockFaults)), toJson(c.workers.map((w) => w.clockFaults)));
  // Realise w2's wandering clock twice from the plan: identical fault sequences.
  const realise = (plan: typeof a): string => {
    const host = {
      simulated: false,
      t: 10n ** 18n,
      nowNs() {
        return this.t;
      },
    } as LocalClock & { t: bigint };
    const clock = new FaultyClock(plan.workers[1]!.clockFaults, { host });
    const offsets: bigint[] = [];
    for (let i = 0; i < 300; i++) {
      host.t += 100_000_000n;
      offsets.push(clock.nowNs() - host.t);
    }
    return toJson({ offsets, realised: clock.realisedFaults() });
  };
  assert.equal(realise(a), realise(b));
  assert.notEqual(realise(a), realise(c));
});

test('plan: per-worker overrides, derived seeds, and only the servers in use', () => {
  const plan = planScenario(loadScenario('falseticker').scenario);
  assert.deepEqual(
    plan.workers.map((w) => w.node),
    ['w1', 'w2', 'w3'],
  );
  assert.deepEqual(
    plan.workers.map((w) => w.ntpServers),
    [['main'], ['main'], ['liar']],
  );
  assert.deepEqual(
    plan.servers.map((s) => s.name),
    ['main', 'liar'],
  );
  assert.equal(plan.servers[1]!.faults.falseticker_offset_ms, 30);
  assert.equal(typeof plan.servers[1]!.faults.seed, 'number');
  assert.notEqual(plan.workers[0]!.clockFaults.seed, plan.workers[1]!.clockFaults.seed);
  const step = planScenario(loadScenario('step').scenario);
  assert.deepEqual(step.workers[1]!.clockFaults.steps, [{ at_s: 14, step_ms: 25 }]);
  assert.equal(step.workers[0]!.clockFaults.steps, undefined);
  const m = scenarioManifest(step, '/x/step.json');
  assert.equal(m.seed, 1);
  assert.match(String(m.replay), /--scenario \/x\/step\.json --seed 1$/);
});

test('CLI overrides beat the file; duration and count exclude each other', () => {
  const s = loadScenario('lan', {
    workers: 5,
    rate: 20,
    seed: 9,
    count: 100,
    clock_faults: { drift_ppm: 40 },
    faults: { loss: 0.1 },
  }).scenario;
  assert.equal(s.workers, 5);
  assert.equal(s.rate, 20);
  assert.equal(s.seed, 9);
  assert.equal(s.count, 100);
  assert.equal(s.duration_s, null);
  assert.equal(s.worker_defaults.clock_faults.drift_ppm, 40);
  assert.equal(s.worker_defaults.clock_faults.offset_ms, 0.3, 'merged, not replaced');
  assert.equal(s.per_worker.w2!.clock_faults!.drift_ppm, -3, 'per-worker entries still win');
  assert.equal(s.servers.main!.faults.loss, 0.1);
  const w = loadScenario('wan-ntp', { faults: { loss: 0.2 } }).scenario;
  assert.equal(w.servers.main!.faults.loss, 0.2);
  assert.equal(w.servers.main!.faults.request_delay, 4, "--faults merges into the file's server faults");
  const d = defaultScenario({ duration_s: 5 });
  assert.equal(d.duration_s, 5);
  assert.equal(d.checks.length, 0);
});

test('source_options reach every process as --source-options', () => {
  const s = resolveScenario([
    { name: 'ct', sources: ['system', 'chronotick'], source_options: { chronotick: { path: '/tmp/seg', k: 2 } } },
  ]);
  const plan = planScenario(s);
  const c = coordinatorArgs(plan.coordinator, ['127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:3'], { main: '127.0.0.1:123' });
  assert.equal(c[c.indexOf('--source-options') + 1], '{"chronotick":{"path":"/tmp/seg","k":2}}');
  assert.deepEqual(plan.workers[0]!.sourceOptions, { chronotick: { path: '/tmp/seg', k: 2 } });
  assert.ok(
    !coordinatorArgs(planScenario(defaultScenario()).coordinator, ['a:1', 'a:2', 'a:3'], { main: 'a:3' }).includes('--source-options'),
  );
});

test('extends: a file overrides a built-in scenario', () => {
  const dir = tmpDir();
  const f = path.join(dir, 'my.json');
  writeFileSync(f, JSON.stringify({ name: 'my-lan', extends: 'lan', workers: 2, per_worker: {} }));
  const { scenario, chain } = loadScenario(f);
  assert.equal(scenario.name, 'my-lan');
  assert.equal(scenario.extends, 'lan');
  assert.equal(scenario.workers, 2);
  assert.deepEqual(Object.keys(scenario.per_worker), ['w2'], 'w3 of the base is cut by the lower worker count');
  assert.equal(scenario.checks.length, loadScenario('lan').scenario.checks.length);
  assert.equal(chain.length, 2);
});

test('bad scenarios: clear errors that name the file and the field', () => {
  const dir = tmpDir();
  const write = (name: string, body: unknown): string => {
    const f = path.join(dir, name);
    writeFileSync(f, typeof body === 'string' ? body : JSON.stringify(body));
    return f;
  };
  const cases: Array<[unknown, RegExp]> = [
    ['{ "name": "x", ', /not valid JSON/],
    [{ name: 'x', workers: 0 }, /workers: must be ≥ 1/],
    [{ name: 'x', wrkers: 3 }, /wrkers: unknown field/],
    [{ name: 'x', per_worker: { w9: {} } }, /per_worker\.w9: names worker w9 but the scenario has only 3/],
    [
      { name: 'x', per_worker: { w1: { clock_faults: { steps: [{ at_s: 'soon', step_ms: 1 }] } } } },
      /per_worker\.w1\.clock_faults\.steps\[0\]\.at_s: must be a finite number/,
    ],
    [{ name: 'x', worker_defaults: { ntp_servers: ['nope'] } }, /worker_defaults\.ntp_servers\[0\]: no server "nope"/],
    [{ name: 'x', checks: [{ name: 'c', path: 'a..b', op: '<=', threshold: 1 }] }, /checks\[0\]\.path: bad segment/],
    [{ name: 'x', checks: [{ name: 'c', path: 'a.b', op: '=<', threshold: 1 }] }, /checks\[0\]\.op: must be one of/],
    [
      { name: 'x', checks: [{ name: 'c', path: 'a.b', op: '<=', threshold: '5 parsecs' }] },
      /checks\[0\]\.threshold: cannot read "5 parsecs"/,
    ],
    [{ name: 'x', duration_s: 5, count: 10 }, /duration_s: set exactly one of duration_s and count/],
    [{ name: 'x', event_faults: { per_worker: { w7: { loss: 0.1 } } } }, /event_faults\.per_worker\.w7: names a worker beyond/],
    [{ name: 'x', servers: { main: { faults: { loss: 2 } } } }, /servers\.main\.faults\.loss: must be ≤ 1/],
    [{ name: 'x', schedule: 'sometimes' }, /schedule: must be one of jittered, poisson, fixed/],
    [{ name: 'x', schedule: 'poisson', pattern: [5, 50] }, /schedule: poisson draws its own gaps and takes no pattern/],
    [{ name: 'x', source_options: { chronotick: 3 } }, /source_options\.chronotick: must be an object of options/],
    [{ name: 'x', source_options: [] }, /source_options: must be an object keyed by source name/],
  ];
  cases.forEach(([body, re], i) => {
    const f = write(`bad${i}.json`, body);
    assert.throws(
      () => loadScenario(f),
      (e: unknown) => {
        assert.ok(e instanceof ScenarioError, String(e));
        assert.match(e.message, re);
        assert.ok(e.message.includes(f), `message names the file: ${e.message}`);
        return true;
      },
    );
  });
  assert.throws(() => loadScenario('no-such-scenario'), /no scenario "no-such-scenario": not a built-in \(.*lan.*\) and not a file/);
});

test("--workers 2 on a 3-worker scenario drops the third worker's entries; a typo in one file is still an error", () => {
  const s = loadScenario('lossy', { workers: 2 }).scenario;
  assert.deepEqual(Object.keys(s.per_worker), ['w2']);
  assert.equal(planScenario(s).workers.length, 2);
  const one = loadScenario('lan', { workers: 1 }).scenario;
  assert.deepEqual(one.per_worker, {});
});

test('per_worker clock faults merge field by field over worker_defaults (a per-worker step keeps the default drift)', () => {
  const s = resolveScenario([
    {
      name: 'merge',
      sources: ['system'],
      worker_defaults: { clock_faults: { offset_ms: 1, drift_ppm: 200, wander: { sd_ppm_per_sqrt_s: 1, interval_s: 0.5 } } },
      per_worker: {
        w2: { clock_faults: { steps: [{ at_s: 5, step_ms: 50 }], wander: { sd_ppm_per_sqrt_s: 2, max_abs_ppm: 10 } } },
        w3: { clock_faults: { offset_ms: -2 }, ntp_servers: ['main'] },
      },
    },
  ]);
  const plan = planScenario(s);
  const cf = plan.workers.map(({ clockFaults: { seed: _seed, ...rest } }) => rest);
  assert.deepEqual(cf[0], { offset_ms: 1, drift_ppm: 200, wander: { sd_ppm_per_sqrt_s: 1, interval_s: 0.5 } });
  assert.deepEqual(cf[1], {
    offset_ms: 1,
    drift_ppm: 200,
    wander: { sd_ppm_per_sqrt_s: 2, interval_s: 0.5, max_abs_ppm: 10 },
    steps: [{ at_s: 5, step_ms: 50 }],
  });
  assert.deepEqual(cf[2], { offset_ms: -2, drift_ppm: 200, wander: { sd_ppm_per_sqrt_s: 1, interval_s: 0.5 } });
  assert.equal(s.worker_defaults.clock_faults.steps, undefined, 'the defaults are not changed by the merge');
  // --clock-faults merges into the defaults; a per-worker field still wins
  const o = planScenario(
    resolveScenario([{ name: 'm', sources: ['system'], per_worker: { w2: { clock_faults: { steps: [{ at_s: 1, step_ms: 5 }] } } } }], {
      clock_faults: { drift_ppm: 40 },
    }),
  );
  assert.equal(o.workers[1]!.clockFaults.drift_ppm, 40);
  assert.deepEqual(o.workers[1]!.clockFaults.steps, [{ at_s: 1, step_ms: 5 }]);
});

test('schedule: jittered by default, seeded from the run seed, passed to the coordinator and recorded in the manifest', () => {
  const s = loadScenario('lan').scenario;
  assert.equal(s.schedule, 'jittered');
  const a = planScenario(s, 5);
  assert.equal(a.coordinator.schedule.kind, 'jittered');
  assert.equal(planScenario(s, 5).coordinator.schedule.seed, a.coordinator.schedule.seed, 'same seed, same schedule');
  assert.notEqual(planScenario(s, 6).coordinator.schedule.seed, a.coordinator.schedule.seed);
  const args = coordinatorArgs(a.coordinator, ['127.0.0.1:1'], { main: '127.0.0.1:2' });
  const at = args.indexOf('--schedule');
  assert.deepEqual(args.slice(at, at + 4), ['--schedule', 'jittered', '--schedule-seed', String(a.coordinator.schedule.seed)]);
  const due = [...dueTimesNs(coordinatorSchedule(a.coordinator))];
  assert.equal(due.length, 1000, '20 s at 50/s');
  assert.ok(
    due.some((t, k) => t !== k * 20e6),
    'not the fixed schedule',
  );
  assert.deepEqual(
    (scenarioManifest(a, null).planned_faults as { coordinator: { schedule: unknown } }).coordinator.schedule,
    a.coordinator.schedule,
  );
  assert.equal(loadScenario('lan', { schedule: 'fixed' }).scenario.schedule, 'fixed');
  assert.deepEqual(
    [...dueTimesNs(coordinatorSchedule(planScenario(loadScenario('lan', { schedule: 'fixed', count: 3 }).scenario).coordinator))],
    [0, 20e6, 40e6],
  );
});
