import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FaultyClock } from '../../src/sim/faulty-clock.js';
import { ClockFaultModel, validateClockFaultSpec } from '../../src/sim/clock-faults.js';
import { toJson } from '../../src/files/atomic-json.js';
import type { LocalClock } from '../../src/clock/types.js';

/** A host clock we move by hand: true time under test control. */
class ManualClock implements LocalClock {
  readonly simulated = false;
  constructor(public t: bigint) {}
  nowNs(): bigint {
    return this.t;
  }
}

const T0 = 1_700_000_000_000_000_000n;
const S = 1_000_000_000n;

test('initial offset: local = true + offset, true time is the host clock', () => {
  const host = new ManualClock(T0);
  const c = new FaultyClock({ offset_ms: 5 }, { host });
  assert.equal(c.simulated, true);
  assert.equal(c.nowNs() - T0, 5_000_000n);
  assert.equal(c.lastTrueNs, T0);
  host.t = T0 + 7n * S;
  assert.equal(c.trueNowNs(), T0 + 7n * S);
  assert.equal(c.nowNs() - c.trueNowNs(), 5_000_000n);
});

test('a drift of 50 ppm makes the error grow by 50 µs per second', () => {
  const host = new ManualClock(T0);
  const c = new FaultyClock({ drift_ppm: 50 }, { host });
  const errs: bigint[] = [];
  for (let s = 0n; s <= 10n; s++) {
    host.t = T0 + s * S;
    errs.push(c.nowNs() - host.t);
  }
  assert.equal(errs[0], 0n);
  assert.equal(errs[1], 50_000n);
  assert.equal(errs[10], 500_000n);
  for (let i = 1; i < errs.length; i++) assert.ok(errs[i]! > errs[i - 1]!, 'error grows monotonically');
});

test('steps apply at their true time and are recorded as realised', () => {
  const host = new ManualClock(T0);
  const c = new FaultyClock(
    {
      offset_ms: 1,
      steps: [
        { at_s: 10, step_ms: 25 },
        { at_s: 4, step_ms: -2 },
      ],
    },
    { host },
  );
  host.t = T0 + 3n * S;
  assert.equal(c.nowNs() - host.t, 1_000_000n);
  let r = c.realisedFaults();
  assert.deepEqual(
    r.steps.map((s) => [s.at_s, s.applied]),
    [
      [4, false],
      [10, false],
    ],
  );
  host.t = T0 + 4n * S;
  assert.equal(c.nowNs() - host.t, -1_000_000n, 'step of -2 ms at exactly 4 s');
  host.t = T0 + 10n * S - 1n;
  assert.equal(c.nowNs() - host.t, -1_000_000n);
  host.t = T0 + 10n * S;
  assert.equal(c.nowNs() - host.t, 24_000_000n);
  r = c.realisedFaults();
  assert.deepEqual(
    r.steps.map((s) => [s.at_true_ns, s.step_ns, s.applied]),
    [
      [T0 + 4n * S, -2_000_000, true],
      [T0 + 10n * S, 25_000_000, true],
    ],
  );
  assert.equal(r.offset_now_ns, 24_000_000);
  // Querying an earlier instant again (e.g. offsetNs of a past stamp) still answers correctly.
  assert.equal(c.offsetNs(T0 + 5n * S), -1_000_000n);
  assert.equal(c.offsetNs(T0 + 11n * S), 24_000_000n);
});

