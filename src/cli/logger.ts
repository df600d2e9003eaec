import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { toJson } from '../files/atomic-json.js';

export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * The .jsonl file of a logger and its children: created on the first line, so that a process that
 * stops on bad input leaves no empty log behind.
 */
class LogFile {
  private stream: WriteStream | null = null;
  private broken = false;
  constructor(
    readonly file: string,
    private readonly processName: string,
  ) {}

  write(line: string): void {
    if (this.broken) return;
    if (!this.stream) {
      try {
        mkdirSync(path.dirname(this.file), { recursive: true });
      } catch (e) {
        this.fail(e as Error);
        return;
      }
      this.stream = createWriteStream(this.file, { flags: 'a' });
      // A full or read-only disk must not crash the process through an unhandled 'error' event.
      this.stream.on('error', (e) => this.fail(e));
    }
    this.stream.write(line);
  }

  private fail(e: Error): void {
    if (this.broken) return;
    this.broken = true;
    process.stderr.write(`[${this.processName}] ERROR log file ${this.file}: ${e.message}; logging to stderr only\n`);
  }

  close(): Promise<void> {
    const s = this.stream;
    return new Promise((resolve) => (s && !this.broken ? s.end(resolve) : resolve()));
  }
}

/**
 * Structured log: one JSON object per line in logs/<run_id>/<process>.jsonl, and a short
 * human line on stderr (for `info` and above unless quiet).
 */
export class Logger {
  private sink: LogFile | null = null;
  constructor(
    readonly processName: string,
    file: string | null,
    private readonly stderrLevel: Level = 'info',
    private readonly fields: Record<string, unknown> = {},
  ) {
    if (file) this.sink = new LogFile(file, processName);
  }

  child(fields: Record<string, unknown>): Logger {
    const c = new Logger(this.processName, null, this.stderrLevel, { ...this.fields, ...fields });
    c.sink = this.sink;
    return c;
  }

  log(level: Level, msg: string, data: Record<string, unknown> = {}): void {
    const rec = { ts: new Date().toISOString(), level, proc: this.processName, msg, ...this.fields, ...data };
    this.sink?.write(toJson(rec, 0) + '\n');
    if (ORDER[level] >= ORDER[this.stderrLevel]) {
      const extra = Object.keys(data).length ? ' ' + toJson(data, 0) : '';
      process.stderr.write(`[${this.processName}] ${level === 'info' ? '' : level.toUpperCase() + ' '}${msg}${extra}\n`);
    }
  }
  debug(msg: string, data?: Record<string, unknown>): void {
    this.log('debug', msg, data);
  }
  info(msg: string, data?: Record<string, unknown>): void {
    this.log('info', msg, data);
  }
  warn(msg: string, data?: Record<string, unknown>): void {
    this.log('warn', msg, data);
  }
  error(msg: string, data?: Record<string, unknown>): void {
    this.log('error', msg, data);
  }

  close(): Promise<void> {
    return this.sink?.close() ?? Promise.resolve();
  }
}
