// Benchmark: how long report.html takes in a real headless Chromium (Debian's /usr/bin/chromium,
// through playwright-core) from navigation until every figure is drawn — the page's own clock
// (html[data-figures-ms]) — and the main thread's busy time over the same span (CDP
// Performance.getMetrics TaskDuration in thread ticks: on a shared machine wall time mostly
// measures the neighbours). Network cut: any request that is not file: or data: is refused.
// Each load is a fresh page; the best of `loads` is reported beside all of them.
//   node dist/bench/cases/report-load.js RUN_DIR/report.html [loads]
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';

export interface ReportLoad {
  bytes: number;
  loads: { wallMs: number; cpuMs: number; failedFigures: number }[];
  bestWallMs: number;
  bestCpuMs: number;
}

/** null when Chromium is not installed (the reason is the caller's to print). */
export async function measureReportLoad(report: string, loads = 3): Promise<ReportLoad | null> {
  if (!existsSync(CHROMIUM)) return null;
  const profile = mkdtempSync(path.join(os.tmpdir(), 'chronoeval-bench-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    viewport: { width: 1280, height: 900 },
  });
  try {
    const out: ReportLoad['loads'] = [];
    for (let i = 0; i < loads; i++) {
      const page = await ctx.newPage();
      await page.route('**/*', (r) => (/^(file|data):/.test(r.request().url()) ? r.continue() : r.abort()));
      const cdp = await ctx.newCDPSession(page);
      await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
      const busy = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ?? NaN;
      const b0 = await busy();
      await page.goto(pathToFileURL(report).href);
      await page.waitForSelector('html[data-figures="done"]', { timeout: 120_000 });
      const cpuMs = Math.round(1000 * ((await busy()) - b0));
      out.push({
        wallMs: Number(await page.getAttribute('html', 'data-figures-ms')),
        cpuMs,
        failedFigures: Number(await page.getAttribute('html', 'data-figures-failed')),
      });
      await page.close();
    }
    return {
      bytes: statSync(report).size,
      loads: out,
      bestWallMs: Math.min(...out.map((l) => l.wallMs)),
      bestCpuMs: Math.min(...out.map((l) => l.cpuMs)),
    };
  } finally {
    await ctx.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const report = process.argv[2];
  if (!report) {
    process.stderr.write('usage: node dist/bench/cases/report-load.js RUN_DIR/report.html [loads]\n');
    process.exit(2);
  }
  measureReportLoad(path.resolve(report), process.argv[3] ? Number(process.argv[3]) : undefined)
    .then((r) =>
      process.stdout.write(`${r ? JSON.stringify({ ...r, loadAverage: os.loadavg() }, null, 2) : `${CHROMIUM} not installed`}\n`),
    )
    .catch((e) => {
      process.stderr.write(`${e instanceof Error ? e.stack : e}\n`);
      process.exit(1);
    });
}
