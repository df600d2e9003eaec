// Validate every flag / config field of a command BEFORE anything opens a socket, creates a file
// or runs a remote command. Pure checks (plus one filesystem probe for output directories).
// Each error names the field, the value given, and what is allowed; all errors are reported at once.
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { isValidNodeId } from '../files/paths.js';
import { isValidRunId } from '../files/run-id.js';
import { SCHEDULE_KINDS } from '../coordinator/schedule.js';

/** One invalid field. `message` is "--field VALUE: what is allowed". */
export interface FieldError { field: string; value: unknown; allowed: string; message: string }

export class ConfigError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(errors.length === 1 ? errors[0]!.message : `${errors.length} invalid options:\n  ${errors.map((e) => e.message).join('\n  ')}`);
  }
}

/** Limits shared by every command (and by docs/reliability.md). */
export const LIMITS = {
  pollMs: { min: 16, max: 86_400_000 },          // setInterval silently turns > 2^31-1 ms into 1 ms
  rate: { min: 0, max: 1_000_000 },               // events/s, exclusive min
  count: { min: 1, max: 1_000_000_000 },
  durationS: { min: 0, max: 30 * 86_400 },        // exclusive min
  timeoutS: { min: 0, max: 86_400 },              // warmup / ready / end timeouts, exclusive min
  patternMs: { max: 3_600_000 },
  workers: { min: 1, max: 256 },
} as const;

/** Collects errors; every check returns the normalised value (or undefined when invalid). */
export class Validator {
  readonly errors: FieldError[] = [];

  fail(field: string, value: unknown, allowed: string): undefined {
    this.errors.push({ field, value, allowed, message: `--${field} ${show(value)}: ${allowed}` });
    return undefined;
  }

  /** Throw a ConfigError if anything failed. */
  done(): void {
    if (this.errors.length) throw new ConfigError(this.errors);
  }

  number(field: string, v: unknown, o: { min: number; max: number; minExclusive?: boolean; integer?: boolean }): number | undefined {
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    const range = `${o.minExclusive ? '(' : '['}${o.min}, ${o.max}]`;
    const what = `${o.integer ? 'a whole number' : 'a number'} in ${range}`;
    if (typeof n !== 'number' || !Number.isFinite(n)) return this.fail(field, v, `must be ${what}`);
    if (o.integer && !Number.isInteger(n)) return this.fail(field, v, `must be ${what}`);
    if (n < o.min || (o.minExclusive && n === o.min) || n > o.max) return this.fail(field, v, `must be ${what}`);
    return n;
  }

  port(field: string, v: unknown, allowZero: boolean): number | undefined {
    return this.number(field, v, { min: allowZero ? 0 : 1, max: 65535, integer: true });
  }

  /** An address to bind: an IPv4/IPv6 literal or a host name (resolution is the OS's job). */
  bindAddress(field: string, v: unknown): string | undefined {
    if (typeof v !== 'string' || v === '') return this.fail(field, v, 'must be an IP address or host name, e.g. 127.0.0.1 or ::1');
    if (isIP(v)) return v;
    if (/^\d+(\.\d+){3}$/.test(v)) return this.fail(field, v, 'is not a valid IPv4 address (each part 0-255)');
    if (!isHostName(v)) return this.fail(field, v, 'must be an IP address or host name, e.g. 127.0.0.1 or ::1');
    return v;
  }

  /** "host:port" or "[v6]:port"; `defaultPort` allows a bare host. */
  hostPort(field: string, v: unknown, defaultPort?: number): { host: string; port: number } | undefined {
    const allowed = `must be host:port (IPv6 as [addr]:port), port 1-65535${defaultPort ? `; the port defaults to ${defaultPort}` : ''}`;
    if (typeof v !== 'string') return this.fail(field, v, allowed);
    const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(v) ?? /^([^:\s[\]]+)(?::(\d+))?$/.exec(v);
    if (!m) return this.fail(field, v, allowed);
    const host = m[1]!;
    if (m[0].startsWith('[') ? isIP(host) !== 6 : !(isIP(host) === 4 || (isHostName(host) && !/^\d+(\.\d+){3}$/.test(host)))) return this.fail(field, v, allowed);
    if (m[2] === undefined && defaultPort === undefined) return this.fail(field, v, allowed);
    const port = m[2] === undefined ? defaultPort! : Number(m[2]);
    if (!(Number.isInteger(port) && port >= 1 && port <= 65535)) return this.fail(field, v, allowed);
    return { host, port };
  }

  list(v: unknown): string[] {
    if (v === undefined || v === null) return [];
    return (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split(',')).map((x) => x.trim()).filter(Boolean);
  }

