import path from 'node:path';
import type { Argv } from 'yargs';
import { Logger, type Level } from '../run/logger.js';
import { isValidNodeId } from '../run/paths.js';
import { isValidRunId, newRunId } from '../run/run-id.js';

/** Options every command shares. */
export function withCommon<T>(y: Argv<T>) {
  return y
    .option('results-dir', { type: 'string', default: 'results', describe: 'Where results/<run_id>/ is written' })
    .option('logs-dir', { type: 'string', default: 'logs', describe: 'Where logs/<run_id>/<process>.jsonl is written' })
    .option('log-level', { choices: ['debug', 'info', 'warn', 'error'] as const, default: 'info' as const, describe: 'Lowest level echoed on stderr (the .jsonl log keeps everything)' });
}

export function withRunIdentity<T>(y: Argv<T>) {
  return y.option('run-id', { type: 'string', describe: 'Run id shared by every process of the run (default: a new one, YYYYMMDDTHHMMSSZ-xxxxxx)' });
}

export function withKey<T>(y: Argv<T>) {
  return y
    .option('key-file', { type: 'string', describe: 'File holding the run\'s HMAC key in hex (mode 0600); or set $CHRONOEVAL_KEY' })
    .option('insecure', { type: 'boolean', default: false, describe: 'Accept and send unauthenticated datagrams (hand-run experiments only; recorded in the manifest)' });
}

export function withSources<T>(y: Argv<T>) {
  return y
    .option('sources', { type: 'string', default: 'system,ntp', describe: 'Comma-separated clock sources to stamp with' })
    .option('ntp-server', { type: 'string', array: true, default: [] as string[], describe: 'NTP server host:port (repeatable or comma-separated)' })
    .option('poll-ms', { type: 'number', default: 1000, describe: 'NTP poll interval in milliseconds' });
}

export function resolveRunId(given: string | undefined): string {
  if (given === undefined) return newRunId();
  if (!isValidRunId(given)) throw new Error(`--run-id "${given}": use letters, digits, '.', '_' or '-' (at most 64)`);
  return given;
}

export function checkNodeId(id: string): string {
  if (!isValidNodeId(id)) throw new Error(`--node "${id}": use letters, digits, '.', '_' or '-' (at most 64), starting with a letter or digit`);
  return id;
}

export function splitList(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split(',')).map((x) => x.trim()).filter(Boolean);
}

export function positive(name: string, v: number, opts: { integer?: boolean; allowZero?: boolean } = {}): number {
  const ok = Number.isFinite(v) && (opts.allowZero ? v >= 0 : v > 0) && (!opts.integer || Number.isInteger(v));
  if (!ok) throw new Error(`--${name} must be a ${opts.integer ? 'whole ' : ''}number ${opts.allowZero ? '>= 0' : '> 0'}, got ${String(v)}`);
  return v;
}

export function makeLogger(processName: string, logsDir: string, runId: string | null, level: Level): Logger {
  return new Logger(processName, runId ? path.join(logsDir, runId, `${processName}.jsonl`) : null, level);
}
