import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Argv } from 'yargs';
import { Logger, type Level } from './logger.js';
import { isValidNodeId } from '../files/paths.js';
import { isValidRunId, newRunId } from '../files/run-id.js';
import { numberOption } from './flag-values.js';
import { TRANSPORTS, type Transport } from '../net/multicast.js';
import { KNOWN_SOURCES } from '../clock/registry.js';

/** Options every command shares. */
export function withCommon<T>(y: Argv<T>) {
  return y
    .option('results-dir', { type: 'string', default: 'results', describe: 'Where results/<run_id>/ is written' })
    .option('logs-dir', { type: 'string', default: 'logs', describe: 'Where logs/<run_id>/<process>.jsonl is written' })
    .option('log-level', {
      choices: ['debug', 'info', 'warn', 'error'] as const,
      default: 'info' as const,
      describe: 'Lowest level echoed on stderr (the .jsonl log keeps everything)',
    });
}

export function withRunIdentity<T>(y: Argv<T>) {
  return y.option('run-id', {
    type: 'string',
    describe: 'Run id shared by every process of the run (default: a new one, YYYYMMDDTHHMMSSZ-xxxxxx)',
  });
}

/** --transport, --group, --multicast-ttl, --multicast-interface (coordinator and worker; src/net/multicast.ts checks them). */
export function withTransport<T>(y: Argv<T>) {
  return y
    .option('transport', {
      choices: TRANSPORTS,
      default: 'unicast' as Transport,
      describe: 'Event transport: unicast = one datagram per worker per event, multicast = one datagram per event to --group',
    })
    .option('group', {
      type: 'string',
      requiresArg: true,
      describe: 'Multicast group ADDR:PORT (with --transport multicast), e.g. 239.1.2.3:47200 or [ff15::1234]:47200',
    })
    .option(
      'multicast-ttl',
      numberOption('multicast-ttl', {
        what: 'a whole number 0-255',
        integer: true,
        describe: 'TTL / hop limit of the datagrams sent to the group (default 1: the local link only)',
      }),
    )
    .option('multicast-interface', {
      type: 'string',
      requiresArg: true,
      describe: 'Local address or interface name to send on / join the group on (default: the kernel chooses by route)',
    });
}

export function withKey<T>(y: Argv<T>) {
  return y
    .option('key-file', { type: 'string', describe: "File holding the run's HMAC key in hex (mode 0600); or set $CHRONOEVAL_KEY" })
    .option('insecure', {
      type: 'boolean',
      default: false,
      describe: 'Accept and send unauthenticated datagrams (hand-run experiments only; recorded in the manifest)',
    });
}

export function withSources<T>(y: Argv<T>) {
  return y
    .option('sources', {
      type: 'string',
      default: 'system,ntp',
      describe: `Comma-separated clock sources to stamp with, of: ${KNOWN_SOURCES.join(', ')} (docs/sources.md)`,
    })
    .option('ntp-server', {
      type: 'string',
      array: true,
      default: [] as string[],
      describe: 'NTP server host:port (repeatable or comma-separated)',
    })
    .option(
      'poll-ms',
      numberOption('poll-ms', { what: 'a number of milliseconds', default: 1000, describe: 'NTP poll interval in milliseconds' }),
    )
    .option('source-options', {
      type: 'string',
      describe:
        'Per-source tuning as JSON or a file: {"bounded":{...},"chrony":{"chronycPath":...},"clockbound":{"path":...},"chronotick":{"path":"/dev/shm/chronotick_shm","k":3},"ptp":{"udsPath":...}} (docs/sources.md)',
    })
    .option('chronotick-url', {
      type: 'string',
      describe:
        "Base URL of a ChronoTick HTTP server for the chronotick source (POST <url>/get_time); without it chronotick reads the daemon's shared memory",
    });
}

/** --recv-stamp, for `worker` and `run-local` (which passes it to its workers). */
export function withRecvStamp<T>(y: Argv<T>) {
  return y.option('recv-stamp', {
    choices: ['auto', 'kernel', 'user'] as const,
    default: 'auto' as const,
    describe:
      "How a worker stamps arrivals (recv_local_ns): kernel = the kernel's receive timestamp of each datagram " +
      '(SO_TIMESTAMPNS via the udp_stamp native addon; excludes the process wake-up), user = read in the JavaScript callback, ' +
      'auto = kernel if the addon loads, else user with a warning',
  });
}

/** --source-options and --chronotick-url → per-source option objects, validated as JSON objects. */
export function parseSourceOptions(json: string | undefined, chronotickUrl: string | undefined): Record<string, Record<string, unknown>> {
  let out: Record<string, Record<string, unknown>> = {};
  if (json !== undefined) {
    const text = json.trim().startsWith('{') ? json : readFileOrThrow(json, '--source-options');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new Error(`--source-options: not valid JSON (${(e as Error).message})`, { cause: e });
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('--source-options: expected a JSON object keyed by source name');
    for (const [k, v] of Object.entries(parsed)) {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`--source-options: "${k}" must be an object of options`);
    }
    out = parsed as Record<string, Record<string, unknown>>;
  }
  if (chronotickUrl !== undefined) {
    let u: URL;
    try {
      u = new URL(chronotickUrl);
    } catch {
      throw new Error(`--chronotick-url "${chronotickUrl}" is not a URL; give e.g. http://127.0.0.1:8124`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`--chronotick-url "${chronotickUrl}": use http:// or https://`);
    out.chronotick = { ...(out.chronotick ?? {}), url: chronotickUrl };
  }
  return out;
}

function readFileOrThrow(file: string, flag: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`${flag} '${file}': neither a JSON object nor a readable file (${(e as NodeJS.ErrnoException).code ?? String(e)})`, {
      cause: e,
    });
  }
}

export function resolveRunId(given: string | undefined): string {
  if (given === undefined) return newRunId();
  if (!isValidRunId(given)) throw new Error(`--run-id "${given}": use letters, digits, '.', '_' or '-' (at most 64)`);
  return given;
}

export function checkNodeId(id: string): string {
  if (!isValidNodeId(id))
    throw new Error(`--node "${id}": use letters, digits, '.', '_' or '-' (at most 64), starting with a letter or digit`);
  return id;
}

export function splitList(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v])
    .flatMap((x) => String(x).split(','))
    .map((x) => x.trim())
    .filter(Boolean);
}

export function positive(name: string, v: number, opts: { integer?: boolean; allowZero?: boolean } = {}): number {
  const ok = Number.isFinite(v) && (opts.allowZero ? v >= 0 : v > 0) && (!opts.integer || Number.isInteger(v));
  if (!ok)
    throw new Error(`--${name}: expected a ${opts.integer ? 'whole ' : ''}number ${opts.allowZero ? '>= 0' : '> 0'}, got '${String(v)}'`);
  return v;
}

export function makeLogger(processName: string, logsDir: string, runId: string | null, level: Level): Logger {
  return new Logger(processName, runId ? path.join(logsDir, runId, `${processName}.jsonl`) : null, level);
}
