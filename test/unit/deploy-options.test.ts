// Every option a worker or coordinator accepts reaches the remote processes through the inventory,
// read from the CLI's own declarations (no list to keep in step).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import yargs, { type Argv } from 'yargs';
import { InventoryError, validateInventory } from '../../src/deploy/inventory.js';
import { coordinatorArgv, workerArgv, type RemoteCtx } from '../../src/deploy/process-argv.js';
import { allSpecs, loadRoleOptions, roleOptions } from '../../src/deploy/role-options.js';
import { cli } from '../../src/cli.js';

await loadRoleOptions(cli);

const ctx: RemoteCtx = { runId: 'R', absWorkDir: '/w', keyFile: null };
const base = (run: Record<string, unknown> = {}, w1: Record<string, unknown> = {}) => ({
  run: { duration_s: 2, ...run },
  ntp: { embedded_server: { port: 12300 } },
  coordinator: { name: 'coord', host: '10.0.0.1' },
  workers: [
    { name: 'w1', host: '10.0.0.2', ...w1 },
    { name: 'w2', host: '10.0.0.3' },
  ],
});
const after = (argv: string[], flag: string) => {
  const i = argv.lastIndexOf(flag);
  return i < 0 ? undefined : argv[i + 1];
};
function problems(raw: unknown): string[] {
  try {
    validateInventory(raw, 'inv.yaml');
  } catch (e) {
    assert.ok(e instanceof InventoryError, String(e));
    return e.messages;
  }
  return [];
}

test("defaults: bounded with the workers' default re-estimations (30 s, 60 s) → the coordinator waits 60 + 30 s for byes", () => {
  const inv = validateInventory(base({ sources: ['system', 'ntp', 'bounded'] }), 'inv.yaml');
  const c = coordinatorArgv(inv, ctx, new Map());
  assert.equal(after(c, '--end-timeout-s'), '90');
  assert.equal(inv.run.longestCommitWaitS, 60);
  assert.equal(inv.run.endTimeoutS, 90);
  assert.equal(after(workerArgv(inv, inv.workers[0], ctx), '--commit-wait-s'), undefined, 'the worker keeps its own default');
});

test('worker options from run and from a host (host wins): re-estimations, per-source options, chronotick, receive stamps', () => {
  const inv = validateInventory(
    base(
      {
        sources: ['system', 'ntp', 'bounded', 'chronotick'],
        commit_wait_s: [2, 5],
        recv_stamp: 'user',
        chronotick_url: 'http://10.0.0.9:8124',
        source_options: { bounded: { k: 3 } },
        poll_ms: 200,
        warmup_max_s: 4,
      },
      { commit_wait_s: '1,12', recv_stamp: 'kernel', clock_faults: { offset_ms: 5 } },
    ),
    'inv.yaml',
  );
  const w1 = workerArgv(inv, inv.workers[0], ctx);
  const w2 = workerArgv(inv, inv.workers[1], ctx);
  assert.equal(after(w1, '--commit-wait-s'), '1,12');
  assert.equal(after(w2, '--commit-wait-s'), '2,5');
  assert.equal(after(w1, '--recv-stamp'), 'kernel');
  assert.equal(after(w2, '--recv-stamp'), 'user');
  assert.equal(after(w2, '--chronotick-url'), 'http://10.0.0.9:8124');
  assert.deepEqual(JSON.parse(after(w2, '--source-options')!), { bounded: { k: 3 } });
  assert.deepEqual(JSON.parse(after(w1, '--clock-faults')!), { offset_ms: 5 });
  assert.equal(after(w2, '--poll-ms'), '200');
  assert.equal(after(w2, '--warmup-max-s'), '4');
  const c = coordinatorArgv(inv, ctx, new Map());
  assert.equal(after(c, '--end-timeout-s'), '42', 'longest delay (12 s, w1) + 30 s');
  assert.equal(after(c, '--chronotick-url'), 'http://10.0.0.9:8124', 'the coordinator stamps with chronotick too');
  assert.equal(after(c, '--recv-stamp'), undefined, 'a worker-only option does not reach the coordinator');
  assert.equal(after(c, '--duration-s'), '2');
  // an explicit end timeout is kept
  const e = validateInventory(base({ end_timeout_s: 7 }), 'inv.yaml');
  assert.equal(after(coordinatorArgv(e, ctx, new Map()), '--end-timeout-s'), '7');
});

