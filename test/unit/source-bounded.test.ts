// Pure-logic tests of the bounded source: synthetic NTP exchanges from a simulated local clock
// (drift, wander, steps, asymmetric delays, a lying server) and coverage of true time.
import { Prng } from '../../src/sim/prng.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedSource } from '../../src/clock/sources/bounded.js';
import type { NtpSample, NtpSampleListener } from '../../src/clock/ntp-sample.js';
import type { LocalClock, SyncRow } from '../../src/clock/types.js';

const BASE = 1_800_000_000_000_000_000n; // an epoch instant, ns

/** Local clock for the rel check: monotonic + a constant the test can bump (a "kernel step"). */
class BumpClock implements LocalClock {
  readonly simulated = false;
  bump = 0n;
  private readonly c = BASE - process.hrtime.bigint();
  nowNs(): bigint {
    return process.hrtime.bigint() + this.c + this.bump;
  }
}

/**
 * Fully synthetic time: `t` is true seconds; the local clock reads local(t); the monotonic clock
 * runs at the true rate, but (when `stepsVisible` is false) also jumps with the local steps, so a
 * step is invisible to the local − monotonic check.
 */
class SimClock implements LocalClock {
  readonly simulated = false;
  t = 0;
  constructor(
    private readonly local: (t: number) => bigint,
    private readonly stepAt: (t: number) => number,
    private readonly stepsVisible: boolean,
  ) {}
  nowNs(): bigint {
    return this.local(this.t);
  }
  mono = (): bigint => 1_000_000_000_000n + BigInt(Math.round(this.t * 1e9 + (this.stepsVisible ? 0 : this.stepAt(this.t))));
}

class Feed {
  private l: NtpSampleListener[] = [];
  onSample(l: NtpSampleListener): void {
    this.l.push(l);
  }
  push(s: NtpSample): void {
    for (const f of this.l) f(s);
  }
}

/** The project's seeded PRNG (mulberry32), as a bare function. */
function rng(seed: number): () => number {
  const p = new Prng(seed);
  return () => p.next();
}

interface SimSpec {
  seed: number;
  offsetMs: number;
  driftPpm: number;
  wanderPpmPerSqrtS?: number;
  /** [true second, ms] steps of the local clock. */
  steps?: Array<[number, number]>;
  servers: number;
  /** Server index → constant error of its clock (ms): a falseticker. */
  serverErrMs?: Record<number, number>;
  /** Server index → the true second from which it answers (before: no answer). */
  answersFromS?: Record<number, number>;
  /** Server index → the true second after which it no longer answers. */
  answersUntilS?: Record<number, number>;
  pollS: number;
  durationS: number;
  maxOneWayUs: number;
  /** The step shows as a local − monotonic jump (as a real or FaultyClock step does). */
  kernelVisibleSteps?: boolean;
  /** Load stalls: each leg and the server's turnaround is held up with this probability by up to maxMs (×5 in a fifth of them). */
  stalls?: { p: number; maxMs: number };
}

/** local − true (ns) as a function of true seconds; piecewise, deterministic per seed. */
function makeOffset(spec: SimSpec): (t: number) => number {
  const r = rng(spec.seed + 7);
  const freq: number[] = [0];
  const cum: number[] = [0];
  return (t: number) => {
    let off = spec.offsetMs * 1e6 + spec.driftPpm * 1e3 * t;
    for (const [at, ms] of spec.steps ?? []) if (t >= at) off += ms * 1e6;
    if (spec.wanderPpmPerSqrtS) {
      const k = Math.floor(t);
      while (freq.length <= k + 1) {
        const g = Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
        cum.push(cum[cum.length - 1]! + freq[freq.length - 1]! * 1e3);
        freq.push(Math.max(-300, Math.min(300, freq[freq.length - 1]! + g * spec.wanderPpmPerSqrtS)));
      }
      off += cum[k]! + freq[k]! * 1e3 * (t - k);
    }
    return off;
  };
}

interface SimResult {
  reads: number;
  covered: number;
  withValue: number;
  halfWidths: number[];
  statuses: Record<string, number>;
  rows: SyncRow[];
  src: BoundedSource;
  /** Every reading's instant, for re-estimation afterwards. */
  instants: Array<{ t: number; L: bigint; mono: bigint }>;
  /** readiness() after each poll's answers: [true second, ready, detail]. */
  readiness: Array<[number, boolean, string]>;
}

