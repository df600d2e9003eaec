// Readings are a function of the instant they are for (local and monotonic time of a datagram's
// arrival), not of the moment the callback runs: a model replaced, or a simulated clock stepped,
// while the datagram waited in the socket buffer must not be applied to it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NtpSource } from '../../src/clock/sources/ntp.js';
import { HostFrame } from '../../src/clock/sources/source-util.js';
import { FaultyClock } from '../../src/sim/faulty-clock.js';
import type { NtpSample } from '../../src/clock/ntp-sample.js';
import type { LocalClock } from '../../src/clock/types.js';

const BASE = 1_800_000_000_000_000_000n;

function sample(offsetNs: bigint, t4: bigint): NtpSample {
  return {
    server: '127.0.0.1:9',
    t1_ns: t4 - 200_000n,
    t2_ns: t4 - 100_000n + offsetNs,
    t3_ns: t4 - 90_000n + offsetNs,
    t4_ns: t4,
    offset_ns: offsetNs,
    delay_ns: 190_000n,
    root_delay_ns: 0n,
    root_dispersion_ns: 0n,
    stratum: 1,
    leap: 0,
    accepted: true,
    reason: '',
  };
}

test('ntp: a datagram that arrived before the latest burst was accepted is read with the model of its own time', () => {
  const clock: LocalClock = { simulated: false, nowNs: () => BASE };
  const src = new NtpSource({ servers: ['127.0.0.1:9'], clock, pollMs: 1000, burst: 4, timeoutMs: 500 });
  // Drive the private burst path directly: one accepted burst per call.
  const inner = src as unknown as {
    servers: unknown[];
    finishBurst(b: { server: unknown; outstanding: number; candidates: NtpSample[] }): void;
  };
  const burst = (s: NtpSample): void => inner.finishBurst({ server: inner.servers[0], outstanding: 0, candidates: [s] });
  const beforeAny = process.hrtime.bigint();
  burst(sample(0n, BASE - 1_000_000n));
  const between = process.hrtime.bigint();
  burst(sample(50_000_000n, BASE)); // the local clock stepped back 50 ms in between
  const L = BASE + 1_000_000n;
  assert.equal(src.read(L).point_ns, L + 50_000_000n, 'the present: the latest model');
  assert.equal(src.read(L, process.hrtime.bigint()).point_ns, L + 50_000_000n);
  assert.equal(src.read(L, between).point_ns, L, 'an arrival before the second burst was accepted: the first model');
  assert.deepEqual(
    src.read(L, beforeAny),
    { point_ns: null, lo_ns: null, hi_ns: null, status: 'warming' },
    'before any model: none, not the first one',
  );
});

test('HostFrame: a simulated clock is mapped to the host clock with the difference at the read instant, not at the call', () => {
  // Host (true) time = BASE + monotonic; the faulty clock steps +50 ms 1 s after BASE.
  let monoNow = 0n;
  const host: LocalClock = { simulated: false, nowNs: () => BASE + monoNow, atMonoNs: (m) => BASE + m };
  const clock = new FaultyClock({ offset_ms: 2, steps: [{ at_s: 1, step_ms: 50 }] }, { host, startTrueNs: BASE });
  const frame = new HostFrame(clock);
  const arrival = 500_000_000n; // 0.5 s: before the step
  monoNow = 2_000_000_000n; // read at 2 s: after it
  assert.equal(frame.hostMinusLocalNs(arrival), -2_000_000n, 'host − local at the arrival: the pre-step offset');
  assert.equal(frame.hostMinusLocalNs(monoNow), -52_000_000n, 'host − local after the step');
});