test('every worker and coordinator option is an inventory key', () => {
  const specs = roleOptions();
  for (const s of allSpecs(specs)) {
    const v = s.type === 'boolean' ? true : s.type === 'number' ? 1 : s.choices ? s.choices[0] : 'x';
    const p = problems(base({ [s.key]: v }));
    assert.ok(!p.some((x) => /unknown key/.test(x)), `${s.key}: ${JSON.stringify(p)}`);
  }
  for (const k of ['commit_wait_s', 'recv_stamp', 'source_options', 'chronotick_url', 'clock_faults', 'event_faults', 'rate', 'pattern']) {
    assert.ok(
      allSpecs(specs).some((s) => s.key === k),
      k,
    );
  }
});

test('the transport options reach the coordinator and every worker (inventory run.* keys, Slurm variables)', () => {
  const specs = roleOptions();
  for (const role of ['worker', 'coordinator'] as const)
    for (const [key, env] of [
      ['transport', 'TRANSPORT'],
      ['group', 'GROUP'],
      ['multicast_ttl', 'MULTICAST_TTL'],
      ['multicast_interface', 'MULTICAST_INTERFACE'],
    ])
      assert.ok(
        specs[role].some((s) => s.key === key && s.env === env),
        `${role}: ${key}`,
      );
  const p = problems(base({ transport: 'multicast', group: '10.1.2.3:47200' }));
  assert.ok(
    p.some((x) => /group.*10\.1\.2\.3 is not a multicast address/.test(x)),
    JSON.stringify(p),
  );
});

test('bad option values are refused before any host is contacted, naming the key and echoing the value', () => {
  const cases: Array<[Record<string, unknown>, Record<string, unknown>, RegExp]> = [
    [{ recv_stamp: 'sometimes' }, {}, /run\.recv_stamp: must be one of auto, kernel, user, got "sometimes"/],
    [{ commit_wait_s: 'soon' }, {}, /run\.commit_wait_s: --commit-wait-s "soon": must be comma-separated delays/],
    [{}, { warmup_max_s: -1 }, /workers\[0\]\.warmup_max_s: --warmup-max-s -1: must be a number/],
    [{ rate: 'fast' }, {}, /run\.rate: --rate: expected a number of events per second, got 'fast'/],
    [{ chronotick_url: 'ftp://x' }, {}, /run\.chronotick_url: .*use http/],
    [{ source_options: '{"bounded": 3}' }, {}, /run\.source_options: .*"bounded" must be an object/],
    [{}, { rate: 5 }, /workers\[0\]\.rate: unknown key/],
  ];
  for (const [run, w1, re] of cases) {
    const p = problems(base(run, w1));
    assert.ok(
      p.some((x) => re.test(x)),
      `expected ${re} in ${JSON.stringify(p)}`,
    );
  }
});

test("chronotick without a url is valid: it reads the daemon's shared memory on each host", () => {
  assert.deepEqual(problems(base({ sources: ['system', 'chronotick'] }, {})), []);
});

test("an option added to the coordinator's CLI later (e.g. --schedule) is an inventory key without further work", async () => {
  const fake: Argv = yargs([])
    .command('worker', 'w', (y: Argv) => y.option('node', { type: 'string' }).option('commit-wait-s', { type: 'string', default: '30,60' }))
    .command('coordinator', 'c', (y: Argv) =>
      y.option('workers', { type: 'string', array: true }).option('schedule', { type: 'string' }).option('rate', { type: 'number' }),
    );
  try {
    await loadRoleOptions(fake);
    assert.ok(roleOptions().coordinator.some((s) => s.key === 'schedule' && s.env === 'SCHEDULE'));
  } finally {
    await loadRoleOptions(cli);
  }
});