test('wander: same seed gives the same sequence, another seed a different one', () => {
  const spec = { wander: { sd_ppm_per_sqrt_s: 5, interval_s: 0.5 } };
  const run = (seed: number): bigint[] => {
    const host = new ManualClock(T0);
    const c = new FaultyClock(spec, { host, seed });
    const out: bigint[] = [];
    for (let ms = 0n; ms <= 600_000n; ms += 1_500n) {
      host.t = T0 + ms * 1_000_000n;
      out.push(c.nowNs() - host.t);
    }
    return out;
  };
  const a = run(42);
  assert.deepEqual(run(42), a);
  assert.notDeepEqual(run(43), a);
  assert.ok(
    a.some((x) => x !== 0n),
    'wander moves the clock',
  );
  // The realised knots (for the manifest) are identical for equal seeds, byte for byte.
  const realise = (seed: number): string => {
    const host = new ManualClock(T0);
    const c = new FaultyClock({ ...spec, steps: [{ at_s: 3, step_ms: 1 }] }, { host, seed });
    host.t = T0 + 20n * S;
    c.nowNs();
    return toJson(c.realisedFaults());
  };
  assert.equal(realise(9), realise(9));
  assert.notEqual(realise(9), realise(10));
});

test('wander is a random walk of frequency: offset is continuous, frequency capped', () => {
  const m = new ClockFaultModel({ wander: { sd_ppm_per_sqrt_s: 100, interval_s: 1, max_abs_ppm: 20 } }, 5);
  let prev = m.offsetNsAt(0);
  for (let ms = 1; ms < 100_000; ms += 7) {
    const x = m.offsetNsAt(ms * 1e6);
    // |Δoffset| ≤ 20 ppm · 7 ms = 140 ns per step (no jumps at knots).
    assert.ok(Math.abs(x - prev) <= 140 + 1e-6, `continuous at ${ms} ms: ${x - prev}`);
    assert.ok(Math.abs(m.frequencyPpmAt(ms * 1e6)) <= 20);
    prev = x;
  }
});

test('nowNs is cheap: well under 10 µs per call with every fault active', () => {
  const c = new FaultyClock({ offset_ms: 3, drift_ppm: 40, steps: [{ at_s: 1000, step_ms: 5 }], wander: { sd_ppm_per_sqrt_s: 1 } });
  const n = 100_000;
  let x = 0n;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) x ^= c.nowNs();
  const perCall = Number(process.hrtime.bigint() - t0) / n;
  assert.ok(x !== 0n);
  assert.ok(perCall < 10_000, `${perCall} ns per nowNs()`);
});

test('validation names the field that is wrong', () => {
  assert.throws(() => validateClockFaultSpec({ offset_ms: '5' }), /clock_faults\.offset_ms: must be a finite number/);
  assert.throws(() => validateClockFaultSpec({ steps: [{ at_s: -1, step_ms: 2 }] }), /clock_faults\.steps\[0\]\.at_s: must be ≥ 0/);
  assert.throws(() => validateClockFaultSpec({ drfit_ppm: 3 }), /clock_faults\.drfit_ppm: unknown field/);
  assert.throws(() => validateClockFaultSpec({ wander: { sd: 1 } }), /clock_faults\.wander\.sd: unknown field/);
  assert.throws(() => new FaultyClock({ drift_ppm: Infinity }), /drift_ppm/);
});

test('truth anchor: clocks on one anchor share true time; steps count from the anchor', () => {
  const truth_anchor = { real_ns: '1700000000000000000', mono_ns: process.hrtime.bigint().toString() };
  const a = new FaultyClock({ truth_anchor });
  const b = new FaultyClock({ offset_ms: 2, truth_anchor, steps: [{ at_s: 0, step_ms: 1 }] });
  assert.equal(a.startTrueNs, 1_700_000_000_000_000_000n);
  const ta = a.trueNowNs();
  const tb = b.trueNowNs();
  assert.ok(tb - ta >= 0n && tb - ta < 1_000_000n, 'same true timeline (1 ms slack for the call)');
  assert.ok(ta - 1_700_000_000_000_000_000n < 5_000_000_000n, 'true time starts at the anchor');
  const local = b.nowNs();
  assert.equal(local - b.lastTrueNs, 3_000_000n, 'offset 2 ms + the step at 0 s already applied');
  assert.throws(
    () => new FaultyClock({ truth_anchor: { real_ns: 5, mono_ns: '1' } as never }),
    /clock_faults\.truth_anchor\.real_ns: must be a decimal string/,
  );
});
