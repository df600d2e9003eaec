import { runLocal } from '../run/run-local.js';
import { makeLogger } from './options.js';
import { newRunId } from '../run/run-id.js';
import { analyzeCommand } from './analyze-command.js';
import type { Level } from '../run/logger.js';

export interface RunLocalCommandOptions {
  workers: number; rate: number; durationS: number; warmupMaxS: number; sources: string[]; pollMs: number;
  resultsDir: string; logsDir: string; runId?: string; figures: boolean; logLevel: Level; commandLine: string[];
}

/** `chronoeval run-local`: run everything on loopback, then analyse the run. */
export async function runLocalCommand(o: RunLocalCommandOptions): Promise<number> {
  const runId = o.runId ?? newRunId();
  const logger = makeLogger('run-local', o.logsDir, runId, o.logLevel);
  const res = await runLocal({ ...o, runId, logger });
  logger.info(`run finished (exit ${res.exitCode}); analysing ${res.runDir}`);
  const analyzed = await analyzeCommand({ runDir: res.runDir, format: 'native', windowsMs: [50, 100, 500, 1000], figures: o.figures });
  logger.info(`results: ${res.runDir}/ (stats.json${o.figures ? ', figures/, report.html' : ''}); logs: ${o.logsDir}/${runId}/`);
  await logger.close();
  return res.exitCode || analyzed;
}
