// Bounded-source coverage in every built-in scenario, on real parts in one process: each
// scenario's NTP servers (the project's SNTP server with the scenario's network/server faults,
// real UDP on 127.0.0.1), each worker's FaultyClock, NtpSource and BoundedSource, and readings at
// the scenario's event rate once the source is ready (or the scenario's maximum warmup passed),
// as the worker takes them. All scenarios run concurrently and are cut at RUN_CAP_S so the test
// stays short; the step (14 s) and the wander fall inside it. The measured table is printed; the
// numbers in docs come from real runs, not from here.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HostClock } from '../../src/clock/host-clock.js';
import { FaultyClock } from '../../src/sim/faulty-clock.js';
import { isPerfectClock } from '../../src/sim/clock-faults.js';
import { NtpSource } from '../../src/clock/sources/ntp.js';
import { BoundedSource } from '../../src/clock/sources/bounded.js';
import { startNtpServer, type NtpServerHandle } from '../../src/ntp-server/index.js';
import { NtpFaultBehaviour } from '../../src/sim/ntp-faults.js';
import { builtinScenarioNames, loadScenario } from '../../src/scenario/load.js';
import { planScenario, type LocalRunPlan } from '../../src/scenario/plan.js';
import type { LocalClock } from '../../src/clock/types.js';

const RUN_CAP_S = Number(process.env.SCENARIO_CAP_S ?? 24);
const host = new HostClock();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface NodeResult {
  scenario: string;
  node: string;
  readings: number;
  withValue: number;
  covered: number;
  degraded: number;
  medianHalfWidthUs: number | null;
  readyAfterS: number | null;
  steps: unknown;
}

async function runScenario(plan: LocalRunPlan, t0: bigint, label: string, tuning: Record<string, number> = {}): Promise<NodeResult[]> {
  const servers = new Map<string, NtpServerHandle>();
  for (const sp of plan.servers) {
    const clock: LocalClock = isPerfectClock(sp.clockFaults) ? host : new FaultyClock(sp.clockFaults, { host, startTrueNs: t0 });
    servers.set(sp.name, await startNtpServer({ host: '127.0.0.1', port: 0, clock, behaviour: new NtpFaultBehaviour(sp.faults) }));
  }
  const s = plan.scenario;
  const endMs = Date.now() + RUN_CAP_S * 1000;
  try {
    return await Promise.all(
      plan.workers.map(async (w) => {
        const clock = new FaultyClock(w.clockFaults, { host, startTrueNs: t0 });
        const ntp = new NtpSource({
          servers: w.ntpServers.map((n) => `127.0.0.1:${servers.get(n)!.port}`),
          clock,
          pollMs: w.pollMs,
          burst: 4,
          timeoutMs: 500,
        });
        const src = new BoundedSource({ ntp, clock, ...tuning });
        const res: NodeResult = {
          scenario: label,
          node: w.node,
          readings: 0,
          withValue: 0,
          covered: 0,
          degraded: 0,
          medianHalfWidthUs: null,
          readyAfterS: null,
          steps: 0,
        };
        const hws: number[] = [];
        await ntp.start();
        await src.start();
        try {
          const started = Date.now();
          while (!src.readiness().ready && Date.now() - started < w.warmupMaxS * 1000) await sleep(100);
          if (src.readiness().ready) res.readyAfterS = (Date.now() - started) / 1000;
          const stop = Math.min(endMs, Date.now() + (s.duration_s ?? 20) * 1000);
          // At most 50 readings/s per worker: eleven scenarios share this process, and the 500 ev/s
          // ones would otherwise load it far beyond what each scenario's own run does.
          const gapMs = Math.max(1000 / s.rate, 20);
          while (Date.now() < stop) {
            // As the worker does: the local clock at a monotonic instant, and the source read for it.
            const mono = process.hrtime.bigint();
            const local = clock.atMonoNs(mono);
            const truth = clock.lastTrueNs;
            const r = src.read(local, mono);
            res.readings++;
            if (r.status === 'degraded') res.degraded++;
            if (r.lo_ns !== null && r.hi_ns !== null) {
              res.withValue++;
              if (r.lo_ns <= truth && truth <= r.hi_ns) res.covered++;
              hws.push(Number(r.hi_ns - r.lo_ns) / 2);
            }
            await sleep(gapMs);
          }
          res.steps = src.summary().steps_detected;
        } finally {
          await src.stop();
          await ntp.stop();
        }
        hws.sort((a, b) => a - b);
        res.medianHalfWidthUs = hws.length ? Math.round(hws[Math.floor(hws.length / 2)]! / 100) / 10 : null;
        return res;
      }),
    );
  } finally {
    for (const h of servers.values()) await h.close();
  }
}

const results = new Map<string, NodeResult[]>();
const WANDER_PRIOR = 'wander+prior';

before(async () => {
  const t0 = host.nowNs();
  const names = builtinScenarioNames();
  const runs = names.map((n) => runScenario(planScenario(loadScenario(n).scenario), t0, n));
  // The wander scenario again, with the prior wander term a user would set for such a clock
  // (60 ppm/√s → about 35 µs·s^-1.5 per sigma; 100 µs·s^-1.5 is ~3 sigma).
  if (names.includes('wander'))
    runs.push(runScenario(planScenario(loadScenario('wander').scenario), t0, WANDER_PRIOR, { wanderPriorNsPerS15: 100_000 }));
  const all = await Promise.all(runs);
  [...names, ...(names.includes('wander') ? [WANDER_PRIOR] : [])].forEach((n, i) => results.set(n, all[i]!));
  const lines = ['scenario      node  readings  value   coverage    degraded  median-hw-µs  ready-s  steps'];
  for (const rs of all) {
    for (const r of rs) {
      lines.push(
        `${r.scenario.padEnd(13)} ${r.node.padEnd(5)} ${String(r.readings).padStart(8)} ${String(r.withValue).padStart(6)} ` +
          `${(r.withValue ? ((100 * r.covered) / r.withValue).toFixed(3) + ' %' : 'n/a').padStart(10)} ${String(r.degraded).padStart(10)} ` +
          `${String(r.medianHalfWidthUs).padStart(13)} ${String(r.readyAfterS).padStart(8)} ${String(r.steps).padStart(6)}`,
      );
    }
  }
  process.stderr.write(lines.join('\n') + '\n');
});

const share = (r: NodeResult): number => r.covered / r.withValue;

for (const name of [...builtinScenarioNames(), WANDER_PRIOR]) {
  test(`bounded coverage in scenario "${name}"`, () => {
    const rs = results.get(name);
    assert.ok(rs, `scenario ${name} ran`);
    for (const r of rs) {
      // Withholding values must not buy coverage: nearly every reading after warmup has one.
      assert.ok(r.withValue >= r.readings * 0.95, `${name}/${r.node}: only ${r.withValue}/${r.readings} readings have a value`);
      if (name === 'falseticker' && r.node === 'w3') {
        // w3 polls only the liar: nothing on its side can reveal the lie (the scenario's negative control).
        assert.ok(share(r) < 0.5, `${name}/w3 should follow the liar, coverage ${share(r)}`);
        continue;
      }
      if (name === 'wander') {
        // Negative control with default tuning: the learnt and initial wander terms cover most of a
        // 60 ppm/√s random walk between 3 s polls, but an excursion larger than any seen before can
        // escape (a full run measured 96 %). Printed, not asserted; with a prior (below) it must hold.
        continue;
      }
      assert.ok(share(r) >= 0.999, `${name}/${r.node}: coverage ${(100 * share(r)).toFixed(3)} % < 99.9 %`);
    }
  });
}
