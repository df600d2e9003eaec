// Window assignment (docs/metrics.md §Windows). Windows are aligned to the Unix epoch:
// window k of size W covers [k·W, (k+1)·W) in epoch ns. Relative times x (ns since the run anchor)
// are shifted by `offset` = anchor mod W, so floor((x + offset) / W) is the epoch-aligned index
// minus a constant, the same constant for every worker.

export interface WindowSize {
  ms: number;
  /** Size in ns. */
  ns: number;
  /** anchor_ns mod ns, so that indices are epoch-aligned. */
  offset: number;
}

export function makeWindowSize(ms: number, anchorNs: bigint): WindowSize {
  const ns = Math.round(ms * 1e6);
  if (!Number.isFinite(ns) || ns <= 0) throw new Error(`window size ${ms} ms is not a positive number of nanoseconds`);
  const m = anchorNs % BigInt(ns);
  return { ms, ns, offset: Number(m < 0n ? m + BigInt(ns) : m) };
}

/** ⌊x / W⌋ (epoch-aligned); NaN for a missing value. */
export function windowIndex(x: number, w: WindowSize): number {
  return Math.floor((x + w.offset) / w.ns);
}

/** The window an interval is confident about (lo and hi in one window), or null if ambiguous. */
export function intervalWindow(lo: number, hi: number, w: WindowSize): number | null {
  const a = windowIndex(lo, w);
  const b = windowIndex(hi, w);
  return a === b ? a : null;
}

/** Point windows of the workers that have a point: agree when all are equal. Needs ≥ 2. */
export function pointWindowsAgree(windows: ArrayLike<number>, count = windows.length): boolean | null {
  if (count < 2) return null;
  for (let i = 1; i < count; i++) if (windows[i] !== windows[0]) return false;
  return true;
}

export type IntervalEventVerdict = 'confident_agree' | 'confident_conflict' | 'ambiguous';

/**
 * One event's interval assignment over the workers that have an interval (≥ 2):
 * conflict when two confident workers name different windows; agree when every worker is
 * confident and all name one window; otherwise ambiguous (coordination needed).
 */
export function classifyIntervalEvent(assigned: ArrayLike<number | null>, count = assigned.length): IntervalEventVerdict | null {
  if (count < 2) return null;
  let first: number | null = null;
  let anyAmbiguous = false;
  for (let i = 0; i < count; i++) {
    const a = assigned[i]!;
    if (a === null || Number.isNaN(a)) {
      anyAmbiguous = true;
      continue;
    } // null/NaN: not confident
    if (first === null) first = a;
    else if (a !== first) return 'confident_conflict';
  }
  return anyAmbiguous ? 'ambiguous' : 'confident_agree';
}

/** For a conflict: did the confident workers' true windows differ too (a real split of arrivals)? */
export function conflictIsTrueSplit(trueWindows: ArrayLike<number>, count = trueWindows.length): boolean {
  for (let i = 1; i < count; i++) if (trueWindows[i] !== trueWindows[0]) return true;
  return false;
}
