import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, tmpDir } from '../support/helpers.js';

/** Each bad input: a one-line error naming the problem on stderr, a non-zero exit. */
const cases: { name: string; args: string[]; expect: RegExp }[] = [
  { name: 'unknown flag', args: ['worker', '--node', 'a', '--insecure', '--bogus-flag', '1'], expect: /bogus-flag/ },
  { name: 'unknown command', args: ['frobnicate'], expect: /frobnicate|Unknown/i },
  { name: 'missing run dir', args: ['analyze', '/nonexistent/run-dir'], expect: /\/nonexistent\/run-dir/ },
  { name: 'missing config file', args: ['worker', '--config', '/nonexistent/conf.json', '--node', 'a'], expect: /conf\.json/ },
  { name: 'unknown source', args: ['worker', '--node', 'a', '--insecure', '--sources', 'system,sundial'], expect: /sundial/ },
  { name: 'no key and not insecure', args: ['worker', '--node', 'a', '--sources', 'system'], expect: /--key-file|--insecure/ },
  { name: 'bad node id', args: ['worker', '--node', '../etc', '--insecure', '--sources', 'system'], expect: /--node/ },
  {
    name: 'bad worker address',
    args: ['coordinator', '--workers', 'nohostport', '--insecure', '--sources', 'system', '--count', '1'],
    expect: /nohostport/,
  },
  {
    name: 'bad rate',
    args: ['coordinator', '--workers', '127.0.0.1:9', '--insecure', '--sources', 'system', '--rate', '-5', '--count', '1'],
    expect: /--rate/,
  },
];

for (const c of cases) {
  test(`bad input gives a clear error: ${c.name}`, async () => {
    const dir = tmpDir();
    const dirs = c.args[0] === 'analyze' ? [] : ['--results-dir', path.join(dir, 'r'), '--logs-dir', path.join(dir, 'l')];
    const r = await runCli([...c.args, ...dirs], { timeoutMs: 20_000 });
    assert.notEqual(r.code, 0, `exit code for ${c.name}`);
    assert.match(r.stderr, c.expect);
    const first = r.stderr.split('\n')[0]!;
    assert.match(first, /^chronoeval: /, `first line is the error: ${r.stderr}`);
  });
}

test('a config file supplies options and flags override it', async () => {
  const dir = tmpDir();
  const conf = path.join(dir, 'c.json');
  writeFileSync(conf, JSON.stringify({ sources: 'system,sundial' }));
  const r = await runCli(['worker', '--config', conf, '--node', 'a', '--insecure', '--results-dir', dir, '--logs-dir', dir]);
  assert.match(r.stderr, /sundial/, 'config value was read');
});

test('run-local --help says what --seed replays (faults and schedule, not measurements) and documents --schedule', async () => {
  const r = await runCli(['run-local', '--help'], { timeoutMs: 20_000 });
  assert.equal(r.code, 0, r.stderr);
  const help = r.stdout.replace(/\s+/g, ' ');
  assert.match(help, /--seed .*replays the same injected faults and event schedule, not the same measurements/);
  assert.doesNotMatch(help, /replays a run exactly/);
  assert.match(help, /--schedule .*jittered.*poisson.*fixed/);
});

// Every numeric flag of every command: text that is not a number, and the flag typed without a
// value, are errors that echo what was typed and end with that command's own --help; nothing is
// created. (yargs' number type printed "got NaN", and a bare flag silently ran the default.)
const W = ['--insecure', '--sources', 'system'];
const C = ['--workers', '127.0.0.1:9', '--insecure', '--sources', 'system'];
// One flag per command here (each case is a process); that every numeric flag goes through the
// same parser is checked in test/unit/cli-flag-values.test.ts.
const numeric: { cmd: string; pre: string[]; flag: string }[] = [
  { cmd: 'run-local', pre: [], flag: 'duration-s' },
  { cmd: 'worker', pre: ['--node', 'a', ...W], flag: 'port' },
  { cmd: 'coordinator', pre: C, flag: 'ready-timeout-s' },
  { cmd: 'ntp-server', pre: [], flag: 'stratum' },
];
const bare: { cmd: string; pre: string[]; flag: string }[] = [
  { cmd: 'run-local', pre: [], flag: 'rate' },
  { cmd: 'coordinator', pre: C, flag: 'rate' }, // has a default (50), which yargs used to hand over
  { cmd: 'worker', pre: ['--node', 'a', ...W], flag: 'port' },
];
const lists: { cmd: string; pre: string[]; flag: string }[] = [{ cmd: 'worker', pre: ['--node', 'a', ...W], flag: 'commit-wait-s' }];