function simulate(spec: SimSpec, readsPerS = 20, tuning: Record<string, unknown> = {}): SimResult {
  const r = rng(spec.seed);
  const off = makeOffset(spec);
  const local = (t: number): bigint => BASE + BigInt(Math.round(t * 1e9 + off(t)));
  const stepAt = (t: number): number => (spec.steps ?? []).reduce((a, [at, ms]) => a + (t >= at ? ms * 1e6 : 0), 0);
  const clock = new SimClock(local, stepAt, spec.kernelVisibleSteps ?? false);
  const feed = new Feed();
  const rows: SyncRow[] = [];
  const src = new BoundedSource({ ntp: feed, clock, monoNs: clock.mono, sink: (row) => rows.push(row), ...tuning });
  const res: SimResult = { reads: 0, covered: 0, withValue: 0, halfWidths: [], statuses: {}, rows, src, instants: [], readiness: [] };
  for (let k = 0; k * spec.pollS < spec.durationS; k++) {
    const tPoll = k * spec.pollS;
    for (let s = 0; s < spec.servers; s++) {
      if (tPoll < (spec.answersFromS?.[s] ?? 0) || tPoll > (spec.answersUntilS?.[s] ?? Infinity)) continue;
      const t1 = tPoll + s * 0.003;
      const stall = (): number => {
        const st = spec.stalls;
        if (!st || r() >= st.p) return 0;
        return r() * st.maxMs * 1e-3 * (r() < 0.2 ? 5 : 1);
      };
      const d1 = (20 + r() * spec.maxOneWayUs) * 1e-6 + stall();
      const d2 = (20 + r() * spec.maxOneWayUs) * 1e-6 + stall();
      const turn = 10e-6 + stall();
      const err = (spec.serverErrMs?.[s] ?? 0) * 1e6;
      const T2 = BASE + BigInt(Math.round((t1 + d1) * 1e9 + err));
      const T3 = T2 + BigInt(Math.round(turn * 1e9));
      const L1 = local(t1);
      const L4 = local(t1 + d1 + turn + d2);
      clock.t = t1 + d1 + turn + d2 + 0.001; // delivered just after the exchange
      const offset = (T2 - L1 + (T3 - L4)) / 2n;
      const delay = L4 - L1 - (T3 - T2);
      feed.push({
        server: `s${s}:123`,
        t1_ns: L1,
        t2_ns: T2,
        t3_ns: T3,
        t4_ns: L4,
        offset_ns: offset,
        delay_ns: delay,
        root_delay_ns: 0n,
        root_dispersion_ns: 0n,
        stratum: 1,
        leap: 0,
        accepted: true,
        reason: 'min delay',
      });
    }
    const rd = src.readiness();
    res.readiness.push([clock.t, rd.ready, rd.detail]);
    // Reads at random instants until the next poll; steps happen in between.
    const n = Math.round(readsPerS * spec.pollS);
    // Reads happen in time order (a step applied at one read must not precede an earlier read).
    const times = Array.from({ length: n }, () => tPoll + 0.01 + r() * (spec.pollS - 0.01)).sort((a, b) => a - b);
    for (const t of times) {
      clock.t = t;
      const L = local(t);
      res.instants.push({ t, L, mono: clock.mono() });
      const rd = src.read(L);
      res.reads++;
      res.statuses[rd.status] = (res.statuses[rd.status] ?? 0) + 1;
      if (rd.lo_ns === null || rd.hi_ns === null) continue;
      res.withValue++;
      const truth = BASE + BigInt(Math.round(t * 1e9));
      if (rd.lo_ns <= truth && truth <= rd.hi_ns) res.covered++;
      res.halfWidths.push(Number(rd.hi_ns - rd.lo_ns) / 2);
      assert.ok(rd.point_ns! >= rd.lo_ns && rd.point_ns! <= rd.hi_ns, 'point inside its interval');
    }
  }
  return res;
}

/** Seeds whose walk escaped every check before the walk statistic (2955, 2910, 2940 and 2946 of 2960 covered). */
const WALK_SEEDS = [2, 11, 35, 37];
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

