// Ground truth across processes: a truth anchor (realtime, CLOCK_MONOTONIC) taken once gives
// every process of a run the same true time, because CLOCK_MONOTONIC is one clock per host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { measureTruthAnchor } from '../../src/sim/faulty-clock.js';
import { PACKAGE_ROOT } from '../support/helpers.js';

test('two processes given one truth anchor agree on true time (bracketed by the parent)', () => {
  const anchor = measureTruthAnchor();
  const mod = new URL(`file://${PACKAGE_ROOT}/dist/src/sim/faulty-clock.js`).href;
  const script = `import { FaultyClock } from '${mod}';
    const c = new FaultyClock({ truth_anchor: ${JSON.stringify(anchor)} });
    const xs = [];
    for (let i = 0; i < 5; i++) { xs.push(String(c.trueNowNs())); }
    process.stdout.write(JSON.stringify(xs));`;
  const parent = new (class {
    d = BigInt(anchor.real_ns) - BigInt(anchor.mono_ns);
    now(): bigint {
      return process.hrtime.bigint() + this.d;
    }
  })();
  const before = parent.now();
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  const after = parent.now();
  const child = (JSON.parse(out) as string[]).map(BigInt);
  for (const t of child) {
    assert.ok(t > before && t < after, `child true time ${t} within the parent's bracket [${before}, ${after}]`);
  }
  for (let i = 1; i < child.length; i++) assert.ok(child[i]! >= child[i - 1]!, 'monotonic');
});