  runId(field: string, v: unknown): string | undefined {
    if (typeof v !== 'string' || !isValidRunId(v)) return this.fail(field, v, "must be letters, digits, '.', '_' or '-' (at most 64)");
    return v;
  }

  nodeId(field: string, v: unknown): string | undefined {
    if (typeof v !== 'string' || !isValidNodeId(v)) return this.fail(field, v, "must be letters, digits, '.', '_' or '-' (at most 64), starting with a letter or digit");
    return v;
  }

  sources(field: string, v: unknown, known: readonly string[]): string[] | undefined {
    const list = this.list(v);
    if (list.length === 0) return this.fail(field, v, `must name at least one of: ${known.join(', ')}`);
    const unknown = list.filter((s) => !known.includes(s));
    if (unknown.length) return this.fail(field, v, `unknown source ${unknown.map((s) => `"${s}"`).join(', ')}; known: ${known.join(', ')}`);
    const dup = list.find((s, i) => list.indexOf(s) !== i);
    if (dup) return this.fail(field, v, `"${dup}" is given twice`);
    return list;
  }

  /**
   * An output directory: it exists and is writable, or its nearest existing ancestor is a
   * writable directory (so that it can be created). Catches read-only filesystems (EROFS) and
   * missing permissions before the run starts, instead of mid-run.
   */
  writableDir(field: string, v: unknown): string | undefined {
    if (typeof v !== 'string' || v === '') return this.fail(field, v, 'must be a directory path');
    let p = path.resolve(v);
    while (!existsSync(p)) {
      const up = path.dirname(p);
      if (up === p) break;
      p = up;
    }
    try {
      if (!statSync(p).isDirectory()) return this.fail(field, v, `${p} is not a directory`);
      accessSync(p, constants.W_OK | constants.X_OK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? String(e);
      const why = code === 'EROFS' ? 'is on a read-only filesystem' : code === 'EACCES' ? 'is not writable by this user' : `cannot be used (${code})`;
      return this.fail(field, v, `must be writable: ${p} ${why} (${code})`);
    }
    return v;
  }
}

function isHostName(s: string): boolean {
  return s.length <= 253 && /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/.test(s);
}

/** Print a user's value back without flooding or control characters. */
function show(v: unknown): string {
  let s: string;
  try { s = typeof v === 'number' ? String(v) : v === undefined ? '(missing)' : JSON.stringify(v) ?? String(v); } catch { s = typeof v; }
  s = s.replace(/[^\x20-\x7e]/g, '?');
  return s.length > 80 ? s.slice(0, 77) + '...' : s;
}

// ---- per command --------------------------------------------------------------------------------

/** Raw option values as yargs (or a --config file) hands them over; keys are the flag names. */
export type RawOptions = Record<string, unknown>;

function common(v: Validator, a: RawOptions): void {
  if (a['run-id'] !== undefined) v.runId('run-id', a['run-id']);
  v.writableDir('results-dir', a['results-dir'] ?? 'results');
  v.writableDir('logs-dir', a['logs-dir'] ?? 'logs');
  if (a['poll-ms'] !== undefined) v.number('poll-ms', a['poll-ms'], { ...LIMITS.pollMs, integer: true });
}

function ntpServers(v: Validator, a: RawOptions, sources: string[] | undefined, needsNtp: readonly string[]): void {
  const servers = v.list(a['ntp-server']);
  servers.forEach((s) => v.hostPort('ntp-server', s, 123));
  if (sources && sources.some((s) => needsNtp.includes(s)) && servers.length === 0) {
    v.fail('ntp-server', a['ntp-server'], `at least one host:port is needed by source(s) ${sources.filter((s) => needsNtp.includes(s)).join(', ')}`);
  }
}

/** Sources that sample NTP servers (they need --ntp-server). */
export const NTP_BASED_SOURCES = ['ntp', 'bounded'] as const;

/** `chronoeval worker`: throws ConfigError listing every invalid field. */
export function validateWorkerOptions(a: RawOptions, knownSources: readonly string[]): void {
  const v = new Validator();
  common(v, a);
  v.nodeId('node', a.node);
  v.bindAddress('bind', a.bind ?? '0.0.0.0');
  v.port('port', a.port ?? 0, true);
  const sources = v.sources('sources', a.sources ?? 'system,ntp', knownSources);
  ntpServers(v, a, sources, NTP_BASED_SOURCES);
  if (a['warmup-max-s'] !== undefined) v.number('warmup-max-s', a['warmup-max-s'], { ...LIMITS.timeoutS, minExclusive: true });
  keyFlags(v, a);
  v.done();
}

/** `chronoeval coordinator`. */
export function validateCoordinatorOptions(a: RawOptions, knownSources: readonly string[]): void {
  const v = new Validator();
  common(v, a);
  const workers = v.list(a.workers);
  if (workers.length === 0) v.fail('workers', a.workers, 'must list at least one worker host:port');
  if (workers.length > LIMITS.workers.max) v.fail('workers', `${workers.length} addresses`, `at most ${LIMITS.workers.max}`);
  workers.forEach((w) => v.hostPort('workers', w));
  const dupW = workers.find((w, i) => workers.indexOf(w) !== i);
  if (dupW) v.fail('workers', dupW, 'each worker address once');
  if (a.rate !== undefined) v.number('rate', a.rate, { ...LIMITS.rate, minExclusive: true });
  if (a.count !== undefined) v.number('count', a.count, { ...LIMITS.count, integer: true });
  if (a['duration-s'] !== undefined) v.number('duration-s', a['duration-s'], { ...LIMITS.durationS, minExclusive: true });
  if (a.count !== undefined && a['duration-s'] !== undefined) v.fail('count', a.count, 'give --count or --duration-s, not both');
  if (a.pattern !== undefined) {
    const parts = v.list(a.pattern);
    const nums = parts.map(Number);
    if (parts.length === 0 || nums.some((x) => !Number.isFinite(x) || x < 0 || x > LIMITS.patternMs.max)) {
      v.fail('pattern', a.pattern, `must be comma-separated spacings in ms, each in [0, ${LIMITS.patternMs.max}]`);
    } else if (nums.every((x) => x === 0)) {
      v.fail('pattern', a.pattern, 'at least one spacing must be > 0');
    }
  }
  scheduleFlags(v, a);
  for (const f of ['ready-timeout-s', 'end-timeout-s']) if (a[f] !== undefined) v.number(f, a[f], { ...LIMITS.timeoutS, minExclusive: true });
  const sources = v.sources('sources', a.sources ?? 'system,ntp', knownSources);
  ntpServers(v, a, sources, NTP_BASED_SOURCES);
  keyFlags(v, a);
  v.done();
}

/** `--schedule` and `--schedule-seed` (docs/metrics.md, Schedules). */
function scheduleFlags(v: Validator, a: RawOptions): void {
  const kind = a.schedule;
  if (kind !== undefined && !(SCHEDULE_KINDS as readonly unknown[]).includes(kind)) v.fail('schedule', kind, `must be one of ${SCHEDULE_KINDS.join(', ')}`);
  if (kind === 'poisson' && a.pattern !== undefined) v.fail('schedule', kind, 'poisson draws its own gaps and takes no --pattern: use --schedule jittered or fixed with a pattern');
  if (a['schedule-seed'] !== undefined) v.number('schedule-seed', a['schedule-seed'], { min: 0, max: 0xffff_ffff, integer: true });
}

/**
 * `chronoeval run-local`: the output directories and the run id, before any process or file
 * (Node's recursive mkdir reports a read-only filesystem as ENOENT; this names EROFS). The
 * scenario and its overrides are checked by the scenario loader.
 */
export function validateRunLocalOptions(a: RawOptions): void {
  const v = new Validator();
  if (a['run-id'] !== undefined) v.runId('run-id', a['run-id']);
  v.writableDir('results-dir', a['results-dir'] ?? 'results');
  v.writableDir('logs-dir', a['logs-dir'] ?? 'logs');
  v.done();
}

/** `chronoeval ntp-server`. */
export function validateNtpServerOptions(a: RawOptions): void {
  const v = new Validator();
  if (a['run-id'] !== undefined) v.runId('run-id', a['run-id']);
  v.writableDir('logs-dir', a['logs-dir'] ?? 'logs');
  v.bindAddress('bind', a.bind ?? '127.0.0.1');
  v.port('port', a.port ?? 123, true);
  if (a.stratum !== undefined) v.number('stratum', a.stratum, { min: 1, max: 15, integer: true });
  v.done();
}

/** `--key-file` and `--insecure` (the key itself is read by resolveKey, which checks mode and content). */
function keyFlags(v: Validator, a: RawOptions): void {
  const kf = a['key-file'];
  if (kf !== undefined && (typeof kf !== 'string' || kf === '')) v.fail('key-file', kf, 'must be a path to a 0600 file holding the hex key');
  if (a.insecure !== undefined && typeof a.insecure !== 'boolean') v.fail('insecure', a.insecure, 'is a flag (true/false)');
  if (a.insecure === true && typeof kf === 'string' && kf !== '') v.fail('insecure', true, 'conflicts with --key-file: give a key or --insecure, not both');
}
