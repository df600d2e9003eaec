import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveScenario } from '../../src/scenario/load.js';
import { coordinatorArgs, planScenario } from '../../src/scenario/index.js';
import { validateCoordinatorOptions } from '../../src/cli/config-validation.js';
import { KNOWN_SOURCES } from '../../src/clock/registry.js';

test('scenario echo: on by default, N or { every: N } one in N, overridden by --echo, passed to the coordinator', () => {
  assert.equal(resolveScenario([{ name: 'x' }]).echo, 'on');
  assert.deepEqual(resolveScenario([{ name: 'x', echo: 5 }]).echo, { every: 5 });
  assert.deepEqual(resolveScenario([{ name: 'x', echo: { every: 4 } }]).echo, { every: 4 });
  assert.equal(resolveScenario([{ name: 'x', echo: 1 }]).echo, 'on');
  assert.equal(resolveScenario([{ name: 'x', echo: 5 }], { echo: 'off' }).echo, 'off');
  const args = (echo: unknown): string[] =>
    coordinatorArgs(planScenario(resolveScenario([{ name: 'x', echo }])).coordinator, ['127.0.0.1:1'], { main: '127.0.0.1:123' });
  const at = (a: string[]): string | undefined => a[a.indexOf('--echo') + 1];
  assert.equal(at(args('off')), 'off');
  assert.equal(at(args(7)), '7');
  assert.equal(at(args('on')), 'on');
});

test('a bad scenario echo or --echo is an error that echoes the value', () => {
  for (const bad of ['sometimes', 0, -2, 2.5, { every: 0 }, true])
    assert.throws(
      () => resolveScenario([{ name: 'x', echo: bad }]),
      (e: Error) =>
        /echo: got .*use "on", "off", a whole number N ≥ 1/.test(e.message) &&
        e.message.includes(typeof bad === 'object' ? 'every' : String(bad)),
      JSON.stringify(bad),
    );
  const base = { workers: ['127.0.0.1:4000'], insecure: true, sources: 'system' };
  assert.throws(
    () => validateCoordinatorOptions({ ...base, echo: 'maybe' }, KNOWN_SOURCES),
    /--echo "maybe": must be on, off or a whole number N ≥ 1/,
  );
  for (const ok of ['on', 'off', '1', '10']) validateCoordinatorOptions({ ...base, echo: ok }, KNOWN_SOURCES);
});
