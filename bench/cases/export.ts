// Export benchmark: generate a synthetic run (N events × W workers, analysis.ts's generator),
// analyse it once without figures, then time `exportRun` for Parquet and for the tidy CSV, each
// on its own, and report wall and CPU time and the files' sizes (docs/performance.md, "Tidy and
// Parquet exports").
//
//   node dist/bench/cases/export.js [events=100000] [workers=4] [--keep]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeRun } from '../../analysis/analyze.js';
import { exportRun, type ExportFormat } from '../../analysis/export/index.js';
import { generateSyntheticRun } from './analysis.js';

interface ExportTiming {
  format: ExportFormat;
  wallMs: number;
  cpuMs: number;
  readings: number;
  /** file name → bytes */
  bytes: Record<string, number>;
}

async function timeExport(
  dir: string,
  stats: Awaited<ReturnType<typeof analyzeRun>>['stats'],
  format: ExportFormat,
): Promise<ExportTiming> {
  rmSync(path.join(dir, 'export'), { recursive: true, force: true });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await exportRun(dir, stats, { formats: [format] });
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const bytes = Object.fromEntries(r.files.map((f) => [path.basename(f), statSync(f).size]));
  return { format, wallMs: Math.round(wallMs), cpuMs: Math.round((c.user + c.system) / 1000), readings: r.rows.readings, bytes };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const nums = args.filter((a) => /^\d+$/.test(a)).map(Number);
  const events = nums[0] ?? 100_000;
  const workers = nums[1] ?? 4;
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'chronoeval-bench-export-')), '20260101T000000Z-export');
  try {
    await generateSyntheticRun(dir, { events, workers });
    const inputBytes = ['coordinator.csv', ...Array.from({ length: workers }, (_, i) => `workers/w${i + 1}.csv`)]
      .map((f) => statSync(path.join(dir, f)).size)
      .reduce((a, b) => a + b, 0);
    const a0 = performance.now();
    const { stats } = await analyzeRun(dir, { format: 'native', windowsMs: [50, 100, 500, 1000] });
    const analyzeMs = Math.round(performance.now() - a0);
    const parquet = await timeExport(dir, stats, 'parquet');
    const tidy = await timeExport(dir, stats, 'tidy');
    process.stdout.write(
      JSON.stringify({
        events,
        workers,
        inputBytes,
        analyzeMs,
        parquet,
        tidy,
        maxRssKb: process.resourceUsage().maxRSS,
        load: os.loadavg(),
      }) + '\n',
    );
  } finally {
    if (args.includes('--keep')) process.stderr.write(`kept ${dir}\n`);
    else rmSync(path.dirname(dir), { recursive: true, force: true });
  }
}
