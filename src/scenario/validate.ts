import { LIMITS } from '../cli/config-validation.js';
import { validateClockFaultSpec } from '../sim/clock-faults.js';
import { validateNtpFaultSpec } from '../sim/ntp-faults.js';
import { validateEventPathFaultSpec, workerKeyIndex } from '../sim/event-faults.js';
import {
  expectArray, expectNumber, expectObject, expectString, isPlainObject, SpecError,
} from '../sim/spec-check.js';
import { parseStatsPath, parseThreshold } from './stats-path.js';
import type { CheckOp, CheckSpec, Scenario, ServerSpec, WorkerSpec } from './types.js';
import { SCHEDULE_KINDS, type ScheduleKind } from '../coordinator/schedule.js';

const TOP_FIELDS = [
  'name', 'description', 'extends', 'seed', 'expected_verdict', 'workers', 'rate', 'duration_s', 'count',
  'pattern', 'schedule', 'sources', 'poll_ms', 'warmup_max_s', 'commit_wait_s', 'servers', 'coordinator', 'worker_defaults', 'per_worker',
  'event_faults', 'checks',
] as const;

const OPS: readonly CheckOp[] = ['<=', '<', '>=', '>', '=='];
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const SOURCE_RE = /^[a-z][a-z0-9_-]{0,31}$/;
/** Sources that poll the scenario's NTP servers. */
const NTP_SOURCES = new Set(['ntp', 'bounded']);

function validateServer(v: unknown, field: string): ServerSpec {
  const o = expectObject(v, field, ['faults', 'clock_faults']);
  return {
    faults: validateNtpFaultSpec(o.faults ?? {}, `${field}.faults`),
    clock_faults: validateClockFaultSpec(o.clock_faults ?? {}, `${field}.clock_faults`),
  };
}

function validateServerRefs(v: unknown, field: string, servers: Record<string, ServerSpec>): string[] {
  return expectArray(v, field).map((s, i) => {
    const name = expectString(s, `${field}[${i}]`);
    if (!(name in servers)) throw new SpecError(`${field}[${i}]`, `no server "${name}" in servers (have: ${Object.keys(servers).join(', ')})`);
    return name;
  });
}

function validateWorkerSpec(v: unknown, field: string, servers: Record<string, ServerSpec>): WorkerSpec {
  const o = expectObject(v, field, ['clock_faults', 'ntp_servers']);
  return {
    clock_faults: validateClockFaultSpec(o.clock_faults ?? {}, `${field}.clock_faults`),
    ntp_servers: validateServerRefs(o.ntp_servers ?? [], `${field}.ntp_servers`, servers),
  };
}

export function validateCheck(v: unknown, field: string): CheckSpec {
  const o = expectObject(v, field, ['name', 'path', 'op', 'threshold', 'why', 'expect']);
  const name = expectString(o.name, `${field}.name`);
  const path = expectString(o.path, `${field}.path`);
  parseStatsPath(path, `${field}.path`);
  const op = expectString(o.op, `${field}.op`, OPS) as CheckOp;
  parseThreshold(o.threshold, `${field}.threshold`);
  const out: CheckSpec = { name, path, op, threshold: o.threshold as number | string };
  if (o.why !== undefined) out.why = expectString(o.why, `${field}.why`);
  if (o.expect !== undefined) out.expect = expectString(o.expect, `${field}.expect`, ['pass', 'fail']) as 'pass' | 'fail';
  return out;
}

/**
 * Validate a fully merged scenario (defaults + file + overrides). Throws SpecError naming the
 * first offending field; unknown fields are errors, so a typo cannot silently do nothing.
 */
