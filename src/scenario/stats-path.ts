// A small path language to pick numbers out of stats.json for checks:
//   segment ('.' segment)*      segment = key | key '[' filter (',' filter)* ']' | key '[*]'
//   filter  = field '=' value   value 'null' matches null (e.g. all workers pooled), '*' matches
//                               any value that is not null: node=* is "every worker", pooled excluded
// e.g. bound_quality[source=ntp,role=worker,node=null].abs_point_error.p99
//      bound_quality[source=bounded,role=worker,node=*].coverage.share   (each worker: the check judges the worst)
//      sync[source=ntp].offset.min            (every node: several numbers)
//      headline[source=bounded].coverage_share
import { SpecError } from '../validate/index.js';

export interface PathSegment {
  key: string;
  /** undefined: plain property; [] : every element of an array; else element filters. */
  filters?: Array<{ field: string; value: string }>;
}

const SEG_RE = /^([A-Za-z0-9_]+|\*)(?:\[([^\]]*)\])?$/;

export function parseStatsPath(path: string, field = 'path'): PathSegment[] {
  if (typeof path !== 'string' || path.trim() === '') throw new SpecError(field, 'must be a non-empty stats.json path');
  // Split on dots outside brackets (filter values may contain dots, e.g. node names).
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of path) {
    if (ch === '[') depth++;
    if (ch === ']') depth--;
    if (ch === '.' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => {
    const m = SEG_RE.exec(p);
    if (!m) throw new SpecError(field, `bad segment "${p}" in "${path}" (expected key, key[field=value,...] or key[*])`);
    const seg: PathSegment = { key: m[1]! };
    if (m[2] !== undefined) {
      const body = m[2].trim();
      seg.filters =
        body === '*'
          ? []
          : body.split(',').map((f) => {
              const eq = f.indexOf('=');
              if (eq <= 0) throw new SpecError(field, `bad filter "${f}" in "${path}" (expected field=value)`);
              return { field: f.slice(0, eq).trim(), value: f.slice(eq + 1).trim() };
            });
    }
    return seg;
  });
}

const matches = (v: unknown, want: string): boolean =>
  want === 'null' ? v === null || v === undefined : v !== null && v !== undefined && (want === '*' || cellText(v) === want);

/** A stats.json value as a check compares and labels it: objects as JSON, never "[object Object]". */
const cellText = (v: unknown): string => (typeof v === 'object' ? JSON.stringify(v) : String(v as string | number | boolean));

/** Fields that tell entries of one array apart, named in a match's label when the path did not pin them. */
const LABEL_FIELDS = ['source', 'role', 'node', 'pair', 'window_ms', 'delay_s'];

function labelOf(el: Record<string, unknown>, filters: PathSegment['filters']): string[] {
  const pinned = new Set((filters ?? []).filter((f) => f.value !== '*').map((f) => f.field));
  return LABEL_FIELDS.filter((f) => f in el && !pinned.has(f)).map((f) => `${f}=${el[f] === null ? 'null' : cellText(el[f])}`);
}

/** selectStats with, for each value, where it was found (e.g. "node=w2"; '' when nothing varies). */
export function selectStatsLabelled(
  root: unknown,
  segs: PathSegment[],
  trace?: { nullAt: string | null },
): { value: unknown; at: string }[] {
  const labels: string[] = [];
  const values = selectStats(root, segs, trace, labels);
  return values.map((value, i) => ({ value, at: labels[i] ?? '' }));
}

/**
 * Every value the path reaches (possibly several through filters and `*`). A missing key or an
 * empty match yields no value rather than an error: the check is then "unknown".
 */
export function selectStats(root: unknown, segs: PathSegment[], trace?: { nullAt: string | null }, labelsOut?: string[]): unknown[] {
  let cur: unknown[] = [root];
  let labels: string[][] = [[]];
  let si = 0;
  for (const seg of segs) {
    const next: unknown[] = [];
    const nextLabels: string[][] = [];
    cur.forEach((v, vi) => {
      if (v === null && trace && trace.nullAt === null)
        trace.nullAt = segs
          .slice(0, si)
          .map((x) => x.key)
          .join('.');
      if (v === null || typeof v !== 'object') return;
      // `*` over an object's keys (e.g. bracketed.by_worker.*) names the key it took: "by_worker=w2".
      const star = seg.key === '*' ? Object.entries(v as object) : null;
      const children = star ? star.map(([, x]) => x as unknown) : [(v as Record<string, unknown>)[seg.key]];
      for (const [ci, c] of children.entries()) {
        if (seg.filters === undefined) {
          if (c !== undefined) {
            next.push(c);
            nextLabels.push(star && !Array.isArray(v) ? [...labels[vi]!, `${segs[si - 1]?.key ?? '*'}=${star[ci]![0]}`] : labels[vi]!);
          }
          continue;
        }
        if (!Array.isArray(c)) continue;
        for (const el of c) {
          if (
            el !== null &&
            typeof el === 'object' &&
            seg.filters.every((f) => matches((el as Record<string, unknown>)[f.field], f.value))
          ) {
            next.push(el);
            nextLabels.push([...labels[vi]!, ...labelOf(el as Record<string, unknown>, seg.filters)]);
          }
        }
      }
    });
    cur = next;
    labels = nextLabels;
    si++;
  }
  if (labelsOut) labelsOut.push(...labels.map((l) => l.join(', ')));
  return cur;
}

/** Parse a threshold: a number, or a string with a unit ("2ms", "150us", "1.5s", "99.9%"). */
export function parseThreshold(v: unknown, field = 'threshold'): number {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new SpecError(field, 'must be finite');
    return v;
  }
  if (typeof v !== 'string')
    throw new SpecError(field, `must be a number or a string such as "2ms", "150us" or "99.9%", got ${JSON.stringify(v)}`);
  const m = /^\s*(-?[0-9]+(?:\.[0-9]+)?(?:e-?[0-9]+)?)\s*(ns|us|µs|ms|s|%)\s*$/.exec(v);
  if (!m) throw new SpecError(field, `cannot read "${v}": use a number with ns, us, ms, s or %`);
  // Shift the decimal exponent in the string so "99.9%" is exactly 0.999 (99.9 * 0.01 is not).
  const exp: Record<string, number> = { ns: 0, us: 3, µs: 3, ms: 6, s: 9, '%': -2 };
  const [mant, e = '0'] = m[1]!.split('e');
  return Number(`${mant}e${Number(e) + exp[m[2]!]!}`);
}
