import { Prng, seedOf } from './prng.js';
import { sampleDelayMs, validateDelayDist, type DelayDistSpec } from './delay-dist.js';
import { expectNumber, expectObject, expectProbability, isPlainObject, optionalNumber, SpecError } from '../validate/index.js';

/** Faults on the coordinator → worker event path for one worker. */
export interface WorkerEventFaultSpec {
  /** Added delay (with jitter, by its distribution) before the datagram is sent to this worker. */
  delay?: DelayDistSpec;
  /** Probability the datagram to this worker is not sent. */
  loss?: number;
  /** Probability of each extra copy (geometric, up to max_duplicates). */
  duplicate?: number;
  /** Most extra copies of one datagram (default 1). */
  max_duplicates?: number;
}

/**
 * `all` applies to every worker; `per_worker[key]` overrides fields for one worker, where key is
 * the 0-based index of the worker in the coordinator's --workers list ("0", "1", ...) or the
 * run-local node name "w<index+1>" ("w1" is index 0).
 */
export interface EventPathFaultSpec {
  all?: WorkerEventFaultSpec;
  per_worker?: Record<string, WorkerEventFaultSpec>;
  seed?: number;
}

export interface EventFaultDecision {
  drop: boolean;
  /** Delay before sending, ns (integer). */
  delayNs: number;
  /** Extra copies to send right after the original (same delay). */
  duplicates: number;
}

const WORKER_FIELDS = ['delay', 'loss', 'duplicate', 'max_duplicates'] as const;

function validateWorkerEventFaults(v: unknown, field: string): WorkerEventFaultSpec {
  const o = expectObject(v, field, WORKER_FIELDS);
  const out: WorkerEventFaultSpec = {};
  if (o.delay !== undefined) out.delay = validateDelayDist(o.delay, `${field}.delay`);
  if (o.loss !== undefined) out.loss = expectProbability(o.loss, `${field}.loss`);
  if (o.duplicate !== undefined) out.duplicate = expectProbability(o.duplicate, `${field}.duplicate`);
  const md = optionalNumber(o.max_duplicates, `${field}.max_duplicates`, { integer: true, min: 0, max: 10 });
  if (md !== undefined) out.max_duplicates = md;
  return out;
}

export function validateEventPathFaultSpec(v: unknown, field = 'event_faults'): EventPathFaultSpec {
  const o = expectObject(v, field, ['all', 'per_worker', 'seed']);
  const out: EventPathFaultSpec = {};
  if (o.all !== undefined) out.all = validateWorkerEventFaults(o.all, `${field}.all`);
  if (o.per_worker !== undefined) {
    if (!isPlainObject(o.per_worker)) throw new SpecError(`${field}.per_worker`, 'must be an object keyed by worker index ("0", "1", ...)');
    out.per_worker = {};
    for (const [k, w] of Object.entries(o.per_worker)) {
      if (workerKeyIndex(k) === null)
        throw new SpecError(`${field}.per_worker.${k}`, 'key must be a 0-based worker index ("0") or a node name "w1" (= index 0)');
      out.per_worker[k] = validateWorkerEventFaults(w, `${field}.per_worker.${k}`);
    }
  }
  const seed = optionalNumber(o.seed, `${field}.seed`, { integer: true, min: 0, max: 2 ** 32 - 1 });
  if (seed !== undefined) out.seed = seed;
  return out;
}

/** "3" → 3; "w1" → 0; anything else → null. */
export function workerKeyIndex(key: string): number | null {
  if (/^(0|[1-9][0-9]{0,5})$/.test(key)) return Number(key);
  const m = /^w([1-9][0-9]{0,5})$/.exec(key);
  return m ? Number(m[1]) - 1 : null;
}

export interface EventPathFaults {
  readonly spec: EventPathFaultSpec;
  readonly seed: number;
  /** True when no worker has any fault (the coordinator can skip the timers). */
  readonly inactive: boolean;
  /** Pure: the same (seed, workerIndex, seq) always gives the same decision, in any call order. */
  decide(workerIndex: number, seq: number): EventFaultDecision;
}

const NONE: EventFaultDecision = Object.freeze({ drop: false, delayNs: 0, duplicates: 0 });

/** Build the decision function for a spec. Allocation per call: one small object (none when inactive). */
export function eventPathFaults(spec: EventPathFaultSpec, seed = spec.seed ?? 1): EventPathFaults {
  const valid = validateEventPathFaultSpec(spec);
  const merged = new Map<number, WorkerEventFaultSpec>();
  for (const [k, w] of Object.entries(valid.per_worker ?? {}))
    merged.set(workerKeyIndex(k)!, { ...(merged.get(workerKeyIndex(k)!) ?? valid.all), ...w });
  const forWorker = (i: number): WorkerEventFaultSpec | undefined => merged.get(i) ?? valid.all;
  const active = (w: WorkerEventFaultSpec | undefined): boolean =>
    !!w && (w.delay !== undefined || (w.loss ?? 0) > 0 || (w.duplicate ?? 0) > 0);
  const inactive = !active(valid.all) && ![...merged.values()].some(active);
  expectNumber(seed, 'event_faults.seed', { integer: true, min: 0 });
  return {
    spec: valid,
    seed,
    inactive,
    decide(workerIndex: number, seq: number): EventFaultDecision {
      const w = forWorker(workerIndex);
      if (!active(w)) return NONE;
      const r = new Prng(seedOf(seed, workerIndex, seq));
      const drop = r.chance(w!.loss ?? 0);
      const delayMs = w!.delay !== undefined ? sampleDelayMs(w!.delay, r) : 0;
      let duplicates = 0;
      const max = w!.max_duplicates ?? 1;
      while (duplicates < max && r.chance(w!.duplicate ?? 0)) duplicates++;
      return { drop, delayNs: Math.round(delayMs * 1e6), duplicates: drop ? 0 : duplicates };
    },
  };
}

/** Counts of what the event path actually did, per worker, for the manifest. */
export class EventFaultTally {
  private readonly perWorker = new Map<
    number,
    { decided: number; dropped: number; duplicated: number; delay_ns_sum: number; delay_ns_max: number }
  >();

  record(workerIndex: number, d: EventFaultDecision): void {
    let t = this.perWorker.get(workerIndex);
    if (!t) {
      t = { decided: 0, dropped: 0, duplicated: 0, delay_ns_sum: 0, delay_ns_max: 0 };
      this.perWorker.set(workerIndex, t);
    }
    t.decided++;
    if (d.drop) t.dropped++;
    t.duplicated += d.duplicates;
    t.delay_ns_sum += d.delayNs;
    if (d.delayNs > t.delay_ns_max) t.delay_ns_max = d.delayNs;
  }

  toJSON(): Record<string, { decided: number; dropped: number; duplicated: number; delay_ns_mean: number | null; delay_ns_max: number }> {
    const out: ReturnType<EventFaultTally['toJSON']> = {};
    for (const [i, t] of [...this.perWorker].sort((a, b) => a[0] - b[0])) {
      out[String(i)] = {
        decided: t.decided,
        dropped: t.dropped,
        duplicated: t.duplicated,
        delay_ns_mean: t.decided ? t.delay_ns_sum / t.decided : null,
        delay_ns_max: t.delay_ns_max,
      };
    }
    return out;
  }
}