test('bounded: warming with no samples, no invented value', () => {
  const src = new BoundedSource({ ntp: new Feed(), clock: new BumpClock() });
  const r = src.read(BASE);
  assert.deepEqual(r, { point_ns: null, lo_ns: null, hi_ns: null, status: 'warming' });
  assert.equal(src.readiness().ready, false);
});

test('bounded: drift + asymmetric delays: every reading covers true time, intervals stay tight', () => {
  for (const seed of [1, 2, 3]) {
    const res = simulate({ seed, offsetMs: 40, driftPpm: 80 * (seed - 2), servers: 2, pollS: 1, durationS: 40, maxOneWayUs: 200 });
    assert.ok(res.withValue > res.reads * 0.9, `values in most readings (${res.withValue}/${res.reads})`);
    assert.equal(res.covered, res.withValue, `seed ${seed}: coverage ${res.covered}/${res.withValue}`);
    // Half-width: δ/2 ≲ 220 µs plus ≤ 1 s of 15 ppm growth; far below the 40 ms offset.
    assert.ok(median(res.halfWidths) < 300_000, `median half-width ${median(res.halfWidths)} ns`);
    assert.ok(res.src.readiness().ready, res.src.readiness().detail);
    const drift = res.src.driftPpm()!;
    assert.ok(Math.abs(drift - -80 * (seed - 2)) < 5, `drift estimate ${drift} ppm`);
  }
});

test('bounded: exchanges held up by load stalls (heavy-tailed delays, little wander): every reading covers', () => {
  // A loaded host delays some exchanges by tens of ms on one leg or in the server's turnaround.
  // Each sample's bound stays valid; what must not happen is a drift fit that the wide, noisy
  // samples drag off, with a growth term taken from its residuals alone.
  const misses: string[] = [];
  for (let seed = 1; seed <= 40; seed++) {
    const res = simulate({
      seed,
      offsetMs: 6,
      driftPpm: -25,
      wanderPpmPerSqrtS: seed % 2 ? 0.5 : 0,
      servers: 1,
      pollS: 1,
      durationS: 40,
      maxOneWayUs: 1000,
      stalls: { p: 0.5, maxMs: 50 },
    });
    if (res.covered !== res.withValue) misses.push(`seed ${seed}: ${res.withValue - res.covered}/${res.withValue} missed`);
  }
  assert.deepEqual(misses, []);
});

test('bounded: random-walk wander stays covered', () => {
  const res = simulate({
    seed: 11,
    offsetMs: -5,
    driftPpm: 30,
    wanderPpmPerSqrtS: 0.5,
    servers: 3,
    pollS: 1,
    durationS: 60,
    maxOneWayUs: 100,
  });
  assert.equal(res.covered, res.withValue, `coverage ${res.covered}/${res.withValue}`);
});

test('bounded: learnt wander term and short fit window cut misses under strong wander between slow polls', () => {
  // 85 ppm/√s of frequency random walk (capped ±300 ppm), polled every 3 s: the growth of 15 ppm·age
  // cannot cover it. What the source can do is learn from consecutive samples; it cannot see a
  // first excursion coming (documented limitation), so the claim here is "much better", not 99.9 %.
  let withLearning = 0;
  let without = 0;
  let n = 0;
  for (const seed of [31, 32, 33]) {
    const spec: SimSpec = { seed, offsetMs: 1, driftPpm: 0, wanderPpmPerSqrtS: 85, servers: 1, pollS: 3, durationS: 90, maxOneWayUs: 100 };
    const on = simulate(spec);
    const off = simulate(spec, 20, { wanderK: 1e-12, wanderFitSamples: 1000 });
    const learnt = (on.src.summary().servers as Record<string, { wander_ns_per_s15: number }>)['s0:123']!.wander_ns_per_s15;
    assert.ok(learnt > 0, 'wander term learnt');
    withLearning += on.covered / on.withValue;
    without += off.covered / off.withValue;
    n++;
  }
  withLearning /= n;
  without /= n;
  assert.ok(withLearning > without + 0.03, `mean coverage with learning ${withLearning.toFixed(4)} vs without ${without.toFixed(4)}`);
  assert.ok(withLearning >= 0.9, `mean coverage with learning ${withLearning.toFixed(4)}`);
});

