// A legacy-format import (the first Python version's coordinator.csv + worker_<node>.csv) goes
// through the same analysis pass: its figures-data.json carries the causality sample, and figures
// without data (sync log, ground truth) are skipped with reasons.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeRun } from '../../analysis/analyze.js';
import { renderFiguresAndReport } from '../../analysis/report/index.js';
import { abs } from '../fixtures/analysis-run.js';
import { tmpDir } from '../support/helpers.js';

test('legacy run: causality timeline from the analysis pass, sync and coverage figures skipped with reasons', async () => {
  const dir = tmpDir('chronoeval-fig-legacy-');
  try {
    const n = 300;
    const coord = ['event_id,sequence_number,send_time_ns,ntp_offset_ms,ntp_uncertainty_ms,ntp_timestamp_ns'];
    const w = (node: string, skew: number): string[] => {
      const rows = [
        'event_id,node_id,sequence_number,receive_time_ns,coordinator_send_time_ns,ntp_offset_ms,ntp_uncertainty_ms,ntp_timestamp_ns',
      ];
      for (let i = 0; i < n; i++) {
        const send = 10 + i * 20;
        rows.push(`${i + 1},${node},${i},${abs(send + 0.4 + skew + (i % 7) * 0.05)},${abs(send)},0.1,5.0,`);
      }
      return rows;
    };
    for (let i = 0; i < n; i++) coord.push(`${i + 1},${i},${abs(10 + i * 20)},0.1,5.0,`);
    writeFileSync(path.join(dir, 'coordinator.csv'), coord.join('\n') + '\n');
    writeFileSync(path.join(dir, 'worker_a.csv'), w('a', 0).join('\n') + '\n');
    writeFileSync(path.join(dir, 'worker_b.csv'), w('b', -0.6).join('\n') + '\n'); // b's clock is 0.6 ms behind: violations
    const { stats } = await analyzeRun(dir, { format: 'legacy', windowsMs: [100] });
    const r = await renderFiguresAndReport(dir, stats);
    assert.deepEqual(r.failed, []);
    const skipped = Object.fromEntries(r.skipped.map((s) => [s.name, s.reason]));
    assert.match(skipped['clock-offsets'] ?? '', /no sync/);
    assert.match(skipped['coverage'] ?? '', /no ground truth/);
    assert.ok(!('causality-timeline' in skipped), 'causality drawn');
    const html = readFileSync(r.report, 'utf8');
    assert.doesNotMatch(html, /Drawn from stats\.json/, 'the sample of the analysis pass, not the fallback');
    const svg = readFileSync(path.join(dir, 'figures', 'causality-timeline.svg'), 'utf8');
    const pooled = stats.causality.find((c) => c.source === 'system' && c.node === null)!;
    assert.ok(pooled.point.violations.count > 0, 'the fixture does produce violations');
    assert.ok(svg.includes(`${pooled.point.violations.count} violation(s) among all pairs`), 'subtitle carries the analysis count');
  } finally {
    if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true });
    else console.log(dir);
  }
});
