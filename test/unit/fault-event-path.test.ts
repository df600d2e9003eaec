import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventPathFaults, EventFaultTally, validateEventPathFaultSpec } from '../../src/sim/event-faults.js';

test('no spec: inactive, nothing dropped, delayed or duplicated', () => {
  const f = eventPathFaults({});
  assert.equal(f.inactive, true);
  assert.deepEqual(f.decide(0, 1), { drop: false, delayNs: 0, duplicates: 0 });
});

test('decisions are pure: same (seed, worker, seq) gives the same answer in any order', () => {
  const spec = { all: { delay: { dist: 'normal' as const, mean_ms: 3, sd_ms: 2 }, loss: 0.1, duplicate: 0.1, max_duplicates: 2 } };
  const a = eventPathFaults(spec, 99);
  const forward = [];
  for (let s = 0; s < 200; s++) for (let w = 0; w < 3; w++) forward.push(a.decide(w, s));
  const b = eventPathFaults(spec, 99);
  const backward = [];
  for (let s = 199; s >= 0; s--) for (let w = 2; w >= 0; w--) backward.unshift(b.decide(w, s));
  assert.deepEqual(backward, forward);
  const c = eventPathFaults(spec, 100);
  assert.notDeepEqual(
    Array.from({ length: 50 }, (_, s) => c.decide(0, s)),
    forward.filter((_, i) => i % 3 === 0).slice(0, 50),
  );
});

test('per-worker loss, jitter and duplicates at about the configured rates', () => {
  const f = eventPathFaults(
    {
      all: { delay: { dist: 'uniform', min_ms: 0, max_ms: 5 }, loss: 0.03, duplicate: 0.02 },
      per_worker: { w2: { loss: 0.2 } },
    },
    7,
  );
  const tally = new EventFaultTally();
  const n = 5000;
  for (let s = 0; s < n; s++) for (let w = 0; w < 3; w++) tally.record(w, f.decide(w, s));
  const t = tally.toJSON();
  assert.ok(t['1']!.dropped > 0.17 * n && t['1']!.dropped < 0.23 * n, `w2 dropped ${t['1']!.dropped}`);
  assert.ok(t['0']!.dropped > 0.02 * n && t['0']!.dropped < 0.04 * n, `w1 dropped ${t['0']!.dropped}`);
  assert.ok(t['0']!.duplicated > 0.01 * n && t['0']!.duplicated < 0.03 * n, `w1 duplicated ${t['0']!.duplicated}`);
  assert.ok(t['1']!.delay_ns_max <= 5_000_000 && t['1']!.delay_ns_mean! > 2_000_000 && t['1']!.delay_ns_mean! < 3_000_000);
  // Jitter changes the relative order of workers: w1 and w3 get different delays for one event.
  const d0 = f.decide(0, 123).delayNs;
  const d2 = f.decide(2, 123).delayNs;
  assert.notEqual(d0, d2);
});

test('a dropped datagram has no duplicates; max_duplicates caps the copies', () => {
  const f = eventPathFaults({ all: { duplicate: 1, max_duplicates: 3 } }, 1);
  assert.equal(f.decide(0, 1).duplicates, 3);
  const g = eventPathFaults({ all: { loss: 1, duplicate: 1 } }, 1);
  assert.deepEqual(g.decide(0, 1), { drop: true, delayNs: 0, duplicates: 0 });
});

test('only one worker faulty: the others are untouched', () => {
  const f = eventPathFaults({ per_worker: { '2': { loss: 1 } } }, 1);
  assert.equal(f.inactive, false);
  assert.equal(f.decide(2, 5).drop, true);
  assert.equal(f.decide(0, 5).drop, false);
});

test('validation errors name the field', () => {
  assert.throws(() => validateEventPathFaultSpec({ per_worker: { x: {} } }), /event_faults\.per_worker\.x: key must be/);
  assert.throws(() => validateEventPathFaultSpec({ all: { loss: -0.1 } }), /event_faults\.all\.loss: must be ≥ 0/);
  assert.throws(() => validateEventPathFaultSpec({ all: { jitter: 1 } }), /event_faults\.all\.jitter: unknown field/);
});