test('bounded: wide samples under a frequency walk: the walk statistic widens projections in time (five minutes, 2 s polls)', () => {
  // Samples ~0.5 ms wide hide a 20 ppm/√s walk from every check that needs proof beyond their
  // errors; the walk shows in how second differences grow with the baseline (walkEstimate).
  const seeds = (process.env.BOUNDED_WALK_SEEDS ?? '').split(',').filter(Boolean).map(Number);
  for (const seed of seeds.length ? seeds : WALK_SEEDS) {
    const spec: SimSpec = { seed, offsetMs: 1, driftPpm: 0, wanderPpmPerSqrtS: 20, servers: 1, pollS: 2, durationS: 300, maxOneWayUs: 500 };
    const res = simulate(spec, 10);
    const ctx = `seed ${seed}: ${res.covered}/${res.withValue} of ${res.reads}, median half-width ${median(res.halfWidths)} ns`;
    if (process.env.BOUNDED_TEST_VERBOSE) console.log(ctx);
    assert.ok(res.covered / res.withValue >= 0.999, ctx);
    assert.ok(res.withValue / res.reads > 0.95, ctx);
  }
});

test('bounded: a step seen as local − monotonic jump is covered at once, and the model keeps going', () => {
  const res = simulate({
    seed: 5,
    offsetMs: 0,
    driftPpm: 20,
    steps: [
      [20.5, 50],
      [31.2, -80],
    ],
    kernelVisibleSteps: true,
    servers: 2,
    pollS: 1,
    durationS: 45,
    maxOneWayUs: 100,
  });
  assert.equal(res.covered, res.withValue, `coverage ${res.covered}/${res.withValue}`);
  assert.ok((res.statuses.degraded ?? 0) > 0, 'readings between the step and the next sample are degraded');
  assert.equal(res.src.summary().steps_detected, 2);
});

test('bounded: a step invisible to the monotonic check restarts the model on the next sample', () => {
  const res = simulate({ seed: 6, offsetMs: 0, driftPpm: -10, steps: [[20.5, 50]], servers: 1, pollS: 1, durationS: 40, maxOneWayUs: 100 });
  assert.ok((res.src.summary().model_restarts as number) >= 1, 'model restarted');
  // Only the readings between the step and the next sample (≤ 1 s of 40) can be wrong.
  const missed = res.withValue - res.covered;
  assert.ok(missed > 0 && missed <= 20, `missed ${missed}`);
  const row = res.rows.find((r) => String(r.reason).includes('model restarted'));
  assert.ok(row, 'a sync row says why the model restarted');
});

test('bounded: a falseticker among three servers → degraded, majority interval still covers', () => {
  const res = simulate({
    seed: 9,
    offsetMs: 10,
    driftPpm: 15,
    servers: 3,
    serverErrMs: { 2: 30 },
    pollS: 1,
    durationS: 30,
    maxOneWayUs: 100,
  });
  assert.ok((res.statuses.degraded ?? 0) > res.withValue * 0.9, JSON.stringify(res.statuses));
  assert.equal(res.covered, res.withValue);
});

test('bounded: a falseticker that answers alone first does not hold warmup back once the majority outvotes it', () => {
  // The liar (30 ms off) answers from the start, the two honest servers from 8 s on: until they are
  // trusted the liar's estimate is the combination, and its centers fed the convergence detector;
  // a whole detector window (64 samples, 21 s at three a second) of spread 30 ms followed.
  const joinS = 8;
  const res = simulate({
    seed: 31,
    offsetMs: -3,
    driftPpm: 20,
    servers: 3,
    serverErrMs: { 2: 30 },
    answersFromS: { 0: joinS, 1: joinS },
    pollS: 1,
    durationS: joinS + 16,
    maxOneWayUs: 100,
  });
  const after = res.readiness.filter(([t]) => t > joinS);
  // (the liar alone is wrong and nothing can tell: readings before the majority forms miss)
  // once converged anew, ready stays ready
  const readyAgain = after.findIndex(([, ready], i) => ready && after.slice(i).every(([, r]) => r));
  assert.ok(readyAgain >= 0, `never ready again after the honest servers joined: ${JSON.stringify(after.at(-1))}`);
  const [t, , detail] = after[readyAgain]!;
  assert.ok(t - joinS <= 10, `ready again ${(t - joinS).toFixed(1)} s after the honest servers joined (${detail})`);
  assert.match(after.at(-1)![2], /degraded: servers disagree/);
});