/** Run a few CLI invocations at a time (each is a short-lived process). */
async function each<T>(items: T[], fn: (x: T) => Promise<void>, width = 4): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let x = queue.shift(); x !== undefined; x = queue.shift()) await fn(x);
    }),
  );
}

async function expectBadInput(args: string[], cmd: string, expect: RegExp): Promise<void> {
  const dir = tmpDir();
  const dirs = cmd === 'analyze' ? [] : ['--results-dir', path.join(dir, 'r'), '--logs-dir', path.join(dir, 'l')];
  const r = await runCli([cmd, ...args, ...dirs], { timeoutMs: 20_000 });
  const shown = `chronoeval ${cmd} ${args.join(' ')}\n${r.stderr}`;
  assert.equal(r.code, 2, `exit 2 (bad input): ${shown}`);
  assert.match(r.stderr, /^chronoeval: /, shown);
  assert.match(r.stderr, expect, shown);
  assert.doesNotMatch(r.stderr, /NaN/, shown);
  assert.match(r.stderr.trimEnd(), new RegExp(`See: chronoeval ${cmd} --help$`), `ends with the command's own --help: ${shown}`);
  assert.deepEqual(readdirSync(dir), [], `nothing created: ${shown}`);
}

test('a numeric flag given text that is not a number echoes it, never NaN', { timeout: 60_000 }, async () => {
  await each(numeric, (c) => expectBadInput([...c.pre, `--${c.flag}`, 'abc'], c.cmd, new RegExp(`--${c.flag}: expected .*, got 'abc'`)));
  await each(lists, (c) =>
    expectBadInput([...c.pre, `--${c.flag}`, '2,abc'], c.cmd, new RegExp(`--${c.flag}: expected .*, got 'abc' in '2,abc'`)),
  );
  await expectBadInput(['/nonexistent', '--windows-ms', '50,abc'], 'analyze', /--windows-ms: expected .*, got 'abc' in '50,abc'/);
});

test('a numeric flag typed without a value is an error, not its default', { timeout: 60_000 }, async () => {
  // The flag last (the dirs come after it), and the flag followed by another flag.
  await each(bare, (c) =>
    expectBadInput([...c.pre, `--${c.flag}`], c.cmd, new RegExp(`--${c.flag}: expected a value after the flag, got none`)),
  );
  await expectBadInput(['--rate', '--figures'], 'run-local', /--rate: expected a value after the flag, got none/);
});

test('a numeric value in a --config file is checked like a typed one', async () => {
  const dir = tmpDir();
  const conf = path.join(dir, 'c.json');
  writeFileSync(conf, JSON.stringify({ 'duration-s': 'soon' }));
  await expectBadInput(['--config', conf], 'run-local', /--duration-s: expected a number of seconds, got 'soon'/);
});

test('a missing --config file says it is missing, not "Invalid JSON"', async () => {
  await expectBadInput(
    ['--config', '/nonexistent/conf.json'],
    'run-local',
    /--config '\/nonexistent\/conf\.json': cannot read it \(no such file, ENOENT\)/,
  );
  const dir = tmpDir();
  const bad = path.join(dir, 'bad.json');
  writeFileSync(bad, '{"rate": 5,');
  await expectBadInput(['--config', bad], 'run-local', /--config '.*bad\.json': not valid JSON/);
});

test(
  'invalid --commit-wait-s, --source-options or an unresolvable worker host leave no (empty) log file',
  { timeout: 60_000 },
  async () => {
    await expectBadInput(['--node', 'a', ...W, '--commit-wait-s', '30,x'], 'worker', /--commit-wait-s/);
    await expectBadInput(['--node', 'a', ...W, '--source-options', '{"bounded":'], 'worker', /--source-options: not valid JSON/);
    await expectBadInput(
      ['--workers', 'nosuchhost.invalid:9', '--insecure', '--sources', 'system', '--count', '1'],
      'coordinator',
      /cannot resolve host "nosuchhost\.invalid"/,
    );
    await expectBadInput(
      [...C, '--count', '1', '--source-options', '{"bounded":[]}'],
      'coordinator',
      /--source-options: "bounded" must be an object/,
    );
  },
);
