// Source health (docs/metrics.md §Source health): per place × source, how its readings and its
// sync samples went status by status — shares, availability, time to first ok, the reasons the
// sync log gave. Gathered in the one pass: ReadingHealth is fed by RowTally.stamps as the join
// takes each row, SamplingHealth by analysis/load/sync-rows.ts as it reads each sync row.
import { ratio } from '../stats/distribution.js';
import type { HealthBin, HealthSeries } from '../stats/figures-data.js';
import type { HealthReadings, HealthReason, HealthSampling, SourceHealthEntry } from '../stats/types.js';
import type { TimelineConfig } from './block-folder.js';

/** Reason kinds listed per (node, source); the rest are counted in `reasons_other`. */
export const TOP_REASONS = 5;
const OK = 'ok';
/** Statuses that say nothing about health: blank (no status column) and a legacy import's marker. */
const UNJUDGED = new Set(['', 'legacy']);
/** The coordinator's place name (its sync log is sync/coordinator.csv). */
export const COORDINATOR_NODE = 'coordinator';

/** A reason with every number written `#`, so that "delay 1000156 ns > minimum 812363 ns" samples group. */
export function reasonKind(reason: string): string {
  return reason.replace(/\d+(?:\.\d+)?/g, '#');
}

/** Per status id, grown as ids appear (a packed array: `a[id]++` stays fast on the hot path). */
function grown(a: number[], id: number): number[] {
  while (a.length <= id) a.push(0);
  return a;
}

class Counts {
  rows = 0;
  withPoint = 0;
  withInterval = 0;
  byId: number[] = [0, 0, 0, 0, 0, 0, 0, 0];
  add(id: number, point: boolean, interval: boolean): void {
    this.rows++;
    if (point) this.withPoint++;
    if (interval) this.withInterval++;
    if (id >= this.byId.length) grown(this.byId, id);
    this.byId[id]!++;
  }
  /** this − b (b counted a prefix of the same readings). */
  minus(b: Counts): Counts {
    const out = new Counts();
    out.rows = this.rows - b.rows;
    out.withPoint = this.withPoint - b.withPoint;
    out.withInterval = this.withInterval - b.withInterval;
    out.byId = this.byId.map((n, id) => n - (b.byId[id] ?? 0));
    return out;
  }
}

class SourceReadings {
  readonly all = new Counts();
  /** The readings before the first ok one (counted only until it comes). */
  readonly before = new Counts();
  seenOk = false;
  first = NaN;
  firstOk = NaN;
  /** Per timeline bin: readings per status id (undefined: none in the bin). */
  readonly bins: (number[] | undefined)[] = [];
}

/** The readings of one event file (one place), per source, fed in the order the join takes the rows. */
export class ReadingHealth {
  private readonly texts: string[] = [''];
  private groups: string[] | null = null;
  private groupOf: number[] = [];
  private emptyGroup = 0;
  /** Per status id: 1 when the status is ok. */
  private readonly okIds: number[] = [0];
  private readonly bySource: (SourceReadings | null)[];
  /** The bin of the last stamp (every source of a row has the same). */
  private lastT = NaN;
  private lastBin = -1;

  constructor(
    readonly role: 'coordinator' | 'worker',
    readonly node: string,
    /** Per global source: whether this file has its columns. */
    present: readonly boolean[],
    private readonly timeline: TimelineConfig | null,
  ) {
    this.bySource = present.map((p) => (p ? new SourceReadings() : null));
  }

  /** The file's status table grows as batches arrive (RowTally.accept). */
  status(id: number, text: string): void {
    this.texts[id] = text;
    grown(this.okIds, id)[id] = text === OK ? 1 : 0;
  }

  /** One reading: its status id, local stamp (relative ns, NaN when unparseable) and which values it has. */
  add(s: number, id: number, tRel: number, point: boolean, interval: boolean): void {
    const r = this.bySource[s];
    if (!r) return;
    if (r.all.rows === 0) r.first = tRel;
    if (!r.seenOk) {
      if (this.okIds[id] === 1) {
        r.seenOk = true;
        r.firstOk = tRel;
      } else r.before.add(id, point, interval);
    }
    r.all.add(id, point, interval);
    const k = this.bin(tRel);
    if (k < 0) return;
    const b = r.bins[k] ?? (r.bins[k] = [0, 0, 0, 0, 0, 0, 0, 0]);
    if (id >= b.length) grown(b, id);
    b[id]!++;
  }

  private bin(tRel: number): number {
    if (tRel === this.lastT) return this.lastBin;
    const tl = this.timeline;
    this.lastT = tRel;
    this.lastBin = !tl || Number.isNaN(tRel) ? -1 : Math.min(tl.bins - 1, Math.max(0, Math.floor((tRel - tl.start) / tl.binNs)));
    return this.lastBin;
  }

