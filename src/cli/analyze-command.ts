import { existsSync } from 'node:fs';
import { Logger } from '../run/logger.js';

export interface AnalyzeCommandOptions {
  runDir: string;
  format: 'native' | 'legacy';
  windowsMs: number[];
  figures: boolean;
}

/** `chronoeval analyze`: stats.json (+ figures and report unless --no-figures), summary on stdout. */
export async function analyzeCommand(o: AnalyzeCommandOptions): Promise<number> {
  if (!existsSync(o.runDir)) throw new Error(`run directory ${o.runDir} does not exist; give results/<run_id>`);
  const { analyzeRun } = await import('../../analysis/analyze.js');
  const logger = new Logger('analyze', null, 'info');
  const { summaryText, warnings } = await analyzeRun(o.runDir, { format: o.format, windowsMs: o.windowsMs, logger });
  process.stdout.write(summaryText.endsWith('\n') ? summaryText : summaryText + '\n');
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  return 0;
}
