import { isEchoMode } from '../files/echo-summary.js';
import { typedText } from '../cli/flag-values.js';
import { LIMITS } from '../cli/config-validation.js';
import { validateClockFaultSpec } from '../sim/clock-faults.js';
import { validateNtpFaultSpec } from '../sim/ntp-faults.js';
import { validateEventPathFaultSpec, workerKeyIndex } from '../sim/event-faults.js';
import {
  expectArray,
  expectNumber,
  expectObject,
  expectString,
  isPlainObject,
  Problems,
  SpecError,
  ValidationError,
} from '../validate/index.js';
import { parseStatsPath, parseThreshold } from './stats-path.js';
import type { CheckOp, CheckSpec, Scenario, ServerSpec, WorkerSpec } from './types.js';
import { SCHEDULE_KINDS, type ScheduleKind } from '../coordinator/schedule.js';
import { checkTransportSpec } from '../net/multicast.js';

const TOP_FIELDS = [
  'name',
  'description',
  'extends',
  'seed',
  'expected_verdict',
  'workers',
  'rate',
  'duration_s',
  'count',
  'pattern',
  'schedule',
  'sources',
  'poll_ms',
  'warmup_max_s',
  'commit_wait_s',
  'servers',
  'coordinator',
  'worker_defaults',
  'per_worker',
  'event_faults',
  'checks',
  'echo',
  'source_options',
  'transport',
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
    if (!(name in servers))
      throw new SpecError(`${field}[${i}]`, `no server "${name}" in servers (have: ${Object.keys(servers).join(', ')})`);
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
 * Validate a fully merged scenario (defaults + file + overrides). Every offending field is
 * named, all at once: one problem throws a SpecError, several a ValidationError. Unknown fields
 * are errors, so a typo cannot silently do nothing.
 */
export function validateScenario(v: unknown): Scenario {
  if (!isPlainObject(v)) throw new SpecError('', 'a scenario must be a JSON object', v);
  const o = v;
  const p = new Problems();
  for (const k of Object.keys(o))
    if (!(TOP_FIELDS as readonly string[]).includes(k)) p.fail(k, o[k], `unknown field (allowed: ${TOP_FIELDS.join(', ')})`);
  const fail = (field: string, problem: string): never => {
    throw new SpecError(field, problem);
  };

  // Fields that stand alone: each is checked whatever the others hold.
  const name = p.attempt(() => {
    const n = expectString(o.name, 'name');
    return NAME_RE.test(n) ? n : fail('name', `must be letters, digits, dot, dash or underscore (got "${n}")`);
  });
  const workers = p.attempt(() => expectNumber(o.workers, 'workers', { integer: true, min: 1, max: 64 }));
  const durationS = p.attempt(() =>
    o.duration_s === null || o.duration_s === undefined
      ? null
      : expectNumber(o.duration_s, 'duration_s', { min: 0, exclusiveMin: true, max: 86_400 }),
  );
  const count = p.attempt(() =>
    o.count === null || o.count === undefined ? null : expectNumber(o.count, 'count', { integer: true, min: 1 }),
  );
  if (durationS !== undefined && count !== undefined && (durationS === null) === (count === null))
    p.fail('duration_s', o.duration_s, 'set exactly one of duration_s and count');
  const sources = p.attempt(() => {
    const list = expectArray(o.sources, 'sources').map((s, i) => {
      const src = expectString(s, `sources[${i}]`);
      return SOURCE_RE.test(src) ? src : fail(`sources[${i}]`, `"${src}" is not a source name`);
    });
    if (list.length === 0) fail('sources', 'needs at least one source');
    if (new Set(list).size !== list.length) fail('sources', 'lists a source twice');
    return list;
  });
  const servers = p.attempt(() => {
    if (!isPlainObject(o.servers)) fail('servers', 'must be an object of named servers');
    const out: Record<string, ServerSpec> = {};
    for (const [k, s] of Object.entries(o.servers as Record<string, unknown>)) {
      if (!NAME_RE.test(k)) fail(`servers.${k}`, 'server names are letters, digits, dot, dash or underscore');
      out[k] = validateServer(s, `servers.${k}`);
    }
    return 'main' in out ? out : fail('servers', 'must contain a server named "main"');
  });
  const checks = p.attempt(() => {
    const list = expectArray(o.checks, 'checks').map((c, i) => validateCheck(c, `checks[${i}]`));
    const seen = new Set<string>();
    list.forEach((c, i) => {
      if (seen.has(c.name)) fail(`checks[${i}].name`, `"${c.name}" is used by another check`);
      seen.add(c.name);
    });
    return list;
  });
  const description = p.attempt(() =>
    o.description === undefined || o.description === '' ? '' : expectString(o.description, 'description'),
  );
  const seed = p.attempt(() => expectNumber(o.seed, 'seed', { integer: true, min: 0, max: 2 ** 32 - 1 }));
  const expectedVerdict = p.attempt(() => expectString(o.expected_verdict, 'expected_verdict', ['pass', 'fail']) as 'pass' | 'fail');
  const rate = p.attempt(() => expectNumber(o.rate, 'rate', { min: 0, exclusiveMin: true, max: 100_000 }));
  const pattern = p.attempt(() =>
    o.pattern === null || o.pattern === undefined
      ? null
      : expectArray(o.pattern, 'pattern').map((x, i) => expectNumber(x, `pattern[${i}]`, { min: 0 })),
  );
  const schedule = p.attempt(() => expectString(o.schedule, 'schedule', SCHEDULE_KINDS) as ScheduleKind);
  if (schedule === 'poisson' && pattern)
    p.fail('schedule', schedule, 'poisson draws its own gaps and takes no pattern: use "jittered" or "fixed" with a pattern');
  // the workers' own limit: a scenario they would refuse is refused here
  const pollMs = p.attempt(() => expectNumber(o.poll_ms, 'poll_ms', { min: LIMITS.pollMs.min, max: 3_600_000 }));
  const warmupMaxS = p.attempt(() => expectNumber(o.warmup_max_s, 'warmup_max_s', { min: 0, max: 3600 }));
  const commitWaitS = p.attempt(() =>
    expectArray(o.commit_wait_s, 'commit_wait_s').map((x, i) =>
      expectNumber(x, `commit_wait_s[${i}]`, { min: 0, exclusiveMin: true, max: 3600 }),
    ),
  );
  const eventFaults = p.attempt(() => validateEventPathFaultSpec(o.event_faults, 'event_faults'));
  // A bare N is one event in N, as on the command line (1 is on).
  const echoRaw = Number.isSafeInteger(o.echo) && (o.echo as number) >= 1 ? (o.echo === 1 ? 'on' : { every: o.echo as number }) : o.echo;
  const echo = isEchoMode(echoRaw)
    ? echoRaw
    : p.fail(
        'echo',
        o.echo,
        `got ${typedText(o.echo)}; use "on", "off", a whole number N ≥ 1 or { "every": N } (one event in N asks each worker for an echo)`,
      );
  const ext = p.attempt(() => (o.extends === undefined ? undefined : expectString(o.extends, 'extends')));
  const sourceOptions = p.attempt(() => {
    if (!isPlainObject(o.source_options))
      fail('source_options', 'must be an object keyed by source name, e.g. { "chronotick": { "k": 3 } }');
    for (const [k, v] of Object.entries(o.source_options as Record<string, unknown>)) {
      if (!SOURCE_RE.test(k)) fail(`source_options.${k}`, `"${k}" is not a source name`);
      if (!isPlainObject(v)) fail(`source_options.${k}`, 'must be an object of options');
    }
    return o.source_options as Record<string, Record<string, unknown>>;
  });

  const transportSpec = checkTransportSpec(o.transport);
  const transport =
    typeof transportSpec === 'object' && 'problem' in transportSpec
      ? p.fail(transportSpec.field, o.transport, transportSpec.problem)
      : transportSpec;
  if (transport !== 'unicast' && Object.keys(eventFaults ?? {}).some((k) => k !== 'seed'))
    p.fail(
      'event_faults',
      o.event_faults,
      'event faults are per worker and need "transport": "unicast" (one multicast datagram serves every worker)',
    );

  // Fields that refer to the servers and the number of workers.
  const refs = servers !== undefined && workers !== undefined;
  const coordinator = refs ? p.attempt(() => validateWorkerSpec(o.coordinator, 'coordinator', servers)) : undefined;
  const workerDefaults = refs ? p.attempt(() => validateWorkerSpec(o.worker_defaults, 'worker_defaults', servers)) : undefined;
  const perWorker = refs
    ? p.attempt(() => {
        if (!isPlainObject(o.per_worker)) fail('per_worker', 'must be an object keyed by node name ("w1", "w2", ...)');
        const out: Record<string, Partial<WorkerSpec>> = {};
        for (const [k, w] of Object.entries(o.per_worker as Record<string, unknown>)) {
          const field = `per_worker.${k}`;
          if (!/^w[1-9][0-9]*$/.test(k)) fail(field, 'keys are run-local node names "w1".."wN"');
          if (workerKeyIndex(k)! >= workers) fail(field, `names worker ${k} but the scenario has only ${workers} worker(s)`);
          const wo = expectObject(w, field, ['clock_faults', 'ntp_servers']);
          const one: Partial<WorkerSpec> = {};
          if (wo.clock_faults !== undefined) one.clock_faults = validateClockFaultSpec(wo.clock_faults, `${field}.clock_faults`);
          if (wo.ntp_servers !== undefined) one.ntp_servers = validateServerRefs(wo.ntp_servers, `${field}.ntp_servers`, servers);
          out[k] = one;
        }
        return out;
      })
    : undefined;
  if (sources?.some((s) => NTP_SOURCES.has(s)) && coordinator && workerDefaults && perWorker && workers !== undefined) {
    const need = 'sources include ntp/bounded, so at least one server is needed';
    if (coordinator.ntp_servers.length === 0) p.fail('coordinator.ntp_servers', coordinator.ntp_servers, need);
    if (workerDefaults.ntp_servers.length === 0 && Object.keys(perWorker).length < workers)
      p.fail('worker_defaults.ntp_servers', workerDefaults.ntp_servers, need);
    for (const [k, w] of Object.entries(perWorker)) {
      if (w.ntp_servers !== undefined && w.ntp_servers.length === 0) p.fail(`per_worker.${k}.ntp_servers`, w.ntp_servers, need);
    }
  }
  if (eventFaults && workers !== undefined) {
    for (const k of Object.keys(eventFaults.per_worker ?? {})) {
      if (workerKeyIndex(k)! >= workers)
        p.fail(`event_faults.per_worker.${k}`, k, `names a worker beyond the scenario's ${workers} worker(s)`);
    }
  }
  p.throwIfAny((found) =>
    found.length === 1 ? new SpecError(found[0]!.field, found[0]!.allowed, found[0]!.value) : new ValidationError(found),
  );

  const out: Scenario = {
    name: name!,
    description: description!,
    seed: seed!,
    expected_verdict: expectedVerdict!,
    workers: workers!,
    rate: rate!,
    duration_s: durationS!,
    count: count!,
    pattern: pattern!,
    schedule: schedule!,
    sources: sources!,
    poll_ms: pollMs!,
    warmup_max_s: warmupMaxS!,
    commit_wait_s: commitWaitS!,
    servers: servers!,
    coordinator: coordinator!,
    worker_defaults: workerDefaults!,
    per_worker: perWorker!,
    event_faults: eventFaults!,
    checks: checks!,
    echo: echo!,
    source_options: sourceOptions!,
    transport: transport!,
  };
  if (ext !== undefined) out.extends = ext;
  return out;
}
