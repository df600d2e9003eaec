// Validate every flag / config field of a command BEFORE anything opens a socket, creates a file
// or runs a remote command, with the validation kit's flag checks (src/validate/): each error
// names the field, the value given, and what is allowed; all errors are reported at once.
import { SCHEDULE_KINDS } from '../coordinator/schedule.js';
import { FlagProblems, type FieldProblem } from '../validate/index.js';
import { parseEchoMode } from '../coordinator/echo-mode.js';
import { parseGroup, transportProblems } from '../net/multicast.js';

export { ConfigError } from '../validate/index.js';
/** One invalid flag. */
export type FieldError = FieldProblem;

/** Limits shared by every command (and by docs/reliability.md). */
export const LIMITS = {
  pollMs: { min: 16, max: 86_400_000 }, // setInterval silently turns > 2^31-1 ms into 1 ms
  rate: { min: 0, max: 1_000_000 }, // events/s, exclusive min
  count: { min: 1, max: 1_000_000_000 },
  durationS: { min: 0, max: 30 * 86_400 }, // exclusive min
  timeoutS: { min: 0, max: 86_400 }, // warmup / ready / end timeouts, exclusive min
  patternMs: { max: 3_600_000 },
  workers: { min: 1, max: 256 },
} as const;

// ---- per command --------------------------------------------------------------------------------

/** Raw option values as yargs (or a --config file) hands them over; keys are the flag names. */
export type RawOptions = Record<string, unknown>;

function common(v: FlagProblems, a: RawOptions): void {
  if (a['run-id'] !== undefined) v.runId('run-id', a['run-id']);
  v.writableDir('results-dir', a['results-dir'] ?? 'results');
  v.writableDir('logs-dir', a['logs-dir'] ?? 'logs');
  if (a['poll-ms'] !== undefined) v.number('poll-ms', a['poll-ms'], { ...LIMITS.pollMs, integer: true });
}

function ntpServers(v: FlagProblems, a: RawOptions, sources: string[] | undefined, needsNtp: readonly string[]): void {
  const servers = v.list(a['ntp-server']);
  servers.forEach((s) => v.hostPort('ntp-server', s, 123));
  if (sources && sources.some((s) => needsNtp.includes(s)) && servers.length === 0) {
    v.fail(
      'ntp-server',
      a['ntp-server'],
      `at least one host:port is needed by source(s) ${sources.filter((s) => needsNtp.includes(s)).join(', ')}`,
    );
  }
}

/** Sources that sample NTP servers (they need --ntp-server). */
export const NTP_BASED_SOURCES = ['ntp', 'bounded'] as const;

/** `chronoeval worker`: throws ConfigError listing every invalid field. */
export function validateWorkerOptions(a: RawOptions, knownSources: readonly string[]): void {
  const v = new FlagProblems();
  common(v, a);
  v.nodeId('node', a.node);
  v.bindAddress('bind', a.bind ?? '0.0.0.0');
  v.port('port', a.port ?? 0, true);
  const sources = v.sources('sources', a.sources ?? 'system,ntp', knownSources);
  ntpServers(v, a, sources, NTP_BASED_SOURCES);
  if (a['warmup-max-s'] !== undefined) v.number('warmup-max-s', a['warmup-max-s'], { ...LIMITS.timeoutS, minExclusive: true });
  // 0 sends each echo alone; past a second the coordinator's window of sends could forget the event.
  if (a['echo-coalesce-ms'] !== undefined) v.number('echo-coalesce-ms', a['echo-coalesce-ms'], { min: 0, max: 1000 });
  // Past 100 ms a rest holds replies (ready?, end) and echoes visibly long.
  if (a['recv-pause-ms'] !== undefined) v.number('recv-pause-ms', a['recv-pause-ms'], { min: 0, max: 100, integer: true });
  for (const [f, val, why] of transportProblems(a)) v.fail(f, val, why);
  keyFlags(v, a);
  v.done();
}

