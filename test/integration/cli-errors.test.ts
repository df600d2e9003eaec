import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, tmpDir } from '../helpers.js';

/** Each bad input: a one-line error naming the problem on stderr, a non-zero exit. */
const cases: { name: string; args: string[]; expect: RegExp }[] = [
  { name: 'unknown flag', args: ['worker', '--node', 'a', '--insecure', '--bogus-flag', '1'], expect: /bogus-flag/ },
  { name: 'unknown command', args: ['frobnicate'], expect: /frobnicate|Unknown/i },
  { name: 'missing run dir', args: ['analyze', '/nonexistent/run-dir'], expect: /\/nonexistent\/run-dir/ },
  { name: 'missing config file', args: ['worker', '--config', '/nonexistent/conf.json', '--node', 'a'], expect: /conf\.json/ },
  { name: 'unknown source', args: ['worker', '--node', 'a', '--insecure', '--sources', 'system,sundial'], expect: /sundial/ },
  { name: 'no key and not insecure', args: ['worker', '--node', 'a', '--sources', 'system'], expect: /--key-file|--insecure/ },
  { name: 'bad node id', args: ['worker', '--node', '../etc', '--insecure', '--sources', 'system'], expect: /--node/ },
  { name: 'bad worker address', args: ['coordinator', '--workers', 'nohostport', '--insecure', '--sources', 'system', '--count', '1'], expect: /nohostport/ },
  { name: 'bad rate', args: ['coordinator', '--workers', '127.0.0.1:9', '--insecure', '--sources', 'system', '--rate', '-5', '--count', '1'], expect: /--rate/ },
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
