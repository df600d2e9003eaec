import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { toJson } from './atomic-json.js';

export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * Structured log: one JSON object per line in logs/<run_id>/<process>.jsonl, and a short
 * human line on stderr (for `info` and above unless quiet).
 */
export class Logger {
  private stream: WriteStream | null = null;
  constructor(
    readonly processName: string,
    file: string | null,
    private readonly stderrLevel: Level = 'info',
    private readonly fields: Record<string, unknown> = {},
  ) {
    if (file) {
      mkdirSync(path.dirname(file), { recursive: true });
      this.stream = createWriteStream(file, { flags: 'a' });
    }
  }

  child(fields: Record<string, unknown>): Logger {
    const c = new Logger(this.processName, null, this.stderrLevel, { ...this.fields, ...fields });
    c.stream = this.stream;
    return c;
  }

  log(level: Level, msg: string, data: Record<string, unknown> = {}): void {
    const rec = { ts: new Date().toISOString(), level, proc: this.processName, msg, ...this.fields, ...data };
    this.stream?.write(toJson(rec, 0) + '\n');
    if (ORDER[level] >= ORDER[this.stderrLevel]) {
      const extra = Object.keys(data).length ? ' ' + toJson(data, 0) : '';
      process.stderr.write(`[${this.processName}] ${level === 'info' ? '' : level.toUpperCase() + ' '}${msg}${extra}\n`);
    }
  }
  debug(msg: string, data?: Record<string, unknown>): void { this.log('debug', msg, data); }
  info(msg: string, data?: Record<string, unknown>): void { this.log('info', msg, data); }
  warn(msg: string, data?: Record<string, unknown>): void { this.log('warn', msg, data); }
  error(msg: string, data?: Record<string, unknown>): void { this.log('error', msg, data); }

  close(): Promise<void> {
    return new Promise((resolve) => (this.stream ? this.stream.end(resolve) : resolve()));
  }
}
