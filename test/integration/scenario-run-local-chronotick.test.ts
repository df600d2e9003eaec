// run-local stamps with `chronotick` fed by the independent segment writer
// (test/support/chronotick_writer.py). Under simulation every process's clock is the host clock plus
// a fault, and the daemon describes the host clock (true time here), so the true correction is 0:
// the writer first publishes 0 ± 0.2 ms (fusion, confidence 0.9), then mid-run a wrong 2 ms with a
// claimed ± 0.1 ms (cpu_model, confidence 0.2). Every row of the first kind must contain true time,
// every row of the second must miss it, and stats.json's coverage must count exactly that.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { CLI_PATH, PACKAGE_ROOT, tmpDir } from '../support/helpers.js';
import { WRITER_FLAGS as F, WRITER_SOURCE as S, startChronoTickWriter } from '../support/chronotick-writer.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const ALL = F.VALID | F.NTP_READY | F.MODELS_READY | F.WARMUP_COMPLETE;

const readCsv = (file: string): Array<Record<string, string>> =>
  parse(readFileSync(file, 'utf8'), { columns: true }) as Array<Record<string, string>>;

test(
  'run-local: a scenario stamps with chronotick from the shared-memory segment; ct_source, ct_confidence and coverage follow the writer',
  { timeout: 120_000 },
  async (t) => {
    const dir = tmpDir('chronotick-run-');
    const seg = path.join(dir, 'chronotick_shm');
    const scenario = path.join(dir, 'chronotick-shm.json');
    writeFileSync(
      scenario,
      JSON.stringify({
        name: 'chronotick-shm',
        description: 'chronotick from a test writer',
        workers: 2,
        rate: 40,
        duration_s: 6,
        poll_ms: 200,
        warmup_max_s: 20,
        commit_wait_s: [0.2],
        sources: ['system', 'chronotick'],
        worker_defaults: { clock_faults: { offset_ms: 5, drift_ppm: 30 } },
        per_worker: { w2: { clock_faults: { offset_ms: -3, drift_ppm: -20 } } },
        source_options: { chronotick: { path: seg, k: 3 } },
      }),
    );
    const w = await startChronoTickWriter(seg);
    try {
      await w.set({ flags: ALL, offset_s: 0, offset_unc_s: 2e-4, source: S.FUSION, confidence: 0.9 });
      await w.cmd({ op: 'loop', period_ms: 20 });
      const results = path.join(dir, 'r');
      const child = spawn(
        process.execPath,
        [CLI_PATH, 'run-local', '--scenario', scenario, '--no-figures', '--results-dir', results, '--logs-dir', path.join(dir, 'l')],
        { cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));

      // Switch to the lie once w1 has recorded some rows.
      const rowsOf = (): number => {
        const run = existsSync(results) ? readdirSync(results)[0] : undefined;
        const f = run ? path.join(results, run, 'workers', 'w1.csv') : '';
        return f && existsSync(f) ? readFileSync(f, 'utf8').split('\n').length - 2 : 0;
      };
      const deadline = Date.now() + 90_000;
      while (rowsOf() < 80 && Date.now() < deadline && child.exitCode === null) await sleep(100);
      await w.set({ offset_s: 0.002, offset_unc_s: 1e-4, source: S.CPU_MODEL, confidence: 0.2 });
      await w.cmd({ op: 'loop', period_ms: 20 });
      const code = await exited;
      assert.equal(code, 0, out.slice(-3000));

      const runDir = path.join(results, readdirSync(results)[0]!);
      let honest = 0;
      let lying = 0;
      let empty = 0;
      for (const node of ['w1', 'w2']) {
        const rows = readCsv(path.join(runDir, 'workers', `${node}.csv`));
        assert.ok('ct_source' in rows[0]! && 'ct_confidence' in rows[0]!, 'the ct columns are in the worker file');
        for (const r of rows) {
          const truth = BigInt(r.true_recv_ns!);
          if (r.chronotick_ns === '') {
            empty++;
            assert.equal(r.ct_source, '', 'no value → no ct_source');
            assert.equal(r.ct_confidence, '');
            continue;
          }
          const [lo, hi] = [BigInt(r.chronotick_lo_ns!), BigInt(r.chronotick_hi_ns!)];
          if (r.ct_confidence === '0.9') {
            honest++;
            assert.equal(r.ct_source, 'fusion');
            assert.ok(lo <= truth && truth <= hi, `honest row ${r.seq} of ${node}: [${lo}, ${hi}] contains ${truth}`);
            assert.equal(hi - lo, 1_200_000n, '± 3 × 0.2 ms');
          } else {
            assert.equal(r.ct_confidence, '0.2');
            assert.equal(r.ct_source, 'cpu_model');
            lying++;
            assert.ok(lo > truth, `lying row ${r.seq} of ${node}: [${lo}, ${hi}] misses ${truth}`);
          }
        }
      }
      t.diagnostic(`rows: ${honest} honest, ${lying} lying, ${empty} without value`);
      assert.ok(honest >= 80 && lying >= 20, `both phases recorded (${honest} honest, ${lying} lying)`);

      type Coverage = { total: number; count: number; share: number };
      const stats = JSON.parse(readFileSync(path.join(runDir, 'stats.json'), 'utf8')) as {
        bound_quality: Array<{ source: string; role: string; node: string | null; coverage: Coverage }>;
      };
      const pooled = stats.bound_quality.find((b) => b.source === 'chronotick' && b.role === 'worker' && b.node === null);
      assert.ok(pooled, 'chronotick is judged in stats.json');
      t.diagnostic(`stats.json coverage: ${JSON.stringify(pooled.coverage)}`);
      assert.equal(pooled.coverage.total, honest + lying);
      assert.equal(pooled.coverage.count, honest, 'misses are counted, not hidden');

      // The sync log carries the source's status and reason on its timer.
      const sync = readCsv(path.join(runDir, 'sync', 'w1.csv')).filter((r) => r.source === 'chronotick');
      assert.ok(sync.some((r) => r.status === 'ok' && /ChronoTick: fusion, confidence 0\.9, seq \d+/.test(r.reason!)));
      assert.ok(sync.some((r) => /ChronoTick: cpu_model, confidence 0\.2/.test(r.reason!)));
    } finally {
      await w.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
