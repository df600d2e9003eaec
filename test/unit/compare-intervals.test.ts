// compare's intervals against values computed elsewhere: Wilson as R's prop.test(x, n, correct =
// FALSE)$conf.int prints it (0/10, 5/10, 10/10; 1/40 by the closed form in Python), t quantiles as
// R's qt(0.975, df) and scipy.stats.t.ppf(0.975, df) give them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meanWithT, studentTCdf, studentTQuantile, wilson } from '../../analysis/compare/intervals.js';

const close = (a: number, b: number, tol: number, what: string): void => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('Wilson 95 % interval matches prop.test(correct = FALSE) for 0/10, 5/10, 10/10 and 1/40', () => {
  const cases: [number, number, number, number][] = [
    [0, 10, 0, 0.2775328],
    [5, 10, 0.2365931, 0.7634069],
    [10, 10, 0.7224672, 1],
    [1, 40, 0.004426832, 0.1288137],
  ];
  for (const [x, n, lo, hi] of cases) {
    const ci = wilson(x, n)!;
    close(ci.lo, lo, 5e-7, `${x}/${n} lo`);
    close(ci.hi, hi, 5e-7, `${x}/${n} hi`);
  }
  assert.equal(wilson(0, 0), null, 'no trial, no interval');
});

test('Student t quantiles are computed, matching qt(0.975, df) for small and large df', () => {
  const known: [number, number][] = [
    [1, 12.70620474],
    [2, 4.30265273],
    [4, 2.77644511],
    [9, 2.26215716],
    [29, 2.04522964],
    [1000, 1.96233908],
  ];
  for (const [df, q] of known) close(studentTQuantile(0.975, df), q, 1e-7, `df ${df}`);
  close(studentTCdf(0, 3), 0.5, 1e-15, 'cdf(0)');
  close(studentTCdf(-2, 5) + studentTCdf(2, 5), 1, 1e-14, 'symmetry');
});

test('mean with t interval: 1..5 gives 3 ± 2.776·sd/√5; one value gives no interval', () => {
  const m = meanWithT([1, 2, 3, 4, 5])!;
  assert.equal(m.mean, 3);
  close(m.sd!, Math.sqrt(2.5), 1e-12, 'sd');
  close(m.ci!.lo, 3 - (2.77644511 * Math.sqrt(2.5)) / Math.sqrt(5), 1e-7, 'lo');
  close(m.ci!.hi, 3 + (2.77644511 * Math.sqrt(2.5)) / Math.sqrt(5), 1e-7, 'hi');
  const one = meanWithT([7])!;
  assert.equal(one.ci, null);
  assert.equal(one.sd, null);
  assert.equal(meanWithT([]), null);
});
