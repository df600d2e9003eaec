/**
 * Baseline for the analysis figure: the least any analysis of a run must do — stream every CSV
 * under RUN_DIR once and split each line into fields — in a fresh process, timed like the
 * analysis child. Prints {"ms": T, "maxRssKiB": M, "lines": N}.
 * Usage: node scan-baseline.js RUN_DIR
 */
import { createReadStream, readdirSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';

function csvFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? csvFiles(p) : e.name.endsWith('.csv') ? [p] : [];
  });
}

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: scan-baseline.js RUN_DIR\n');
  process.exit(2);
}
const t0 = performance.now();
let lines = 0;
let fields = 0;
for (const f of csvFiles(dir)) {
  for await (const line of createInterface({ input: createReadStream(f), crlfDelay: Infinity })) {
    lines++;
    fields += line.split(',').length;
  }
}
const ms = performance.now() - t0;
process.stdout.write(JSON.stringify({ ms, maxRssKiB: process.resourceUsage().maxRSS, lines, fields }) + '\n');
