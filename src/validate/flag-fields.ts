// The validation kit's checks of command-line flags (and --config keys): ranges, addresses,
// ids, source names, writable directories. Pure checks plus one filesystem probe.
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { isValidNodeId } from '../files/paths.js';
import { isValidRunId } from '../files/run-id.js';
import { Problems, ValidationError, showValue, type FieldProblem } from './problems.js';

/** Every invalid flag of one command. */
export class ConfigError extends ValidationError {
  constructor(problems: FieldProblem[]) {
    super(
      problems,
      problems.length === 1
        ? problems[0]!.message
        : `${problems.length} invalid options:\n  ${problems.map((e) => e.message).join('\n  ')}`,
    );
  }

  get errors(): FieldProblem[] {
    return this.problems;
  }
}

/**
 * Collects the problems of a command's flags (or --config keys): "--field VALUE: what is allowed".
 * Every check returns the normalised value (or undefined when invalid).
 */
export class FlagProblems extends Problems {
  constructor() {
    super((field, value, allowed) => `--${field} ${showValue(value)}: ${allowed}`);
  }

  /** Throw a ConfigError naming every invalid flag, if any. */
  done(): void {
    this.throwIfAny((p) => new ConfigError(p));
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
    if (m[0].startsWith('[') ? isIP(host) !== 6 : !(isIP(host) === 4 || (isHostName(host) && !/^\d+(\.\d+){3}$/.test(host))))
      return this.fail(field, v, allowed);
    if (m[2] === undefined && defaultPort === undefined) return this.fail(field, v, allowed);
    const port = m[2] === undefined ? defaultPort! : Number(m[2]);
    if (!(Number.isInteger(port) && port >= 1 && port <= 65535)) return this.fail(field, v, allowed);
    return { host, port };
  }

  list(v: unknown): string[] {
    if (v === undefined || v === null) return [];
    return (Array.isArray(v) ? v : [v])
      .flatMap((x) => String(x).split(','))
      .map((x) => x.trim())
      .filter(Boolean);
  }

  runId(field: string, v: unknown): string | undefined {
    if (typeof v !== 'string' || !isValidRunId(v)) return this.fail(field, v, "must be letters, digits, '.', '_' or '-' (at most 64)");
    return v;
  }

  nodeId(field: string, v: unknown): string | undefined {
    if (typeof v !== 'string' || !isValidNodeId(v))
      return this.fail(field, v, "must be letters, digits, '.', '_' or '-' (at most 64), starting with a letter or digit");
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
      const why =
        code === 'EROFS' ? 'is on a read-only filesystem' : code === 'EACCES' ? 'is not writable by this user' : `cannot be used (${code})`;
      return this.fail(field, v, `must be writable: ${p} ${why} (${code})`);
    }
    return v;
  }
}

function isHostName(s: string): boolean {
  return s.length <= 253 && /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/.test(s);
}
