// `chronoeval analyze RUN_DIR`: stream the run's CSVs, join them by event, fold every metric of
// docs/metrics.md, write stats.json atomically and return a plain-text summary.
import { CoordinatorOffsetTrack } from './fold/coordinator-offset.js';
import { statSync } from 'node:fs';
import path from 'node:path';
import { writeLargeJsonAtomic } from '../src/files/atomic-json.js';
import type { Logger } from '../src/cli/logger.js';
import { chronoevalVersion } from '../src/files/manifest.js';
import { runDirPaths } from '../src/files/paths.js';
import { InlineFolder, type EventSink, type FoldResults, type TimelineConfig } from './fold/gather.js';
import { orderingPairsByDefault } from './fold/block-folder.js';
import { CsvReader } from './load/csv-reader.js';
import { ratio } from './stats/distribution.js';
import { headline } from './stats/headline.js';
import type { SourceDef } from './join/joined.js';
import {
  REORDER_WINDOW,
  joinRun,
  viewBatch,
  type CommitWaitInput,
  type JoinCounters,
  type RowSource,
  type WorkerInput,
} from './join/join.js';
import { legacyAdapter } from './load/legacy.js';
import { legacyNtpWarning, type LegacyNtpFile } from './load/legacy-ntp-check.js';
import { runSchedule, scheduleWarning } from './load/schedule-info.js';
import { makeWindowSize } from './metrics/windows.js';
import { anchorFromEpochNs } from './load/ns-parse.js';
import { AvailabilityCounter, discoverSources } from './load/sources.js';
import { locateRun, peekCoordinator } from './load/run-files.js';
import { readRunManifest, runIdOf } from './load/run-manifest.js';
import { STATS_SCHEMA_VERSION, type InputFile, type ReadingAvailability, type Stats, type WorkerDelivery } from './stats/types.js';
import { EventRowReader, eventReadOptions } from './load/event-rows.js';
import { declaredDelays } from './load/reest-delays.js';
import { summaryText } from './stats/summary-text.js';
import { syncStats } from './load/sync-rows.js';
import { ThreadedFolder } from './threads/threaded-folder.js';
import { ParsePool, parseThreadCount } from './threads/parse-pool.js';
import {
  COORDINATOR_ROLE,
  InlineDecodedRows,
  RowTally,
  WORKER_ROLE,
  type DecodedRowSource,
  type ReaderStats,
} from './load/decoded-rows.js';
import { kernelDropSplit } from './fold/kernel-drops.js';
import { readClockSteps } from './load/clock-steps.js';
import { DEFAULT_MAX_FREQ_ERROR_PPM, maxFreqError } from './metrics/self-consistency.js';
import { figureSampling } from './fold/figure-samples.js';
import { statsSampleStride } from './fold/sample-events.js';
import { SyncSeriesBinner } from './load/sync-series.js';
import { FIGURES_DATA_FILE, FIGURES_DATA_SCHEMA_VERSION, type FiguresData } from './stats/figures-data.js';
import { readWorkerSummary } from '../src/files/worker-summary.js';
import { COORDINATOR_STAMPS, EVENT_COLUMNS } from '../src/files/columns.js';
import { SYSTEM_REFERENCE, checkReference, echoPass } from './echo-analysis.js';
import { ReadingHealth, SamplingHealth, sourceHealth, COORDINATOR_NODE } from './fold/source-health.js';
import { neverOkWarnings } from './stats/health-warnings.js';

export const DEFAULT_WINDOWS_MS = [50, 100, 500, 1000];
const TARGET_BINS = 200;
/** 100K events × 4 workers (~100 MB) ran ~0.5 s faster in-process, 1M × 4 (~1 GB) ~2 s faster threaded. */
export const THREADS_MIN_BYTES = 256 * 1024 * 1024;

