import { test } from 'node:test';
import assert from 'node:assert/strict';
import { echoSampleSinks, feedEchoSamples } from '../../src/worker/echo-samples.js';
import type { EchoSample } from '../../src/clock/sources/channel.js';
import type { ClockSource } from '../../src/clock/types.js';

test('piggybacked entries reach every stamped source that takes echo samples, as bigints, with the carrying arrival', () => {
  const got: EchoSample[] = [];
  const channel = { name: 'channel', addEchoSample: (s: EchoSample) => got.push(s) } as unknown as ClockSource;
  const system = { name: 'system' } as unknown as ClockSource;
  const sinks = echoSampleSinks([system, channel]);
  assert.equal(sinks.length, 1);
  feedEchoSamples(
    sinks,
    [
      [3, '100', '250', '1795281411557043000', '40'],
      [4, '-5', '300', '7', '0'],
    ],
    999n,
  );
  assert.deepEqual(got, [
    { seq: 3, s_ns: 100n, e_ns: 250n, r_ns: 1795281411557043000n, h_ns: 40n, atMonoNs: 999n },
    { seq: 4, s_ns: -5n, e_ns: 300n, r_ns: 7n, h_ns: 0n, atMonoNs: 999n },
  ]);
  assert.deepEqual(echoSampleSinks([system]), []);
});