test('bounded: an honest server that stops answering does not make the source converge anew', () => {
  // Its model goes stale (30 s without a sample) and leaves the combination; what it fed agreed
  // with the other server's.
  const res = simulate({
    seed: 32,
    offsetMs: 4,
    driftPpm: -30,
    servers: 2,
    answersUntilS: { 1: 12 },
    pollS: 1,
    durationS: 50,
    maxOneWayUs: 100,
  });
  const first = res.readiness.findIndex(([, ready]) => ready);
  assert.ok(first >= 0 && res.readiness[first]![0] < 12, 'ready while both answer');
  const lapses = res.readiness.slice(first).filter(([, ready]) => !ready);
  assert.deepEqual(lapses, [], 'ready throughout once ready');
  assert.equal(res.covered, res.withValue);
});

test('bounded: two disagreeing servers → degraded and the hull of both (honest, wide)', () => {
  const res = simulate({
    seed: 10,
    offsetMs: 0,
    driftPpm: 0,
    servers: 2,
    serverErrMs: { 1: 20 },
    pollS: 1,
    durationS: 20,
    maxOneWayUs: 100,
  });
  assert.ok((res.statuses.degraded ?? 0) > res.withValue * 0.9, JSON.stringify(res.statuses));
  assert.ok(median(res.halfWidths) > 10_000_000, 'hull spans both servers');
  assert.equal(res.covered, res.withValue);
});

test('bounded: reestimate brackets a past instant and never widens past the live reading', () => {
  const spec: SimSpec = { seed: 12, offsetMs: 3, driftPpm: 60, servers: 2, pollS: 2, durationS: 30, maxOneWayUs: 150 };
  const off = makeOffset(spec);
  const clock = new BumpClock();
  const feed = new Feed();
  const src = new BoundedSource({ ntp: feed, clock });
  const r = rng(1);
  const local = (t: number): bigint => BASE + BigInt(Math.round(t * 1e9 + off(t)));
  const live: Array<{ t: number; L: bigint; hw: bigint }> = [];
  for (let k = 0; k * spec.pollS < spec.durationS; k++) {
    for (let s = 0; s < 2; s++) {
      const t1 = k * spec.pollS + s * 0.003;
      const d = 50e-6 + r() * 100e-6;
      const T2 = BASE + BigInt(Math.round((t1 + d) * 1e9));
      const L1 = local(t1);
      const L4 = local(t1 + 2 * d + 10e-6);
      feed.push({
        server: `s${s}`,
        t1_ns: L1,
        t2_ns: T2,
        t3_ns: T2 + 10_000n,
        t4_ns: L4,
        offset_ns: (T2 - L1 + (T2 + 10_000n - L4)) / 2n,
        delay_ns: L4 - L1 - 10_000n,
        root_delay_ns: 0n,
        root_dispersion_ns: 0n,
        stratum: 1,
        leap: 0,
        accepted: true,
        reason: '',
      });
    }
    const t = k * spec.pollS + 1.7;
    const L = local(t);
    const rd = src.read(L);
    if (rd.lo_ns !== null) live.push({ t, L, hw: (rd.hi_ns! - rd.lo_ns) / 2n });
  }
  let shrunk = 0;
  for (const e of live.slice(0, -2)) {
    const re = src.reestimate(e.L)!;
    assert.ok(re && re.lo_ns !== null, 'reestimate has a value');
    const truth = BASE + BigInt(Math.round(e.t * 1e9));
    assert.ok(re.lo_ns! <= truth && truth <= re.hi_ns!, 'reestimate covers truth');
    const hw = (re.hi_ns! - re.lo_ns!) / 2n;
    if (hw < e.hw) shrunk++;
  }
  assert.ok(shrunk >= live.length / 2, `re-estimated intervals shrink (${shrunk}/${live.length})`);
});

test('bounded: bad samples are ignored with a reason, never used', () => {
  const feed = new Feed();
  const rows: SyncRow[] = [];
  const src = new BoundedSource({ ntp: feed, clock: new BumpClock(), sink: (r) => rows.push(r) });
  feed.push({
    server: 'x',
    t1_ns: BASE,
    t2_ns: BASE,
    t3_ns: BASE,
    t4_ns: BASE + 1000n,
    offset_ns: 0n,
    delay_ns: 1000n,
    root_delay_ns: 0n,
    root_dispersion_ns: 0n,
    stratum: 0,
    leap: 3,
    accepted: true,
    reason: '',
  });
  assert.equal(rows.length, 1);
  assert.match(String(rows[0]!.reason), /ignored: server not synchronised/);
  assert.equal(rows[0]!.point_ns, null);
  assert.equal(src.summary().used, 0);
});

