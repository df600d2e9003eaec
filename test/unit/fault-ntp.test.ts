import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NtpFaultBehaviour, validateNtpFaultSpec } from '../../src/sim/ntp-faults.js';
import type { NtpRequestContext } from '../../src/ntp-server/behaviour.js';

const ctx = (seq: number): NtpRequestContext => ({
  seq,
  from: { address: '127.0.0.1', port: 1 },
  request: {} as NtpRequestContext['request'],
  arrivalLocalNs: 0n,
});

test('no faults: every request answered without delay or offset', () => {
  const b = new NtpFaultBehaviour({});
  const d = b.decide(ctx(1));
  assert.deepEqual(d, { requestDelayMs: 0, replyDelayMs: 0, offsetNs: 0n });
});

test('asymmetry: request path slower than reply path by the configured amount', () => {
  const b = new NtpFaultBehaviour({ delay: { dist: 'constant', ms: 2 }, request_delay: 3 });
  for (let i = 1; i <= 50; i++) {
    const d = b.decide(ctx(i));
    assert.equal(d.requestDelayMs, 5);
    assert.equal(d.replyDelayMs, 2);
  }
  const r = b.realised();
  assert.equal(r.requests, 50);
  assert.equal(r.request_delay_ms.mean, 5);
  assert.equal(r.reply_delay_ms.max, 2);
});

test('loss: about the configured share of requests dropped, deterministically by seq', () => {
  const spec = { loss: 0.3, delay: { dist: 'uniform' as const, min_ms: 0, max_ms: 4 } };
  const a = new NtpFaultBehaviour(spec, 11);
  const b = new NtpFaultBehaviour(spec, 11);
  const c = new NtpFaultBehaviour(spec, 12);
  let drops = 0;
  let differs = false;
  for (let i = 1; i <= 4000; i++) {
    const da = a.decide(ctx(i));
    assert.deepEqual(b.decide(ctx(i)), da, 'same seed, same decision');
    if (
      JSON.stringify(c.decide(ctx(i)), (_k, v) => (typeof v === 'bigint' ? String(v) : v)) !==
      JSON.stringify(da, (_k, v) => (typeof v === 'bigint' ? String(v) : v))
    )
      differs = true;
    if (da.drop) drops++;
    else assert.ok(da.requestDelayMs! >= 0 && da.requestDelayMs! <= 4);
  }
  assert.ok(differs, 'another seed gives other decisions');
  assert.ok(drops > 1000 && drops < 1400, `dropped ${drops} of 4000 at p = 0.3`);
  assert.equal(a.realised().dropped, drops);
  // Order independence: asking for seq 17 out of order gives the same answer.
  assert.deepEqual(new NtpFaultBehaviour(spec, 11).decisionFor(17), new NtpFaultBehaviour(spec, 11).decisionFor(17));
});

test('falseticker serves an offset time', () => {
  const b = new NtpFaultBehaviour({ falseticker_offset_ms: 30 });
  assert.equal(b.decide(ctx(1)).offsetNs, 30_000_000n);
  assert.equal(b.realised().serve_offset_ns, 30_000_000n);
});

test('long tail: pareto delays have a heavy tail and respect the cap', () => {
  const b = new NtpFaultBehaviour({ delay: { dist: 'pareto', min_ms: 0.1, alpha: 1.2, max_ms: 50 } }, 3);
  const xs: number[] = [];
  for (let i = 1; i <= 5000; i++) xs.push(b.decide(ctx(i)).replyDelayMs!);
  xs.sort((x, y) => x - y);
  assert.ok(xs[0]! >= 0.1);
  assert.ok(xs[xs.length - 1]! <= 50);
  const p50 = xs[2500]!;
  const p99 = xs[4950]!;
  assert.ok(p99 / p50 > 10, `tail ratio p99/p50 = ${p99 / p50}`);
});

test('validation errors name the field', () => {
  assert.throws(() => validateNtpFaultSpec({ loss: 1.5 }), /faults\.loss: must be ≤ 1/);
  assert.throws(
    () => validateNtpFaultSpec({ delay: { dist: 'gamma' } }),
    /faults\.delay\.dist: must be one of constant, uniform, normal, pareto/,
  );
  assert.throws(
    () => validateNtpFaultSpec({ delay: { dist: 'uniform', min_ms: 3, max_ms: 1 } }),
    /faults\.delay\.max_ms: must be ≥ min_ms/,
  );
  assert.throws(() => validateNtpFaultSpec({ reply_delay: -1 }), /faults\.reply_delay: must be ≥ 0/);
  assert.throws(() => validateNtpFaultSpec({ falsticker_offset_ms: 3 }), /faults\.falsticker_offset_ms: unknown field/);
});