export function validateScenario(v: unknown): Scenario {
  const o = expectObject(v, '', TOP_FIELDS);
  const name = expectString(o.name, 'name');
  if (!NAME_RE.test(name)) throw new SpecError('name', `must be letters, digits, dot, dash or underscore (got "${name}")`);
  const workers = expectNumber(o.workers, 'workers', { integer: true, min: 1, max: 64 });
  const durationS = o.duration_s === null || o.duration_s === undefined ? null : expectNumber(o.duration_s, 'duration_s', { min: 0, exclusiveMin: true, max: 86_400 });
  const count = o.count === null || o.count === undefined ? null : expectNumber(o.count, 'count', { integer: true, min: 1 });
  if ((durationS === null) === (count === null)) {
    throw new SpecError('duration_s', 'set exactly one of duration_s and count');
  }
  const sources = expectArray(o.sources, 'sources').map((s, i) => {
    const src = expectString(s, `sources[${i}]`);
    if (!SOURCE_RE.test(src)) throw new SpecError(`sources[${i}]`, `"${src}" is not a source name`);
    return src;
  });
  if (sources.length === 0) throw new SpecError('sources', 'needs at least one source');
  if (new Set(sources).size !== sources.length) throw new SpecError('sources', 'lists a source twice');

  if (!isPlainObject(o.servers)) throw new SpecError('servers', 'must be an object of named servers');
  const servers: Record<string, ServerSpec> = {};
  for (const [k, s] of Object.entries(o.servers)) {
    if (!NAME_RE.test(k)) throw new SpecError(`servers.${k}`, 'server names are letters, digits, dot, dash or underscore');
    servers[k] = validateServer(s, `servers.${k}`);
  }
  if (!('main' in servers)) throw new SpecError('servers', 'must contain a server named "main"');

  const coordinator = validateWorkerSpec(o.coordinator, 'coordinator', servers);
  const workerDefaults = validateWorkerSpec(o.worker_defaults, 'worker_defaults', servers);
  if (!isPlainObject(o.per_worker)) throw new SpecError('per_worker', 'must be an object keyed by node name ("w1", "w2", ...)');
  const perWorker: Record<string, Partial<WorkerSpec>> = {};
  for (const [k, w] of Object.entries(o.per_worker)) {
    const field = `per_worker.${k}`;
    if (!/^w[1-9][0-9]*$/.test(k)) throw new SpecError(field, 'keys are run-local node names "w1".."wN"');
    const idx = workerKeyIndex(k)!;
    if (idx >= workers) throw new SpecError(field, `names worker ${k} but the scenario has only ${workers} worker(s)`);
    const wo = expectObject(w, field, ['clock_faults', 'ntp_servers']);
    const p: Partial<WorkerSpec> = {};
    if (wo.clock_faults !== undefined) p.clock_faults = validateClockFaultSpec(wo.clock_faults, `${field}.clock_faults`);
    if (wo.ntp_servers !== undefined) p.ntp_servers = validateServerRefs(wo.ntp_servers, `${field}.ntp_servers`, servers);
    perWorker[k] = p;
  }
  if (sources.some((s) => NTP_SOURCES.has(s))) {
    if (coordinator.ntp_servers.length === 0) throw new SpecError('coordinator.ntp_servers', 'sources include ntp/bounded, so at least one server is needed');
    if (workerDefaults.ntp_servers.length === 0 && Object.keys(perWorker).length < workers) {
      throw new SpecError('worker_defaults.ntp_servers', 'sources include ntp/bounded, so at least one server is needed');
    }
    for (const [k, p] of Object.entries(perWorker)) {
      if (p.ntp_servers !== undefined && p.ntp_servers.length === 0) throw new SpecError(`per_worker.${k}.ntp_servers`, 'sources include ntp/bounded, so at least one server is needed');
    }
  }

  const checks = expectArray(o.checks, 'checks').map((c, i) => validateCheck(c, `checks[${i}]`));
  const seen = new Set<string>();
  checks.forEach((c, i) => {
    if (seen.has(c.name)) throw new SpecError(`checks[${i}].name`, `"${c.name}" is used by another check`);
    seen.add(c.name);
  });

  const out: Scenario = {
    name,
    description: o.description === undefined || o.description === '' ? '' : expectString(o.description, 'description'),
    seed: expectNumber(o.seed, 'seed', { integer: true, min: 0, max: 2 ** 32 - 1 }),
    expected_verdict: expectString(o.expected_verdict, 'expected_verdict', ['pass', 'fail']) as 'pass' | 'fail',
    workers,
    rate: expectNumber(o.rate, 'rate', { min: 0, exclusiveMin: true, max: 100_000 }),
    duration_s: durationS,
    count,
    pattern: o.pattern === null || o.pattern === undefined ? null
      : expectArray(o.pattern, 'pattern').map((x, i) => expectNumber(x, `pattern[${i}]`, { min: 0 })),
    schedule: expectString(o.schedule, 'schedule', SCHEDULE_KINDS) as ScheduleKind,
    sources,
    poll_ms: expectNumber(o.poll_ms, 'poll_ms', { min: LIMITS.pollMs.min, max: 3_600_000 }), // the workers' own limit: a scenario they would refuse is refused here
    warmup_max_s: expectNumber(o.warmup_max_s, 'warmup_max_s', { min: 0, max: 3600 }),
    commit_wait_s: expectArray(o.commit_wait_s, 'commit_wait_s').map((x, i) => expectNumber(x, `commit_wait_s[${i}]`, { min: 0, exclusiveMin: true, max: 3600 })),
    servers,
    coordinator,
    worker_defaults: workerDefaults,
    per_worker: perWorker,
    event_faults: validateEventPathFaultSpec(o.event_faults, 'event_faults'),
    checks,
  };
  if (out.schedule === 'poisson' && out.pattern !== null) {
    throw new SpecError('schedule', 'poisson draws its own gaps and takes no pattern: use "jittered" or "fixed" with a pattern');
  }
  for (const k of Object.keys(out.event_faults.per_worker ?? {})) {
    if (workerKeyIndex(k)! >= workers) throw new SpecError(`event_faults.per_worker.${k}`, `names a worker beyond the scenario's ${workers} worker(s)`);
  }
  if (o.extends !== undefined) out.extends = expectString(o.extends, 'extends');
  return out;
}
