// `chronoeval slurm` and `sweep --via slurm` refuse bad input before anything is submitted or
// written (exit 2, what was typed echoed); no cluster needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, tmpDir } from '../support/helpers.js';
import { mergeInto } from '../../src/slurm/collect.js';

const NO_SLURM = { PATH: '/nonexistent' };

test('slurm without sbatch on PATH → exit 2 naming the missing commands', async () => {
  const dir = tmpDir();
  const r = await runCli(['slurm', '--results-dir', path.join(dir, 'r'), '--logs-dir', path.join(dir, 'l')], { env: NO_SLURM });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^chronoeval: sbatch, scontrol, sinfo, scancel not found on PATH/);
  assert.match(r.stderr, /See: chronoeval slurm --help/);
  assert.equal(existsSync(path.join(dir, 'l')), false, 'nothing written');
});

test('slurm: bad --nodes, --set and --duration-s are refused with what was typed', async () => {
  for (const [args, expect] of [
    [['--nodes', '1'], /--nodes 1: need at least 2/],
    [['--set', 'rate=5'], /--set "rate=5": expected NAME=VALUE with NAME in upper case/],
    [['--set', 'NOPE=1'], /--set "NOPE=1": NOPE is not a setting of deploy\/slurm\/chronoeval\.sbatch/],
    [['--duration-s', 'abc'], /--duration-s: .*'abc'/],
    [['--rate', '-5'], /invalid run settings: RATE: --rate -5: must be a number in/],
    [['--sources', 'system,sundial'], /sources "system,sundial": unknown sundial/],
    [['--set', 'COUNT=abc'], /^chronoeval: invalid run settings: COUNT: --count: expected a whole number of events, got 'abc'/],
    [['--node-dir', 'scratch/%N'], /--node-dir "scratch\/%N": must be an absolute path, e.g. --node-dir '\/tmp\/chronoeval-%N'/],
    [['--node-dir', '/scratch/%n'], /--node-dir "\/scratch\/%n": the only % pattern is %N/],
    [['--node-dir', '/scratch/%N', '--no-wait'], /--node-dir with --no-wait: nothing would collect the rows/],
  ] as const) {
    const r = await runCli(['slurm', ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, expect);
  }
});

test('sweep --via slurm: without sbatch, or with --resume → exit 2, no sweep directory', async () => {
  const dir = tmpDir();
  const spec = path.join(dir, 's.yaml');
  writeFileSync(spec, 'scenario: lan\nseeds: [1]\nmatrix:\n  rate: [50]\n');
  const sweeps = path.join(dir, 'sweeps');
  const r = await runCli(['sweep', spec, '--via', 'slurm', '--sweeps-dir', sweeps], { env: NO_SLURM });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /sbatch, scontrol, sinfo, scancel not found on PATH/);
  assert.equal(existsSync(sweeps), false);
  const res = await runCli(['sweep', spec, '--via', 'slurm', '--resume', path.join(dir, 'x')]);
  assert.equal(res.code, 2, res.stderr);
  assert.match(res.stderr, /--resume ".*x" with --via slurm: resuming submits nothing/);
});

test("collect: a node's files merge into the run directory and never overwrite one already there", () => {
  const dir = tmpDir();
  const from = path.join(dir, 'staging');
  const to = path.join(dir, 'run');
  mkdirSync(path.join(from, 'workers'), { recursive: true });
  mkdirSync(path.join(to, 'workers'), { recursive: true });
  writeFileSync(path.join(from, 'workers', 'w2.csv'), 'new w2');
  writeFileSync(path.join(from, 'manifest.json'), 'from n2');
  writeFileSync(path.join(to, 'workers', 'w1.csv'), 'w1');
  writeFileSync(path.join(to, 'manifest.json'), 'from n1');
  assert.equal(mergeInto(from, to, 'n2'), 2);
  assert.deepEqual(readdirSync(path.join(to, 'workers')).sort(), ['w1.csv', 'w2.csv']);
  assert.equal(readFileSync(path.join(to, 'manifest.json'), 'utf8'), 'from n1', 'the file already there is kept');
  assert.equal(readFileSync(path.join(to, 'manifest.json.from-n2'), 'utf8'), 'from n2', 'the incoming one lands beside it');
});
