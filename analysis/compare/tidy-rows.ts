// One run's stats.json → tidy rows: one row per source × metric × worker (node '' = all workers
// pooled), each a count out of a total (a proportion), a bare count, or a value (ns). Only numbers
// stats.json holds are copied; a section an older stats.json lacks gives no row (never a 0).
// The metric names are listed in docs/compare.md; analyze --export summary uses the same rows.
import { isFiniteNumber, isPlainObject, isString } from '../../src/files/json-shape.js';

export interface TidyRow {
  run_id: string;
  source: string;
  metric: string;
  /** Worker node id; '' = all workers pooled. */
  node: string;
  /** Proportions: the count; bare counts: the count with total null. */
  count: number | null;
  total: number | null;
  /** Continuous values (e.g. ns); null for counts and proportions. */
  value: number | null;
  /** 'ratio' (count of total), 'count', or the value's unit ('ns'). */
  unit: string;
}

type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj | null => (isPlainObject(v) ? v : null);
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isPlainObject) : []);
const num = (v: unknown): number | null => (isFiniteNumber(v) ? v : null);

/** A stats.json Ratio ({count, total}) or null when absent or malformed. */
function ratio(v: unknown): { count: number; total: number } | null {
  const o = obj(v);
  if (!o) return null;
  const count = num(o['count']);
  const total = num(o['total']);
  return count === null || total === null ? null : { count, total };
}

/** The pooled entry has node null; '' is its name in the tidy rows. */
const nodeName = (v: unknown): string | null => (v === null || v === undefined ? '' : isString(v) ? v : null);

class Rows {
  readonly out: TidyRow[] = [];
  constructor(private readonly runId: string) {}
  ratio(source: string, metric: string, node: string, r: { count: number; total: number } | null): void {
    if (r) this.out.push({ run_id: this.runId, source, metric, node, count: r.count, total: r.total, value: null, unit: 'ratio' });
  }
  count(source: string, metric: string, node: string, n: number | null): void {
    if (n !== null) this.out.push({ run_id: this.runId, source, metric, node, count: n, total: null, value: null, unit: 'count' });
  }
  value(source: string, metric: string, node: string, v: number | null, unit: string): void {
    if (v !== null) this.out.push({ run_id: this.runId, source, metric, node, count: null, total: null, value: v, unit });
  }
}

/** Workers' entries of a per-place section (readings, bound_quality): role worker, node null = pooled. */
function workerEntries(section: unknown): { e: Obj; source: string; node: string }[] {
  return arr(section).flatMap((e) => {
    const source = e['source'];
    const node = nodeName(e['node']);
    return e['role'] === 'worker' && isString(source) && node !== null ? [{ e, source, node }] : [];
  });
}

function readingsRows(s: Obj, r: Rows): void {
  for (const { e, source, node } of workerEntries(s['readings'])) r.ratio(source, 'availability', node, ratio(e['availability']));
}

function boundQualityRows(s: Obj, r: Rows): void {
  for (const { e, source, node } of workerEntries(s['bound_quality'])) {
    r.ratio(source, 'coverage', node, ratio(e['coverage']));
    const err = obj(e['abs_point_error']);
    // n = 0 has null quantiles: no row.
    if (err && num(err['n'])) {
      r.value(source, 'abs_point_error_p50', node, num(err['p50']), 'ns');
      r.value(source, 'abs_point_error_p99', node, num(err['p99']), 'ns');
    }
    const hw = obj(e['half_width']);
    if (hw && num(hw['n'])) r.value(source, 'half_width_p50', node, num(hw['p50']), 'ns');
  }
}

function causalityRows(s: Obj, r: Rows): void {
  for (const e of arr(s['causality'])) {
    const source = e['source'];
    const node = nodeName(e['node']);
    if (!isString(source) || node === null) continue;
    r.ratio(source, 'point_violations', node, ratio(obj(e['point'])?.['violations']));
    r.ratio(source, 'interval_violations', node, ratio(obj(e['interval'])?.['violation']));
  }
}