test('bounded: bad tuning is a clear error', () => {
  assert.throws(() => new BoundedSource({ ntp: new Feed(), clock: new BumpClock(), phiPpm: -1 }), /phiPpm must be a positive number/);
});

test("bounded: re-estimation across detected steps covers truth, with or without the instant's monotonic time", () => {
  for (const steps of [
    [[20.5, 50]],
    [
      [15.3, -40],
      [27.8, 30],
    ],
  ] as Array<Array<[number, number]>>) {
    const res = simulate(
      { seed: 21, offsetMs: 1, driftPpm: 25, steps, kernelVisibleSteps: true, servers: 2, pollS: 1, durationS: 40, maxOneWayUs: 100 },
      10,
    );
    assert.equal(res.covered, res.withValue, `live coverage ${res.covered}/${res.withValue}`);
    let n = 0;
    for (const useMono of [true, false]) {
      let covered = 0;
      let withValue = 0;
      for (const i of res.instants.slice(0, -15)) {
        const re = res.src.reestimate(i.L, useMono ? i.mono : undefined);
        if (!re || re.lo_ns === null) continue;
        withValue++;
        const truth = BASE + BigInt(Math.round(i.t * 1e9));
        if (re.lo_ns <= truth && truth <= re.hi_ns!) covered++;
        n++;
      }
      assert.ok(withValue > res.instants.length * 0.8, `re-estimates with a value: ${withValue}`);
      assert.equal(covered, withValue, `steps ${JSON.stringify(steps)}, mono ${useMono}: reestimate coverage ${covered}/${withValue}`);
    }
    assert.ok(n > 0);
  }
});

/**
 * A source fed by two clean servers polled every second for `untilS` true seconds, on a clock with
 * the given steps (seen by the local − monotonic check, as a real or FaultyClock step is).
 */
function fedSource(steps: Array<[number, number]>, untilS: number, seed = 41) {
  const spec: SimSpec = {
    seed,
    offsetMs: 2,
    driftPpm: 30,
    steps,
    kernelVisibleSteps: true,
    servers: 2,
    pollS: 1,
    durationS: untilS,
    maxOneWayUs: 100,
  };
  const off = makeOffset(spec);
  const local = (t: number): bigint => BASE + BigInt(Math.round(t * 1e9 + off(t)));
  const clock = new SimClock(local, () => 0, true);
  const feed = new Feed();
  const src = new BoundedSource({ ntp: feed, clock, monoNs: clock.mono });
  const r = rng(seed);
  for (let k = 0; k < untilS; k++) {
    for (let s = 0; s < 2; s++) {
      const t1 = k + s * 0.003;
      const d1 = (20 + r() * 100) * 1e-6;
      const d2 = (20 + r() * 100) * 1e-6;
      const T2 = BASE + BigInt(Math.round((t1 + d1) * 1e9));
      const T3 = T2 + 10_000n;
      const L1 = local(t1);
      const L4 = local(t1 + d1 + 10e-6 + d2);
      clock.t = t1 + d1 + 10e-6 + d2 + 0.001;
      feed.push({
        server: `s${s}:123`,
        t1_ns: L1,
        t2_ns: T2,
        t3_ns: T3,
        t4_ns: L4,
        offset_ns: (T2 - L1 + (T3 - L4)) / 2n,
        delay_ns: L4 - L1 - (T3 - T2),
        root_delay_ns: 0n,
        root_dispersion_ns: 0n,
        stratum: 1,
        leap: 0,
        accepted: true,
        reason: 'min delay',
      });
    }
    clock.t = k + 0.5;
    src.read(local(clock.t)); // the receive path keeps the step watch current
  }
  return { src, clock, local };
}

const covers = (r: { lo_ns: bigint | null; hi_ns: bigint | null }, t: number): boolean =>
  r.lo_ns !== null && r.hi_ns !== null && r.lo_ns <= BASE + BigInt(Math.round(t * 1e9)) && BASE + BigInt(Math.round(t * 1e9)) <= r.hi_ns;

