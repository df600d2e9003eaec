import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkTransportSpec,
  isMulticastAddress,
  multicastFromArgs,
  parseGroup,
  transportArgs,
  transportProblems,
} from '../../src/net/multicast.js';
import { validateCoordinatorOptions, validateWorkerOptions } from '../../src/cli/config-validation.js';
import { validateScenario } from '../../src/scenario/validate.js';
import { SCENARIO_DEFAULTS } from '../../src/scenario/defaults.js';
import { coordinatorArgs, workerArgs } from '../../src/scenario/process-args.js';
import { planScenario } from '../../src/scenario/plan.js';

test('multicast addresses: IPv4 224/4 and IPv6 ff00::/8 only', () => {
  for (const a of ['224.0.0.1', '239.1.2.3', 'ff15::1234', 'FF02::1']) assert.ok(isMulticastAddress(a), a);
  for (const a of ['223.255.255.255', '240.0.0.1', '10.0.0.1', 'fe80::1', '::1', 'ff15::zz', 'host']) assert.ok(!isMulticastAddress(a), a);
});

test('--group parses ADDR:PORT and [IPv6]:PORT, and says what is wrong otherwise', () => {
  assert.deepEqual(parseGroup('239.1.2.3:47200'), { address: '239.1.2.3', port: 47200, family: 4 });
  assert.deepEqual(parseGroup('[ff15::1234]:47200'), { address: 'ff15::1234', port: 47200, family: 6 });
  const err = (s: string): string => (parseGroup(s) as { error: string }).error;
  assert.match(err('239.1.2.3'), /has no port/);
  assert.match(err('[ff15::1]'), /has no port/);
  assert.match(err('ff15::1:47200'), /not ADDR:PORT/);
  assert.match(err('10.1.2.3:47200'), /10\.1\.2\.3 is not a multicast address/);
  assert.match(err('239.1.2.3:0'), /port 0 is not 1-65535/);
  assert.match(err('239.1.2.3:70000'), /port 70000/);
  assert.match(err('group.example:47200'), /not a numeric/);
});

test('transport options: multicast needs a group; the multicast flags need --transport multicast', () => {
  assert.deepEqual(transportProblems({ transport: 'unicast' }), []);
  assert.deepEqual(transportProblems({}), []);
  assert.match(transportProblems({ transport: 'unicast', group: '239.1.2.3:1' })[0]![2], /only used with --transport multicast/);
  assert.match(transportProblems({ 'multicast-ttl': 4 })[0]![2], /only used with --transport multicast/);
  assert.match(transportProblems({ transport: 'multicast' })[0]![2], /required with --transport multicast/);
  assert.match(transportProblems({ transport: 'multicast', group: '239.1.2.3:1', 'multicast-ttl': 256 })[0]![2], /0-255/);
  assert.match(transportProblems({ transport: 'multicast', group: '239.1.2.3:1', 'multicast-interface': ' ' })[0]![2], /local address/);
  assert.equal(multicastFromArgs({ transport: 'unicast' }), null);
  assert.deepEqual(multicastFromArgs({ transport: 'multicast', group: '239.1.2.3:47200' }), {
    group: { address: '239.1.2.3', port: 47200, family: 4 },
    ttl: 1,
    iface: '',
  });
  assert.throws(
    () => multicastFromArgs({ transport: 'multicast', group: '10.0.0.1:5' }),
    /--group "10\.0\.0\.1:5" 10\.0\.0\.1 is not a multicast/,
  );
});

test('the coordinator and the worker refuse bad transport options before anything opens', () => {
  const base = { workers: ['127.0.0.1:47100'], sources: 'system', insecure: true };
  assert.throws(
    () => validateCoordinatorOptions({ ...base, group: '239.1.2.3:47200' }, ['system']),
    /--group.*only used with --transport multicast/,
  );
  assert.throws(
    () => validateWorkerOptions({ node: 'w1', sources: 'system', insecure: true, transport: 'multicast' }, ['system']),
    /--group/,
  );
  // Echoes come back over IPv4: an IPv6 group takes --echo off.
  const v6 = { ...base, transport: 'multicast', group: '[ff15::1]:47200' };
  assert.throws(() => validateCoordinatorOptions(v6, ['system']), /IPv6 --group takes --echo off/);
  validateCoordinatorOptions({ ...v6, echo: 'off' }, ['system']);
});

test("a scenario's transport reaches the coordinator and every worker as flags", () => {
  const m = { kind: 'multicast', group: '239.1.2.3:47200', ttl: 2, interface: 'lo' } as const;
  assert.deepEqual(checkTransportSpec(m), m);
  assert.deepEqual(transportArgs(m), [
    '--transport',
    'multicast',
    '--group',
    '239.1.2.3:47200',
    '--multicast-ttl',
    '2',
    '--multicast-interface',
    'lo',
  ]);
  assert.deepEqual(transportArgs('unicast'), []);
  assert.match((checkTransportSpec({ kind: 'multicast', group: '10.0.0.1:1' }) as { problem: string }).problem, /not a multicast address/);
  assert.equal((checkTransportSpec({ kind: 'multicast', group: '239.1.2.3:1', ttl: -1 }) as { field: string }).field, 'transport.ttl');
  assert.equal((checkTransportSpec({ kind: 'multicast', grup: 'x' }) as { field: string }).field, 'transport.grup');
  assert.match((checkTransportSpec('broadcast') as { problem: string }).problem, /use "unicast" or/);

  const s = validateScenario({ ...SCENARIO_DEFAULTS, name: 'mc', sources: ['system'], transport: m });
  const plan = planScenario(s, 1);
  assert.deepEqual(workerArgs(plan.workers[0]!, { main: '127.0.0.1:123' }).slice(-8), transportArgs(m));
  assert.deepEqual(coordinatorArgs(plan.coordinator, ['127.0.0.1:1'], { main: '127.0.0.1:123' }).slice(-8), transportArgs(m));
  assert.throws(
    () => validateScenario({ ...SCENARIO_DEFAULTS, name: 'mc', sources: ['system'], transport: m, event_faults: { all: { loss: 0.1 } } }),
    /event faults are per worker/,
  );
});