  /** Per global source index: the readings summary (null without columns), `bounded` as the metrics use it. */
  readings(s: number, bounded: boolean): HealthReadings | null {
    const r = this.bySource[s];
    if (!r) return null;
    const counts = this.named(r.all.byId);
    const avail = (c: Counts) => ratio(bounded ? c.withInterval : c.withPoint, c.rows);
    const first = finite(r.first);
    const firstOk = finite(r.firstOk);
    return {
      rows: r.all.rows,
      status_counts: counts,
      status_shares: shares(counts, r.all.rows),
      availability: avail(r.all),
      first_rel_ns: first,
      first_ok_rel_ns: firstOk,
      time_to_first_ok_ns: first !== null && firstOk !== null ? firstOk - first : null,
      before_first_ok: r.before.rows,
      after_first_ok: r.seenOk ? this.measuring(r.all.minus(r.before), avail) : null,
    };
  }

  private measuring(c: Counts, avail: (c: Counts) => HealthReadings['availability']): HealthReadings['after_first_ok'] {
    return { rows: c.rows, status_counts: this.named(c.byId), availability: avail(c) };
  }

  /** The status counts per time bin of one source (null without columns or without a timeline). */
  series(s: number, source: string): HealthSeries | null {
    const r = this.bySource[s];
    const tl = this.timeline;
    if (!r || !tl) return null;
    const bins: HealthBin[] = [];
    r.bins.forEach((byId, k) => {
      if (byId) bins.push({ t_rel_ns: tl.start + k * tl.binNs, counts: this.named(byId) });
    });
    if (bins.length === 0) return null;
    return { role: this.role, node: this.node, source, bin_ns: tl.binNs, bins };
  }

  /** Counts per status id → per status text (sorted; ids that share a text are summed). */
  /** Counts by status text, in sortedRecord's order. */
  private named(byId: readonly number[]): Record<string, number> {
    // Built once per table: a Map and a localeCompare sort per time bin, worker and source was
    // most of this section's cost at 64 workers. Ids past the table have the empty text.
    const groups = this.textGroups();
    const sums = new Array<number>(groups.length).fill(0);
    const T = this.texts.length;
    for (let id = 0; id < byId.length; id++) {
      const n = byId[id];
      if (n) sums[id < T ? this.groupOf[id]! : this.emptyGroup] += n;
    }
    const out: Record<string, number> = {};
    for (let g = 0; g < groups.length; g++) if (sums[g]) out[groups[g]!] = sums[g]!;
    return out;
  }

  /** The distinct texts (and the empty one) in sortedRecord's order; groupOf maps ids to them. */
  private textGroups(): string[] {
    if (this.groups && this.groupOf.length === this.texts.length) return this.groups;
    const texts = Array.from({ length: this.texts.length }, (_, id) => this.texts[id] ?? '');
    const distinct = [...new Set([...texts, ''])].sort((a, b) => a.localeCompare(b)); // stable: ties keep id order
    const at = new Map(distinct.map((t, g) => [t, g]));
    this.groupOf = texts.map((t) => at.get(t)!);
    this.emptyGroup = at.get('')!;
    this.groups = distinct;
    return distinct;
  }
}

class SourceSamples {
  samples = 0;
  readonly counts = new Map<string, number>();
  first = NaN;
  firstOk = NaN;
  seenOk = false;
  withoutReason = 0;
  readonly reasons = new Map<string, HealthReason>();
}

/** The sync log's rows per (node, source), fed in file order by analysis/load/sync-rows.ts. */
export class SamplingHealth {
  private readonly nodes = new Map<string, { first: number; sources: Map<string, SourceSamples> }>();

  add(node: string, source: string, tRel: number, status: string, reason: string): void {
    let n = this.nodes.get(node);
    if (!n) this.nodes.set(node, (n = { first: NaN, sources: new Map() }));
    if (Number.isNaN(n.first)) n.first = tRel;
    if (source === '') return; // a row without a source belongs to no source
    let s = n.sources.get(source);
    if (!s) n.sources.set(source, (s = new SourceSamples()));
    s.samples++;
    s.counts.set(status, (s.counts.get(status) ?? 0) + 1);
    if (Number.isNaN(s.first)) s.first = tRel;
    if (status === OK && !s.seenOk) {
      s.seenOk = true;
      s.firstOk = tRel;
    }
    if (reason === '') {
      s.withoutReason++;
      return;
    }
    const kind = reasonKind(reason);
    const key = `${status}\u0000${kind}`;
    const r = s.reasons.get(key);
    if (r) r.count++;
    else s.reasons.set(key, { status, reason: kind, count: 1, example: reason });
  }

