import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConvergenceDetector } from '../../src/clock/warmup.js';

test('warmup: not ready until enough samples over enough time, then ready with a summary', () => {
  const d = new ConvergenceDetector({ minSamples: 5, minSpanMs: 3000, maxSpreadNs: 100_000, maxDriftErrPpm: 2 });
  assert.match(d.assess().detail, /0\/5 samples/);
  for (let i = 0; i < 4; i++) d.add(i * 1e9, 5e6 + 20e-6 * i * 1e9 + (i % 2) * 1000);
  assert.equal(d.assess().ready, false);
  assert.match(d.assess().detail, /4\/5 samples/);
  d.add(4e9, 5e6 + 20e-6 * 4e9);
  const s = d.assess();
  assert.equal(s.ready, true, s.detail);
  assert.ok(Math.abs(s.drift_ppm! - 20) < 1);
});

test('warmup: a noisy offset is not converged and says by how much', () => {
  const d = new ConvergenceDetector({ minSamples: 5, minSpanMs: 1000, maxSpreadNs: 100_000, maxDriftErrPpm: 1000 });
  for (let i = 0; i < 8; i++) d.add(i * 1e9, (i % 2 ? 1 : -1) * 2e6);
  const s = d.assess();
  assert.equal(s.ready, false);
  assert.match(s.detail, /offset spread 2\.\d+ ms > 0\.100 ms/);
});

test('warmup: reset forgets the model and says why', () => {
  const d = new ConvergenceDetector({ minSamples: 3, minSpanMs: 0 });
  for (let i = 0; i < 5; i++) d.add(i * 1e9, 0);
  assert.equal(d.assess().ready, true);
  d.reset('clock step');
  assert.equal(d.assess().ready, false);
  assert.match(d.assess().detail, /clock step/);
});

test('warmup: minSamples below 3 is refused', () => {
  assert.throws(() => new ConvergenceDetector({ minSamples: 2 }), /minSamples must be >= 3/);
});

test('warmup: relative limits follow the half-widths when the estimates carry them', () => {
  const th = { minSamples: 4, minSpanMs: 1000, maxSpreadNs: 10_000, maxDriftErrPpm: 1, spreadPerHalfWidth: 2, driftErrHorizonMs: 3000 };
  const noisy = (withHw: boolean): ConvergenceDetector => {
    const d = new ConvergenceDetector(th);
    for (let i = 0; i < 8; i++) d.add(i * 1e9, (i % 2 ? 1 : -1) * 300_000, withHw ? 1_000_000 : undefined);
    return d;
  };
  // ±0.3 ms around the line: too much for 10 µs absolute, fine for 1 ms intervals (limit 2 ms).
  assert.match(noisy(false).assess().detail, /offset spread 0\.3\d+ ms > 0\.010 ms/);
  const s = noisy(true).assess();
  assert.equal(s.ready, true, s.detail);
});
