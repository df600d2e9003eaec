// compare end to end: two real seeds of a tiny scenario through run-local --repeat (which writes
// the compare output itself), then `chronoeval compare` on those runs plus a deploy-kind copy and
// a legacy copy without manifest; bad input exits 2 and writes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, tmpDir } from '../support/helpers.js';
import { readPngMeta } from '../../analysis/figures/png-meta.js';

function csvRows(file: string): Record<string, string>[] {
  const [head, ...lines] = readFileSync(file, 'utf8').trimEnd().split('\n');
  const cols = head!.split(',');
  // No quoted cells in these files (run dirs and ids have no commas): split is enough here.
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i]!, v])));
}

test(
  'run-local --repeat 2 writes the compare output; compare works on local, deploy-kind and legacy runs',
  { timeout: 120_000 },
  async () => {
    const dir = tmpDir();
    const scenario = path.join(dir, 'tiny.json');
    writeFileSync(
      scenario,
      JSON.stringify({ name: 'tiny', workers: 2, rate: 50, count: 20, warmup_max_s: 3, sources: ['system', 'ntp', 'bounded'] }),
    );
    const results = path.join(dir, 'results');
    const r = await runCli(
      ['run-local', '--scenario', scenario, '--repeat', '2', '--results-dir', results, '--logs-dir', path.join(dir, 'logs')],
      { timeoutMs: 100_000 },
    );
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /Compared 2 run\(s\) in 1 cell\(s\)/);
    assert.match(r.stdout, /bounded\s+coverage\s+2\s+[\d.]+ % \[[\d.]+ %, [\d.]+ %\]/, 'a pooled coverage with its interval');
    const repeatOut = readdirSync(path.join(dir, 'compare')).map((d) => path.join(dir, 'compare', d));
    assert.equal(repeatOut.length, 1);
    assert.ok(r.stderr.includes(path.join(repeatOut[0]!, 'compare.html')), 'the page is named on the terminal');
    for (const f of ['summary.csv', 'cells.csv', 'compare.html']) assert.ok(existsSync(path.join(repeatOut[0]!, f)), f);
    assert.deepEqual(readdirSync(results).length, 2, 'the results directory keeps only runs');

    // A deploy-kind run and a legacy run (no manifest, none in stats.json either) made from copies.
    const [a, b] = readdirSync(results).map((d) => path.join(results, d));
    const deployRun = path.join(dir, 'other', 'deploy-run');
    cpSync(a!, deployRun, { recursive: true });
    const m = JSON.parse(readFileSync(path.join(deployRun, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(path.join(deployRun, 'manifest.json'), JSON.stringify({ ...m, kind: 'deploy', run_id: 'deploy-run' }));
    const legacyRun = path.join(dir, 'other', 'legacy-run');
    cpSync(b!, legacyRun, { recursive: true });
    rmSync(path.join(legacyRun, 'manifest.json'));
    rmSync(path.join(legacyRun, 'checks.json'));
    const st = JSON.parse(readFileSync(path.join(legacyRun, 'stats.json'), 'utf8')) as { run: Record<string, unknown> } & Record<
      string,
      unknown
    >;
    delete st['bracketed'];
    delete st['self_consistency'];
    writeFileSync(path.join(legacyRun, 'stats.json'), JSON.stringify({ ...st, run: { ...st.run, manifest: null, run_id: null } }));

    const out = path.join(dir, 'cmp');
    const c = await runCli(['compare', a!, b!, deployRun, legacyRun, '--out', out], { timeoutMs: 60_000 });
    assert.equal(c.code, 0, `${c.stdout}\n${c.stderr}`);
    const summary = csvRows(path.join(out, 'summary.csv'));
    const ids = new Set(summary.map((row) => row['run_id']));
    assert.equal(ids.size, 4, [...ids].join(' '));
    assert.ok(ids.has('deploy-run') && ids.has('legacy-run'));
    assert.ok('param.kind' in summary[0]!, 'kind differs: a parameter column');
    assert.deepEqual(new Set(summary.map((row) => row['param.kind'])), new Set(['local', 'deploy', '']));
    const cov = summary.find((row) => row['metric'] === 'coverage' && row['source'] === 'bounded' && row['node'] === '')!;
    assert.match(cov['count']!, /^\d+$/, 'counts are exact integers');
    assert.equal(summary.filter((row) => row['run_id'] === 'legacy-run' && row['metric'] === 'bracketed_provable_miss').length, 0);
    const cells = csvRows(path.join(out, 'cells.csv'));
    assert.ok(cells.some((row) => row['metric'] === 'coverage' && row['method'] === 'wilson'));
    const page = readFileSync(path.join(out, 'compare.html'), 'utf8');
    assert.match(page, /legacy-run/);
    assert.match(page, /manifest\.json/, 'the legacy run says what it lacks');
    const pngs = readdirSync(path.join(out, 'figures')).filter((f) => f.endsWith('.png'));
    assert.ok(pngs.length >= 1);
    assert.equal(readPngMeta(readFileSync(path.join(out, 'figures', pngs[0]!))).dpiX, 300);

    // Bad input: exit 2, the value echoed, nothing written.
    const badOut = path.join(dir, 'bad');
    const bad = await runCli(['compare', a!, path.join(dir, 'no-such-run'), '--out', badOut]);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /no-such-run.*does not exist/);
    assert.equal(existsSync(badOut), false);
    const twice = await runCli(['compare', a!, a!, '--out', badOut]);
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, /given twice/);
    assert.equal(existsSync(badOut), false);
  },
);