/** `chronoeval coordinator`. */
const isEchoFlag = (x: unknown): boolean => {
  try {
    parseEchoMode(x);
    return true;
  } catch {
    return false;
  }
};

export function validateCoordinatorOptions(a: RawOptions, knownSources: readonly string[]): void {
  const v = new FlagProblems();
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
  if (a.echo !== undefined && !isEchoFlag(a.echo))
    v.fail('echo', a.echo, 'must be on, off or a whole number N ≥ 1 (one event in N asks each worker for an echo), e.g. --echo 10');
  const transport = transportProblems(a);
  for (const [f, val, why] of transport) v.fail(f, val, why);
  if (transport.length === 0 && a.transport === 'multicast' && (a.echo ?? 'on') !== 'off') {
    const g = parseGroup(a.group as string); // checked text by transportProblems
    // Echoes come back from the workers' unicast sockets, which the coordinator addresses over IPv4.
    if ('family' in g && g.family === 6)
      v.fail('echo', a.echo ?? 'on', 'an IPv6 --group takes --echo off (echoes need an IPv4 group or --transport unicast)');
  }
  for (const f of ['ready-timeout-s', 'end-timeout-s'])
    if (a[f] !== undefined) v.number(f, a[f], { ...LIMITS.timeoutS, minExclusive: true });
  const sources = v.sources('sources', a.sources ?? 'system,ntp', knownSources);
  ntpServers(v, a, sources, NTP_BASED_SOURCES);
  keyFlags(v, a);
  v.done();
}

/** `--schedule` and `--schedule-seed` (docs/metrics.md, Schedules). */
function scheduleFlags(v: FlagProblems, a: RawOptions): void {
  const kind = a.schedule;
  if (kind !== undefined && !(SCHEDULE_KINDS as readonly unknown[]).includes(kind))
    v.fail('schedule', kind, `must be one of ${SCHEDULE_KINDS.join(', ')}`);
  if (kind === 'poisson' && a.pattern !== undefined)
    v.fail('schedule', kind, 'poisson draws its own gaps and takes no --pattern: use --schedule jittered or fixed with a pattern');
  if (a['schedule-seed'] !== undefined) v.number('schedule-seed', a['schedule-seed'], { min: 0, max: 0xffff_ffff, integer: true });
}

/**
 * `chronoeval run-local`: the output directories and the run id, before any process or file
 * (Node's recursive mkdir reports a read-only filesystem as ENOENT; this names EROFS). The
 * scenario and its overrides are checked by the scenario loader.
 */
export function validateRunLocalOptions(a: RawOptions): void {
  const v = new FlagProblems();
  if (a['run-id'] !== undefined) v.runId('run-id', a['run-id']);
  v.writableDir('results-dir', a['results-dir'] ?? 'results');
  v.writableDir('logs-dir', a['logs-dir'] ?? 'logs');
  v.done();
}

/** `chronoeval ntp-server`. */
export function validateNtpServerOptions(a: RawOptions): void {
  const v = new FlagProblems();
  if (a['run-id'] !== undefined) v.runId('run-id', a['run-id']);
  v.writableDir('logs-dir', a['logs-dir'] ?? 'logs');
  v.bindAddress('bind', a.bind ?? '127.0.0.1');
  v.port('port', a.port ?? 123, true);
  if (a.stratum !== undefined) v.number('stratum', a.stratum, { min: 1, max: 15, integer: true });
  v.done();
}

/** `--key-file` and `--insecure` (the key itself is read by resolveKey, which checks mode and content). */
function keyFlags(v: FlagProblems, a: RawOptions): void {
  const kf = a['key-file'];
  if (kf !== undefined && (typeof kf !== 'string' || kf === ''))
    v.fail('key-file', kf, 'must be a path to a 0600 file holding the hex key');
  if (a.insecure !== undefined && typeof a.insecure !== 'boolean') v.fail('insecure', a.insecure, 'is a flag (true/false)');
  if (a.insecure === true && typeof kf === 'string' && kf !== '')
    v.fail('insecure', true, 'conflicts with --key-file: give a key or --insecure, not both');
}