  nodeNames(): string[] {
    return [...this.nodes.keys()];
  }

  sourceNames(node: string): string[] {
    return [...(this.nodes.get(node)?.sources.keys() ?? [])];
  }

  sampling(node: string, source: string): HealthSampling | null {
    const n = this.nodes.get(node);
    const s = n?.sources.get(source);
    if (!n || !s) return null;
    const counts = sortedRecord(s.counts);
    const all = [...s.reasons.values()].sort(
      (a, b) => b.count - a.count || a.status.localeCompare(b.status) || a.reason.localeCompare(b.reason),
    );
    const top = all.slice(0, TOP_REASONS);
    const nodeFirst = finite(n.first);
    const firstOk = s.seenOk ? finite(s.firstOk) : null;
    return {
      samples: s.samples,
      status_counts: counts,
      status_shares: shares(counts, s.samples),
      first_rel_ns: finite(s.first),
      first_ok_rel_ns: firstOk,
      time_to_first_ok_ns: firstOk !== null && nodeFirst !== null ? firstOk - nodeFirst : null,
      reasons: top,
      reason_kinds: all.length,
      reasons_other: all.slice(TOP_REASONS).reduce((a, r) => a + r.count, 0),
      without_reason: s.withoutReason,
    };
  }
}

/** stats.json `source_health` and figures-data.json `health`, from the pass's tallies. */
export function sourceHealth(input: {
  /** Global sources in stats.json order, `bounded` as the metrics use it. */
  sources: readonly { name: string; bounded: boolean }[];
  /** The coordinator's tally and one per worker with an event file. */
  places: readonly ReadingHealth[];
  /** Every worker node (those without an event file too), in stats.json order. */
  workers: readonly string[];
  sampling: SamplingHealth;
}): { entries: SourceHealthEntry[]; series: HealthSeries[] } {
  const { sources, places, sampling } = input;
  const entries: SourceHealthEntry[] = [];
  const series: HealthSeries[] = [];
  // Sources any worker stamped: listed at every worker, so one without them shows as absent.
  const workerSources = new Set<number>();
  for (const p of places) if (p.role === 'worker') sources.forEach((s, i) => p.readings(i, s.bounded) && workerSources.add(i));
  const names = sources.map((s) => s.name);
  const plan: { role: 'coordinator' | 'worker'; node: string; tally: ReadingHealth | null; worker: boolean }[] = [
    { role: 'coordinator', node: COORDINATOR_NODE, tally: places.find((p) => p.role === 'coordinator') ?? null, worker: false },
    ...input.workers.map((node) => ({
      role: 'worker' as const,
      node,
      tally: places.find((p) => p.role === 'worker' && p.node === node) ?? null,
      worker: true,
    })),
    ...sampling
      .nodeNames()
      .filter((n) => n !== COORDINATOR_NODE && !input.workers.includes(n))
      .map((node) => ({ role: 'worker' as const, node, tally: null, worker: false })),
  ];
  for (const { role, node, tally, worker } of plan) {
    const sampled = sampling.sourceNames(node);
    const listed = sources.flatMap((s, i) => {
      const readings = tally?.readings(i, s.bounded) ?? null;
      const samples = sampling.sampling(node, s.name);
      if (readings || samples || (worker && workerSources.has(i))) return [{ source: s.name, readings, sampling: samples, i }];
      return [];
    });
    const extra = sampled
      .filter((n) => !names.includes(n))
      .sort()
      .map((n) => ({ source: n, readings: null, sampling: sampling.sampling(node, n), i: -1 }));
    for (const e of [...listed, ...extra]) {
      entries.push({ source: e.source, role, node, readings: e.readings, sampling: e.sampling, never_ok: neverOk(e.readings, e.sampling) });
      const sr = e.i >= 0 ? tally?.series(e.i, e.source) : null;
      if (sr) series.push(sr);
    }
  }
  return { entries, series };
}

/** Judged on the readings when there are any, else on the samples; null when no status says anything. */
function neverOk(r: HealthReadings | null, s: HealthSampling | null): boolean | null {
  const counts = r && r.rows > 0 ? r.status_counts : s && s.samples > 0 ? s.status_counts : null;
  if (!counts) return null;
  if (Object.keys(counts).every((k) => UNJUDGED.has(k))) return null;
  return !(counts[OK]! > 0);
}

function shares(counts: Record<string, number>, total: number): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).map(([k, n]) => [k, total > 0 ? n / total : 0]));
}

function sortedRecord(m: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...m].sort((a, b) => a[0].localeCompare(b[0])));
}

function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