test('bounded: a datagram that arrived before a step, read after the step watch saw it, is read in its own frame', () => {
  for (const stepMs of [50, -50]) {
    // Polls at whole seconds; the watch last looked at 20.5 s; the step is at 20.62 s.
    const { src, clock, local } = fedSource([[20.62, stepMs]], 21);
    // Datagrams arrive at 20.55 s (inside the watch's bracket) and 20.6 s, before the step, and
    // at 20.64 s, after it; the callbacks run at 20.65 s, behind a receive backlog.
    const arrivals = [20.55, 20.6, 20.64].map((t) => {
      clock.t = t;
      return { t, L: local(t), mono: clock.mono() };
    });
    clock.t = 20.65;
    src.read(local(20.65)); // an earlier callback: the watch sees the step now
    assert.equal(src.summary().steps_detected, 1);
    for (const a of arrivals) {
      const rd = src.read(a.L, a.mono);
      assert.ok(covers(rd, a.t), `step ${stepMs} ms, arrival ${a.t} s: [${rd.lo_ns! - BASE}, ${rd.hi_ns! - BASE}] misses ${a.t * 1e9}`);
      assert.ok(
        Number(rd.hi_ns! - rd.lo_ns!) < 5_000_000,
        `step ${stepMs} ms, arrival ${a.t} s: a decided frame, not a hull (${rd.hi_ns! - rd.lo_ns!} ns)`,
      );
    }
  }
});

test('bounded: a stamp computed in the new frame for an instant before the step (a re-anchored host clock) is read in the new frame', () => {
  const { src, clock, local } = fedSource([[20.62, 50]], 21);
  clock.t = 20.65;
  src.read(local(20.65));
  // The instant is 20.6 s (monotonic), but its local value came from the stepped clock.
  const t = 20.6;
  clock.t = t;
  const mono = clock.mono();
  const L = local(t) + 50_000_000n;
  clock.t = 20.66;
  const rd = src.read(L, mono);
  assert.ok(covers(rd, t), `[${rd.lo_ns! - BASE}, ${rd.hi_ns! - BASE}] misses ${t * 1e9}`);
});

test('bounded: an instant whose frame cannot be told gets the hull of both frames, degraded', () => {
  // A local value halfway between the frames, at an instant inside the watch's bracket
  // (20.5, 20.65], and at one before it (where monotonic order alone would say "before the step").
  for (const t of [20.6, 20.3]) {
    const { src, clock, local } = fedSource([[20.62, 50]], 21);
    clock.t = 20.65;
    src.read(local(20.65));
    clock.t = t;
    const mono = clock.mono();
    const rd = src.read(local(t) + 25_000_000n, mono);
    assert.equal(rd.status, 'degraded', `instant ${t} s`);
    assert.ok(Number(rd.hi_ns! - rd.lo_ns!) > 50_000_000, `instant ${t} s: hull of both frames: ${rd.hi_ns! - rd.lo_ns!} ns`);
  }
});

test('bounded: short polls with wander: the model stays trusted (fit sized by time span), readings keep their values and cover', () => {
  for (const seed of [51, 52, 53]) {
    // 100 ms polls: five samples span 0.4 s, far below the 2 s a trusted drift fit needs.
    const res = simulate(
      { seed, offsetMs: 3, driftPpm: 40, wanderPpmPerSqrtS: 1, servers: 2, pollS: 0.1, durationS: 30, maxOneWayUs: 1500 },
      40,
    );
    const late = res.instants.length; // every read; the first 3 s are warm-up
    const warmReads = Math.round(late * 0.1);
    assert.ok(
      res.withValue >= late - warmReads,
      `seed ${seed}: ${res.withValue}/${late} readings with a value ${JSON.stringify(res.statuses)}`,
    );
    assert.ok(res.covered >= res.withValue * 0.999, `seed ${seed}: coverage ${res.covered}/${res.withValue}`);
    const servers = res.src.summary().servers as Record<string, { trusted: boolean; wander_ns_per_s15: number }>;
    for (const [name, s] of Object.entries(servers)) assert.ok(s.trusted, `seed ${seed}: ${name} trusted at the end`);
  }
});