export interface AnalyzeOptions {
  /** 'native' (DESIGN §4 layout, default) or 'legacy' (the first Python version's layout). */
  format?: 'native' | 'legacy';
  /** Window sizes in ms (default 50, 100, 500, 1000). */
  windowsMs?: number[];
  logger?: Logger;
  /**
   * Read and decode the coordinator and worker CSVs in parse threads and fold the metrics in a fold
   * thread while the main thread joins (native format only). The result is the same either way.
   * Default: threads when those files hold at least THREADS_MIN_BYTES (below that, starting the
   * threads and handing batches over costs more than it saves).
   */
  threads?: boolean;
  /** ε of the self-consistency bounds, in ppm (default 500): the most a local clock's rate may be off. */
  maxFreqErrorPpm?: number;
  /** With threads: how many parse threads share the event files (default: cores − 1, at most one per file). */
  parseThreads?: number;
  /**
   * The echo brackets' frame (docs/metrics.md §Echo brackets): 'system' (default, the coordinator's
   * local clock) or an interval source of the coordinator. Anything else is an error.
   */
  reference?: string;
  /**
   * Per-pair ordering entries in stats.json (O(workers²) per event). Default: with at most
   * ORDERING_PAIRS_MAX_WORKERS workers; above, pooled ordering only (O(W log W), the same counts).
   */
  orderingPairs?: boolean;
}

export interface AnalyzeResult {
  stats: Stats;
  /** What the figures draw beyond stats.json (written beside it as figures-data.json). */
  figuresData: FiguresData;
  summaryText: string;
  warnings: string[];
}

/**
 * Analyse a run directory and write <runDir>/stats.json. Throws an Error with a one-line message
 * when the directory or its coordinator.csv is missing or a window size is invalid.
 */