function orderingRows(s: Obj, r: Rows): void {
  for (const e of arr(s['ordering'])) {
    const source = e['source'];
    if (!isString(source) || e['pair'] !== null) continue; // pairs are not workers: pooled only
    r.ratio(source, 'wrong_orders_point', '', ratio(obj(e['point_vs_truth'])?.['wrong']));
    const ivt = obj(e['interval_vs_truth']);
    r.ratio(source, 'wrong_orders_interval', '', ratio(ivt?.['wrong']));
    // Per worker: the wrong orders charged to the worker whose interval missed (a count, no total).
    for (const w of arr(ivt?.['wrong_by_worker']))
      if (isString(w['node'])) r.count(source, 'wrong_orders_interval', w['node'], num(w['count']));
  }
}

function windowRows(s: Obj, r: Rows): void {
  for (const e of arr(s['windows'])) {
    const source = e['source'];
    const w = num(e['window_ms']);
    if (!isString(source) || w === null) continue;
    const at = `.${w}ms`;
    r.ratio(source, `window_point_agree${at}`, '', ratio(obj(e['point'])?.['agree']));
    const iv = obj(e['interval']);
    if (!iv) continue;
    r.ratio(source, `window_interval_confident_agree${at}`, '', ratio(iv['confident_agree']));
    r.ratio(source, `window_interval_conflict${at}`, '', ratio(iv['confident_conflict']));
    const events = num(iv['events']);
    const falseConflicts = num(iv['conflict_false']);
    if (events !== null && falseConflicts !== null)
      r.ratio(source, `window_false_conflicts${at}`, '', { count: falseConflicts, total: events });
    for (const x of arr(iv['conflict_false_by_worker']))
      if (isString(x['node'])) r.count(source, `window_false_conflicts${at}`, x['node'], num(x['count']));
  }
}

function commitWaitRows(s: Obj, r: Rows): void {
  for (const e of arr(s['commit_wait'])) {
    const source = e['source'];
    const node = nodeName(e['node']);
    const wait = obj(e['wait']);
    if (isString(source) && node !== null && wait && num(wait['n'])) r.value(source, 'commit_wait_p50', node, num(wait['p50']), 'ns');
  }
}

/** Echo brackets: provable misses and "provably off by more than X" per source, pooled and per worker. */
function bracketedRows(s: Obj, r: Rows): void {
  const b = obj(s['bracketed']);
  if (!b) return;
  const one = (node: string, bySource: Obj | null): void => {
    for (const [source, v] of Object.entries(bySource ?? {})) {
      const entry = obj(v);
      if (!entry) continue;
      r.ratio(source, 'bracketed_provable_miss', node, ratio(obj(entry['interval'])?.['provable_miss']));
      for (const p of arr(obj(entry['error'])?.['provably_off'])) {
        const x = num(p['x_ns']);
        if (x !== null) r.ratio(source, `bracketed_provably_off.${x}ns`, node, ratio(p['count']));
      }
    }
  };
  one('', obj(b['pooled']));
  for (const [node, bySource] of Object.entries(obj(b['by_worker']) ?? {})) one(node, obj(bySource));
}

/** Self-consistency: readings that must miss, per worker and interval source (no pooled figure exists). */
function selfConsistencyRows(s: Obj, r: Rows): void {
  const byWorker = obj(obj(s['self_consistency'])?.['by_worker']);
  for (const [node, bySource] of Object.entries(byWorker ?? {}))
    for (const [source, v] of Object.entries(obj(bySource) ?? {})) {
      const e = obj(v);
      const mustMiss = num(e?.['must_miss']);
      const readings = num(e?.['readings']);
      if (mustMiss !== null && readings !== null) r.ratio(source, 'self_consistency_must_miss', node, { count: mustMiss, total: readings });
    }
}

/** Every tidy row of one run's stats.json (parsed). Rows come in section order, then source and node as stats.json lists them. */
export function tidyRows(stats: unknown, run: { run_id: string; run_dir: string }): TidyRow[] {
  const s = obj(stats);
  if (!s) return [];
  const r = new Rows(run.run_id);
  readingsRows(s, r);
  boundQualityRows(s, r);
  causalityRows(s, r);
  orderingRows(s, r);
  windowRows(s, r);
  commitWaitRows(s, r);
  bracketedRows(s, r);
  selfConsistencyRows(s, r);
  return r.out;
}
