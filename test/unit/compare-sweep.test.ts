// compare on a sweep directory: the cells' run dirs and swept params come from sweep.json; a
// cell not run yet is left out and named; one figure per swept parameter, CIs across seeds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpDir } from '../support/helpers.js';
import { resolveCompareInputs } from '../../analysis/compare/inputs.js';
import { compareRuns } from '../../analysis/compare/index.js';

const R = (count: number, total: number) => ({ count, total, share: total ? count / total : null });

function fakeRun(dir: string, covered: number, errP99: number): void {
  mkdirSync(dir, { recursive: true });
  const stats = {
    schema_version: 1,
    run: { run_id: path.basename(dir), format: 'native', manifest: null },
    bound_quality: [
      { source: 'bounded', role: 'worker', node: null, coverage: R(covered, 100), abs_point_error: { n: 100, p50: 10, p99: errP99 } },
      { source: 'ntp', role: 'worker', node: null, coverage: null, abs_point_error: { n: 100, p50: 20, p99: errP99 * 2 } },
    ],
  };
  writeFileSync(path.join(dir, 'stats.json'), JSON.stringify(stats));
}

test('compare SWEEP_DIR: cells from sweep.json, pooled Wilson and t across seeds, a figure against the swept parameter', async () => {
  const root = tmpDir();
  const sweep = path.join(root, 'sweeps', 's1');
  mkdirSync(sweep, { recursive: true });
  const cells = [];
  for (const [i, rate] of [50, 500].entries())
    for (const seed of [1, 2]) {
      const dir = path.join(root, 'results', `r-${rate}-${seed}`);
      fakeRun(dir, 100 - i - seed, 1_000_000 * (i + 1) * seed);
      cells.push({ cell: `c${i}`, params: { rate }, seed, run_id: path.basename(dir), run_dir: dir, status: 'done', exit_code: 0 });
    }
  cells.push({ cell: 'c2', params: { rate: 5000 }, seed: 1, run_id: null, run_dir: null, status: 'pending', exit_code: null });
  writeFileSync(
    path.join(sweep, 'sweep.json'),
    JSON.stringify({
      sweep_id: 's1',
      created_utc: '',
      spec_file: '',
      spec: {},
      scenario: 'demo',
      seeds: [1, 2],
      parameters: ['rate'],
      cells,
      provenance: {},
    }),
  );
  const inputs = resolveCompareInputs([sweep]);
  assert.equal(inputs.runDirs.length, 4);
  assert.equal(inputs.defaultOutDir, path.join(sweep, 'compare'));
  assert.deepEqual(inputs.skipped, ['cell c2 seed 1: not run (pending)']);
  assert.throws(() => resolveCompareInputs([sweep, inputs.runDirs[0]!]), /is a sweep directory/);

  const r = await compareRuns({ runDirs: inputs.runDirs, params: inputs.params, outDir: inputs.defaultOutDir });
  assert.deepEqual([r.runs, r.cells], [4, 2]);
  const text = readFileSync(r.cellsCsv, 'utf8').trim().split('\n');
  assert.equal(
    text[0],
    'cell,param.rate,source,metric,node,unit,n,n_missing,count,total,estimate,ci_lo,ci_hi,method,seed_mean,seed_sd,seed_min,seed_max,seed_ci_lo,seed_ci_hi',
  );
  const cov50 = text.find((l) => l.startsWith('rate=50,50,bounded,coverage,,ratio,'))!.split(',');
  assert.deepEqual(cov50.slice(6, 10), ['2', '0', '197', '200'], 'counts pooled over the two seeds, exact');
  assert.equal(cov50[13], 'wilson');
  const err500 = text.find((l) => l.startsWith('rate=500,500,ntp,abs_point_error_p99,,ns,'))!.split(',');
  assert.equal(err500[10], '6000000', 'mean of 4 ms and 8 ms');
  assert.equal(err500[13], 't');
  assert.ok(existsSync(path.join(sweep, 'compare', 'figures', 'compare-rate.png')));
  assert.ok(r.figures.some((f) => f.endsWith('compare-rate.svg')));
  const summary = readFileSync(r.summaryCsv, 'utf8').split('\n');
  assert.match(summary[0]!, /^run_id,run_dir,kind,seed,cell,param\.rate,source,metric,node,unit,count,total,share,value$/);
  assert.match(readFileSync(r.page, 'utf8'), /stats\.json self_consistency/, 'what the runs lack is listed');
});