export async function analyzeRun(runDir: string, opts: AnalyzeOptions = {}): Promise<AnalyzeResult> {
  const format = opts.format ?? 'native';
  const reference = opts.reference ?? SYSTEM_REFERENCE;
  const windowsMs = opts.windowsMs ?? DEFAULT_WINDOWS_MS;
  if (windowsMs.length === 0 || windowsMs.some((w) => !(Number.isFinite(w) && w > 0))) {
    throw new Error(`window sizes must be positive numbers of ms, got ${JSON.stringify(windowsMs)}`);
  }
  const maxFreqErrorPpm = opts.maxFreqErrorPpm ?? DEFAULT_MAX_FREQ_ERROR_PPM;
  maxFreqError(maxFreqErrorPpm); // throws with the value given
  const files = await locateRun(runDir, format);
  const warnings: string[] = [];
  const warn = (m: string) => {
    warnings.push(m);
    opts.logger?.warn(m);
  };
  const rel = (f: string) => path.relative(files.runDir, f);
  const legacy = format === 'legacy';

  // Anchor, timeline bins and sample stride from the coordinator's first and last rows.
  const peek = await peekCoordinator(
    files.coordinator,
    legacy ? 'send_time_ns' : COORDINATOR_STAMPS.local,
    legacy ? ['sequence_number', 'seq', 'event_id'] : [EVENT_COLUMNS.seq, EVENT_COLUMNS.eventId],
  );
  const anchor = anchorFromEpochNs(peek.firstNs ?? peek.lastNs ?? 0n);
  const firstSeq = peek.firstSeq ?? 0;

  // Open every reader; legacy rows are rewritten to native rows on the fly.
  const legacyNtp: { path: string; offsets: () => LegacyNtpFile['offsets'] }[] = [];
  const open = async (file: string, role: 'coordinator' | 'worker', node: string | null): Promise<RowSource & { header: string[] }> => {
    const reader = await CsvReader.open(file, rel(file), {
      encoding: legacy ? 'utf8' : 'latin1',
      seqColumn: legacy ? 'sequence_number' : EVENT_COLUMNS.seq,
    });
    if (!legacy) return { reader, convert: null, header: reader.header };
    const a = legacyAdapter(reader.header, role, node, rel(file), warn);
    legacyNtp.push({ path: rel(file), offsets: a.ntpOffsets });
    return { reader, convert: a.convert, header: a.header, fields: a.header.length };
  };
  // Large native runs: event files are read and decoded in parse threads (all started at once) and
  // metrics folded in a fold thread. Otherwise in this thread, one file after the other (legacy
  // adapters warn in file order).
  const eventFiles = [files.coordinator, ...files.workers.flatMap((w) => (w.csv ? [w.csv] : []))];
  const eventBytes = eventFiles.reduce((n, f) => n + fileSize(f), 0);
  const useThreads = !legacy && (opts.threads ?? eventBytes >= THREADS_MIN_BYTES);
  // Reads shrink when many files are open; the coordinator's batches with the number of workers.
  const readOptions = (k: number) => eventReadOptions(eventFiles.length - 1, k === 0);
  const pool = useThreads
    ? new ParsePool(
        eventFiles.map((f, k) => ({ file: f, displayPath: rel(f), role: k === 0 ? COORDINATOR_ROLE : WORKER_ROLE, read: readOptions(k) })),
        opts.parseThreads ?? parseThreadCount(eventFiles.length),
      )
    : null;
  const openRows = (file: string, role: 'coordinator' | 'worker', node: string | null): Promise<DecodedRowSource> => {
    const rowRole = role === 'coordinator' ? COORDINATOR_ROLE : WORKER_ROLE;
    if (pool) return pool.open(eventFiles.indexOf(file));
    if (!legacy) return EventRowReader.open(file, rel(file), rowRole, readOptions(eventFiles.indexOf(file)));
    return open(file, role, node).then((src) => new InlineDecodedRows(src.reader, src.header, (b) => viewBatch(src, b), rowRole));
  };
  const workerFiles = files.workers;
  const opening: Promise<DecodedRowSource>[] = [];
  const start = (file: string, role: 'coordinator' | 'worker', node: string | null): Promise<DecodedRowSource> => {
    const p = openRows(file, role, node);
    p.catch(() => undefined); // reported where it is awaited
    opening.push(p);
    return p;
  };
  const early = useThreads ? workerFiles.map((wf) => (wf.csv ? start(wf.csv, 'worker', wf.node) : null)) : [];
  try {
    const coord = await start(files.coordinator, 'coordinator', null);
    const workerSrc: (DecodedRowSource | null)[] = [];
    for (let i = 0; i < workerFiles.length; i++) {
      const wf = workerFiles[i]!;
      if (!wf.csv) {
        workerSrc.push(null);
        continue;
      }
      try {
        workerSrc.push(await (early[i] ?? start(wf.csv, 'worker', wf.node)));
      } catch (err) {
        warn(`${rel(wf.csv)}: ${(err as Error).message}; this worker's rows are not used`);
        workerSrc.push(null);
      }
    }
    return await analyzeOpened(coord, workerSrc);
  } finally {
    for (const p of opening)
      p.then(
        (s) => s.close(),
        () => undefined,
      );
    pool?.close();
  }

  // The rest runs with every reader open; the parse threads are stopped whatever happens.
  async function analyzeOpened(coord: DecodedRowSource, workerSrc: (DecodedRowSource | null)[]): Promise<AnalyzeResult> {
    checkReference(reference, coord.header);
    // Sources: discovered from the column names, the coordinator's order first.
    const sources: SourceDef[] = [];
    const inCoordinator = new Set<string>();
    const inWorkers = new Map<string, string[]>();
    const addSources = (header: string[], node: string | null) => {
      for (const d of discoverSources(header)) {
        let s = sources.find((x) => x.name === d.name);
        if (!s) sources.push((s = { name: d.name, bounded: false }));
        s.bounded ||= d.bounded;
        if (node === null) inCoordinator.add(d.name);
        else inWorkers.set(d.name, [...(inWorkers.get(d.name) ?? []), node]);
      }
    };
    addSources(coord.header, null);
    workerSrc.forEach((w, i) => w && addSources(w.header, workerFiles[i]!.node));
    const names = sources.map((s) => s.name);
    const sourceIndex = new Map(names.map((n, i) => [n, i]));
    coord.start(names, anchor.sec);
    const coordDecoder = new RowTally(coord.header, names, rel(files.coordinator), warn);
    const workers: WorkerInput[] = [];
    const nodes = workerFiles.map((w) => w.node);
    workerFiles.forEach((wf, i) => {
      const src = workerSrc[i];
      if (!src) return;
      src.start(names, anchor.sec);
      workers.push({ rows: src, node: wf.node, decoder: new RowTally(src.header, names, rel(wf.csv!), warn) });
    });
    // Workers without a CSV still appear (0 received); joinRun sees only the ones with rows.
    const joinedNodes = workers.map((w) => w.node);
    const commitWait: CommitWaitInput[] = [];
    const delaysFrom: string[] = [];
    const manifestRead = files.manifest ? readRunManifest(files.manifest) : null;
    const manifest = manifestRead?.manifest ?? null;
    // Read once; a bad summary is warned about where the delivery section uses it.
    const summaries = workerFiles.map((wf) => (wf.summary ? readWorkerSummary(wf.summary) : null));
    for (const [i, wf] of workerFiles.entries()) {
      const w = joinedNodes.indexOf(wf.node);
      if (!wf.commitWait || w < 0) continue;
      try {
        // The delays are needed before reading: see load/reest-delays.ts.
        const declared = await declaredDelays(summaries[i]?.summary ?? null, manifest, wf.commitWait, rel(wf.commitWait));
        const reader = await CsvReader.open(wf.commitWait, rel(wf.commitWait), { encoding: 'latin1', seqColumn: EVENT_COLUMNS.seq });
        commitWait.push({ reader, convert: null, node: wf.node, worker: w, delays: declared.delays });
        delaysFrom.push(declared.from);
      } catch (err) {
        warn(`${rel(wf.commitWait)}: ${(err as Error).message}; skipped`);
      }
    }

    const windows = windowsMs.map((ms) => makeWindowSize(ms, anchor.ns));
    let timeline: TimelineConfig | null = null;
    if (peek.firstNs !== null && peek.lastNs !== null && peek.lastNs >= peek.firstNs) {
      const duration = Number(peek.lastNs - peek.firstNs);
      const binNs = niceBin(duration / TARGET_BINS);
      timeline = { start: Number(peek.firstNs - anchor.ns), binNs, bins: Math.floor(duration / binNs) + 1 };
    }
    // Source health: every decoder tallies its readings' statuses over the timeline's bins.
    const healthOf = (d: RowTally, role: 'coordinator' | 'worker', node: string) =>
      (d.health = new ReadingHealth(
        role,
        node,
        d.availability.map((a) => a !== null),
        timeline,
      ));
    const places = [healthOf(coordDecoder, 'coordinator', COORDINATOR_NODE), ...workers.map((w) => healthOf(w.decoder, 'worker', w.node))];
    const span = peek.firstSeq !== null && peek.lastSeq !== null ? peek.lastSeq - peek.firstSeq + 1 : 0;
    const accCfg = {
      sources,
      workers: joinedNodes,
      windows,
      timeline,
      sampleStride: statsSampleStride(span, joinedNodes.length),
      firstSeq,
      figureSampling: figureSampling(span, joinedNodes.length, sources.length),
      selfConsistency: { maxFreqErrorPpm, steps: await readClockSteps(files.sync, anchor) },
      orderingPairs: opts.orderingPairs ?? orderingPairsByDefault(joinedNodes.length),
    };
    if (!accCfg.orderingPairs && joinedNodes.length > 2)
      opts.logger?.info(
        `ordering: pooled over all ${(joinedNodes.length * (joinedNodes.length - 1)) / 2} worker pairs, no per-pair entries (${joinedNodes.length} workers; --ordering-pairs keeps them)`,
      );
    // Big runs: metrics are folded in a thread of their own while this one joins (same results).
    const threaded = useThreads ? new ThreadedFolder(accCfg) : null;
    const acc: EventSink = threaded ?? new InlineFolder(accCfg);
    let fold: FoldResults;
    let counters: JoinCounters;
    // The coordinator's clock over the run (simulated runs): the frame its sync rows are judged in.
    const coordinatorOffset = new CoordinatorOffsetTrack();
    try {
      counters = await joinRun({
        coordinator: { rows: coord, decoder: coordDecoder },
        workers,
        commitWait,
        sourceIndex,
        sourceCount: sources.length,
        anchor,
        firstSeq,
        seqRange: seqRangeOf(peek.firstSeq, peek.lastSeq),
        delayIndex: (d) => acc.delayIndex(d),
        onEvent: (ev) => {
          coordinatorOffset.add(ev.trueSend, ev.sendLocal - ev.trueSend);
          acc.add(ev);
        },
        ready: () => threaded?.ready() ?? null,
        warn,
      });
      // Interval metrics only for sources that really carried intervals somewhere.
      const decoders = [coordDecoder, ...workers.map((w) => w.decoder)];
      sources.forEach((s, i) => {
        s.bounded = s.bounded && decoders.some((d) => (d.availability[i]?.withInterval ?? 0) > 0);
      });
      for (const d of decoders) d.finish();
      fold = await acc.finish(sources);
    } finally {
      threaded?.close();
    }

    const inputs: InputFile[] = [];
    const fileEntry = (r: ReaderStats, role: InputFile['role'], node: string | null): InputFile => ({
      path: r.displayPath,
      role,
      node,
      rows: r.rowsRead,
      skipped_rows: r.skipped,
      torn_tail: r.tornTail,
    });
    inputs.push(fileEntry(coord.stats, 'coordinator', null));
    for (const w of workers) inputs.push(fileEntry(w.rows.stats, 'worker', w.node));
    for (const c of commitWait) inputs.push(fileEntry(c.reader, 'commit_wait', c.node));
    for (const r of [coord.stats, ...workers.map((w) => w.rows.stats), ...commitWait.map((c) => c.reader)])
      for (const m of r.warnings) warn(m);
    const syncSeries = new SyncSeriesBinner();
    const samplingHealth = new SamplingHealth();
    const sync = await syncStats(files.sync, files.runDir, warn, { binner: syncSeries, anchor, health: samplingHealth, coordinatorOffset });
    const health = sourceHealth({ sources, places, workers: nodes, sampling: samplingHealth });
    for (const w of neverOkWarnings(health.entries)) warn(w);
    inputs.push(...sync.inputs);
    // Echo brackets: a second, bounded pass over the event files and echo/<node>.csv (none in the legacy layout).
    const echo = legacy
      ? { echo: null, bracketed: null, series: [], inputs: [] }
      : await echoPass({
          runDir: files.runDir,
          coordinatorCsv: files.coordinator,
          workers: workerFiles.map((wf) => ({ node: wf.node, csv: wf.csv })),
          sources,
          windows,
          timeline,
          anchor,
          seqRange: seqRangeOf(peek.firstSeq, peek.lastSeq),
          reference,
          manifest,
          warn,
        });
    inputs.push(...echo.inputs);

    // Readings availability
    const readings: ReadingAvailability[] = [];
    sources.forEach((s, i) => {
      const c = coordDecoder.availability[i];
      if (c) readings.push(c.toEntry(s.name, 'coordinator', null, s.bounded));
      const parts: AvailabilityCounter[] = [];
      for (const w of workers) {
        const a = w.decoder.availability[i];
        if (a) {
          readings.push(a.toEntry(s.name, 'worker', w.node, s.bounded));
          parts.push(a);
        }
      }
      if (parts.length > 0) readings.push(AvailabilityCounter.pooled(parts).toEntry(s.name, 'worker', null, s.bounded));
    });

    // Delivery
    const sent = counters.eventsSent;
    const wDelivery: WorkerDelivery[] = [];
    for (const [i, wf] of workerFiles.entries()) {
      const w = joinedNodes.indexOf(wf.node);
      const received = w >= 0 ? counters.received[w]! : 0;
      const read = summaries[i];
      if (read && wf.summary) {
        if (read.raw)
          inputs.push({ path: rel(wf.summary), role: 'worker_summary', node: wf.node, rows: 1, skipped_rows: 0, torn_tail: false });
        for (const p of read.problems) warn(`${rel(wf.summary)}: ${p}${read.raw ? '' : '; ignored'}`);
      }
      const summary = read?.summary ?? null;
      wDelivery.push({
        node: wf.node,
        received,
        lost: sent - received,
        lost_ratio: ratio(sent - received, sent),
        duplicates: w >= 0 ? counters.duplicates[w]! : 0,
        unknown_events: w >= 0 ? counters.unknown[w]! : 0,
        latency_true: w >= 0 && fold.truthRecv && fold.truthSend ? fold.latencyTrue[w]! : null,
        latency_local: w >= 0 ? fold.latencyLocal[w]! : null,
        latency_from_kernel_send: w >= 0 && fold.latencyKernel ? fold.latencyKernel[w]! : null,
        latency_by_source: w >= 0 ? sources.map((s, i) => ({ source: s.name, latency: fold.margins[i]![w]! })) : [],
        summary: read?.raw ?? null,
        rejected: summary?.rejected ?? null,
        ...kernelDropSplit(summary, sent - received),
      });
      if (w >= 0 && counters.late[w]! > 0)
        warn(`${wf.node}: ${counters.late[w]} rows arrived after their event left the join window; counted as received, not in metrics`);
      if (w >= 0 && counters.unknown[w]! > 0)
        warn(`${wf.node}: ${counters.unknown[w]} rows for events the coordinator never sent (unknown_events); not used`);
      if (w >= 0 && counters.reestUnmatched[w]! > 0)
        warn(`commit_wait/${wf.node}.csv: ${counters.reestUnmatched[w]} rows match no received event or source; not used`);
      if (w >= 0 && counters.reestLate[w]! > 0) {
        const c = commitWait.findIndex((x) => x.worker === w);
        warn(
          `commit_wait/${wf.node}.csv: ${counters.reestLate[w]} rows arrived after their event was folded (their delay is not among ${JSON.stringify(commitWait[c]?.delays ?? [])} s, taken from the ${delaysFrom[c] ?? '?'}); not used`,
        );
      }
    }
    // A worker without rows received nothing, so no event reached them all.
    const receivedByAll = workerFiles.length > joinedNodes.length ? 0 : acc.receivedByAll;
    const receivedByNone = acc.receivedByNone;
    if (counters.coordinatorDuplicates > 0)
      warn(`coordinator.csv: ${counters.coordinatorDuplicates} duplicate event rows ignored (first kept)`);

    if (files.manifest && manifest)
      inputs.push({ path: rel(files.manifest), role: 'manifest', node: null, rows: 1, skipped_rows: 0, torn_tail: false });
    if (manifestRead?.problem) warn(`manifest.json: ${manifestRead.problem}; ignored`);
    const schedule = runSchedule(manifest);
    const scheduleWarn = scheduleWarning(schedule);
    if (scheduleWarn !== null) warn(scheduleWarn);
    const runId = runIdOf(manifest, files.runDir, legacy);

    const causality = fold.causality;
    const windowsOut = fold.windows;
    const commitWaitOut = fold.commitWait;
    const bound = fold.bounds;
    const ordering = fold.ordering;
    const stats: Stats = {
      schema_version: STATS_SCHEMA_VERSION,
      generated_at: new Date().toISOString(),
      generator: { name: 'chronoeval', version: chronoevalVersion() },
      run: {
        run_id: runId,
        format,
        run_dir: files.runDir,
        anchor_ns_abs: anchor.ns.toString(),
        first_send_ns_abs: peek.firstNs?.toString() ?? null,
        last_send_ns_abs: peek.lastNs?.toString() ?? null,
        duration_ns: peek.firstNs !== null && peek.lastNs !== null ? Number(peek.lastNs - peek.firstNs) : null,
        manifest,
        schedule,
      },
      inputs: {
        files: inputs,
        warnings,
        join: {
          max_events_in_flight: counters.maxInFlight,
          reorder_window: REORDER_WINDOW,
          late_rows: counters.late.reduce((a, b) => a + b, 0),
          coordinator_duplicates: counters.coordinatorDuplicates,
          late_commit_wait_rows: counters.reestLate.reduce((a, b) => a + b, 0),
        },
      },
      sources: sources.map((s) => ({
        name: s.name,
        bounded: s.bounded,
        in_coordinator: inCoordinator.has(s.name),
        in_workers: inWorkers.get(s.name) ?? [],
      })),
      workers: nodes,
      windows_ms: windowsMs,
      reestimation_delays_s: acc.delayOrder().map((d) => acc.delays[d]!),
      truth: { send: fold.truthSend, recv: fold.truthRecv },
      readings,
      delivery: {
        events_sent: sent,
        workers: wDelivery,
        received_by_all: ratio(receivedByAll, sent),
        received_by_none: ratio(receivedByNone, sent),
        latency_true: fold.truthRecv && fold.truthSend ? fold.latencyTruePooled : null,
      },
      causality,
      ordering,
      windows: windowsOut,
      coordination: fold.coordination,
      commit_wait: commitWaitOut,
      bound_quality: bound,
      sync: sync.entries,
      source_health: health.entries,
      timeline: fold.timeline,
      samples: acc.sampleEvents(),
      headline: [],
      self_consistency: fold.selfConsistency,
      echo: echo.echo,
      bracketed: echo.bracketed,
    };
    stats.headline = headline(stats);
    if (legacy) {
      const w = legacyNtpWarning(
        stats,
        legacyNtp.map((f) => ({ path: f.path, offsets: f.offsets() })),
      );
      if (w !== null) warn(w); // stats.inputs.warnings is this list: stats.json, the summary and the report show it
    }
    const figuresData: FiguresData = {
      schema_version: FIGURES_DATA_SCHEMA_VERSION,
      stats_generated_at: stats.generated_at,
      anchor_ns_abs: stats.run.anchor_ns_abs,
      causality: acc.figureSamples(peek.firstNs === null ? null : Number(peek.firstNs - anchor.ns)),
      sync: syncSeries.result(),
      ...(echo.echo ? { brackets: echo.series } : {}),
      health: health.series,
    };
    // Written first: a stats.json on disk has its figures-data.json beside it (stats_generated_at pairs them).
    await writeLargeJsonAtomic(path.join(files.runDir, FIGURES_DATA_FILE), figuresData);
    await writeLargeJsonAtomic(runDirPaths(files.runDir).stats, stats);
    return { stats, figuresData, summaryText: summaryText(stats), warnings };
  }
}

/** The coordinator's seq range from its first and last rows, when both are known. */
function seqRangeOf(first: number | null, last: number | null): { lo: number; hi: number } | undefined {
  return first === null || last === null ? undefined : { lo: Math.min(first, last), hi: Math.max(first, last) };
}

/** A bin width of 1, 2 or 5 × 10^k ns, at least 1 ms. */
export function niceBin(target: number): number {
  if (!(target > 1e6)) return 1e6;
  const p = 10 ** Math.floor(Math.log10(target));
  for (const m of [1, 2, 5, 10]) if (m * p >= target) return m * p;
  return 10 * p;
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0; // reported when it is opened
  }
}
