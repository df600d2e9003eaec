// Source health (docs/metrics.md §Source health): exact counts from a few hand-made readings and
// sync rows, and the same through analyzeRun on a tiny run directory (one worker's source never
// ok, one source absent at one worker, sync rows without a reason, an older layout without status
// or reason columns), down to the report's table and warnings and the figure's spec.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ReadingHealth, SamplingHealth, TOP_REASONS, reasonKind, sourceHealth } from '../../analysis/fold/source-health.js';
import { analyzeRun } from '../../analysis/analyze.js';
import { SYNC_COLUMNS, coordinatorColumns, workerColumns } from '../../src/files/columns.js';
import { sourceHealthTable, sourceHealthWarnings } from '../../analysis/report/source-health.js';
import { collectWarnings } from '../../analysis/report/warnings.js';
import { fmtS, sourceHealth as healthFigure } from '../../analysis/figures/source-health.js';
import { figureContext } from '../../analysis/figures/index.js';
import { tmpDir } from '../support/helpers.js';

const S = 1e9;

test('readings: shares, availability, first ok, the warm-up / measuring split and the time bins, exactly', () => {
  // sources: 0 system, 1 ntp, 2 bounded (interval); w1 has all three columns
  const h = new ReadingHealth('worker', 'w1', [true, true, true], { start: 0, binNs: S, bins: 3 });
  ['', 'warming', 'ok', 'degraded'].forEach((t, id) => h.status(id, t));
  // ntp: warming, warming, ok, degraded (with a value), ok — the first ok is the third, at 1.0 s
  h.add(1, 1, 0, false, false);
  h.add(1, 1, 0.5 * S, false, false);
  h.add(1, 2, 1.0 * S, true, false);
  h.add(1, 3, 1.5 * S, true, false);
  h.add(1, 2, 9 * S, true, false); // past the last bin: counted in it
  // bounded: never ok (warming, then degraded with an interval)
  h.add(2, 1, 0.2 * S, false, false);
  h.add(2, 3, 2.2 * S, true, true);
  const ntp = h.readings(1, false)!;
  assert.deepEqual(ntp, {
    rows: 5,
    status_counts: { degraded: 1, ok: 2, warming: 2 },
    status_shares: { degraded: 0.2, ok: 0.4, warming: 0.4 },
    availability: { count: 3, total: 5, share: 0.6 },
    first_rel_ns: 0,
    first_ok_rel_ns: 1 * S,
    time_to_first_ok_ns: 1 * S,
    before_first_ok: 2,
    after_first_ok: { rows: 3, status_counts: { degraded: 1, ok: 2 }, availability: { count: 3, total: 3, share: 1 } },
  });
  const bounded = h.readings(2, true)!;
  assert.equal(bounded.first_ok_rel_ns, null);
  assert.equal(bounded.time_to_first_ok_ns, null);
  assert.equal(bounded.before_first_ok, 2);
  assert.equal(bounded.after_first_ok, null);
  assert.deepEqual(bounded.availability, { count: 1, total: 2, share: 0.5 });
  assert.equal(h.readings(0, false)!.rows, 0, 'a source with columns but no reading yet');
  assert.deepEqual(h.series(1, 'ntp')!.bins, [
    { t_rel_ns: 0, counts: { warming: 2 } },
    { t_rel_ns: S, counts: { degraded: 1, ok: 1 } },
    { t_rel_ns: 2 * S, counts: { ok: 1 } },
  ]);
  assert.equal(h.series(0, 'system'), null, 'no readings, no series');
});

test('sync rows: status shares, time to first ok from the node first sample, reason kinds with numbers as #, top N and the rest', () => {
  assert.equal(reasonKind('burst: delay 1000156 ns > minimum 812363 ns'), 'burst: delay # ns > minimum # ns');
  assert.equal(reasonKind('spread 1.25 ms'), 'spread # ms');
  const s = new SamplingHealth();
  s.add('w1', 'bounded', 1 * S, 'warming', 'used'); // the node's first sample (bounded)
  s.add('w1', 'ntp', 2 * S, 'error', 'timeout: no reply within 500 ms');
  s.add('w1', 'ntp', 3 * S, 'ok', 'burst: delay 12 ns > minimum 10 ns');
  s.add('w1', 'ntp', 4 * S, 'ok', 'burst: delay 13 ns > minimum 10 ns');
  s.add('w1', 'ntp', 5 * S, 'ok', '');
  s.add('w1', '', 6 * S, 'ok', 'no source'); // a row without a source belongs to none
  const ntp = s.sampling('w1', 'ntp')!;
  assert.equal(ntp.samples, 4);
  assert.deepEqual(ntp.status_counts, { error: 1, ok: 3 });
  assert.deepEqual(ntp.status_shares, { error: 0.25, ok: 0.75 });
  assert.equal(ntp.first_rel_ns, 2 * S);
  assert.equal(ntp.first_ok_rel_ns, 3 * S);
  assert.equal(ntp.time_to_first_ok_ns, 2 * S, 'from the node first sample (1 s), not the source own first (2 s)');
  assert.equal(ntp.without_reason, 1);
  assert.deepEqual(ntp.reasons, [
    { status: 'ok', reason: 'burst: delay # ns > minimum # ns', count: 2, example: 'burst: delay 12 ns > minimum 10 ns' },
    { status: 'error', reason: 'timeout: no reply within # ms', count: 1, example: 'timeout: no reply within 500 ms' },
  ]);
  assert.deepEqual([ntp.reason_kinds, ntp.reasons_other], [2, 0]);
  const bounded = s.sampling('w1', 'bounded')!;
  assert.equal(bounded.first_ok_rel_ns, null);
  assert.equal(bounded.time_to_first_ok_ns, null);
  assert.equal(s.sampling('w1', ''), null);
  assert.equal(s.sampling('w2', 'ntp'), null);

  // More kinds than TOP_REASONS: the most frequent are listed, the others counted.
  const many = new SamplingHealth();
  for (let k = 0; k < TOP_REASONS + 2; k++) for (let n = 0; n <= k; n++) many.add('w1', 'x', n, 'error', `failure ${'abcdefghij'[k]}`);
  const x = many.sampling('w1', 'x')!;
  assert.equal(x.reasons.length, TOP_REASONS);
  assert.equal(x.reasons[0]!.reason, 'failure g');
  assert.equal(x.reasons[0]!.count, TOP_REASONS + 2);
  assert.equal(x.reason_kinds, TOP_REASONS + 2);
  assert.equal(x.reasons_other, 1 + 2, 'kinds a (1 sample) and b (2 samples) are not listed');
});

test('entries: every place × source, a source absent at one worker listed with nulls, never ok judged on readings else samples', () => {
  const tl = { start: 0, binNs: S, bins: 2 };
  const coord = new ReadingHealth('coordinator', 'coordinator', [true, false], tl);
  const w1 = new ReadingHealth('worker', 'w1', [true, true], tl);
  const w2 = new ReadingHealth('worker', 'w2', [true, false], tl); // no bounded columns at w2
  for (const h of [coord, w1, w2]) ['', 'ok', 'unsynced', 'legacy'].forEach((t, id) => h.status(id, t));
  coord.add(0, 1, 0, true, false);
  w1.add(0, 1, 0, true, false);
  w1.add(1, 2, 0, false, false); // bounded at w1: unsynced only
  w2.add(0, 3, 0, true, false); // legacy status: nothing to judge by
  const sampling = new SamplingHealth();
  sampling.add('w2', 'bounded', 0, 'ok', 'used'); // samples but no readings of bounded at w2
  sampling.add('w3', 'ntp', 0, 'error', 'down'); // a node with a sync log only
  const { entries, series } = sourceHealth({
    sources: [
      { name: 'system', bounded: false },
      { name: 'bounded', bounded: true },
    ],
    places: [coord, w1, w2],
    workers: ['w1', 'w2'],
    sampling,
  });
  const key = (e: (typeof entries)[number]) => `${e.node}/${e.source}`;
  assert.deepEqual(
    entries.map((e) => [key(e), e.readings?.rows ?? null, e.sampling?.samples ?? null, e.never_ok]),
    [
      ['coordinator/system', 1, null, false],
      ['w1/system', 1, null, false],
      ['w1/bounded', 1, null, true],
      ['w2/system', 1, null, null],
      ['w2/bounded', null, 1, false],
      ['w3/ntp', null, 1, true],
    ],
  );
  assert.deepEqual(
    series.map((s) => `${s.node}/${s.source}`),
    ['coordinator/system', 'w1/system', 'w1/bounded', 'w2/system'],
  );
});

// ---- through analyzeRun: a tiny run directory written by hand ----

const ANCHOR = 1_763_740_800n * 1_000_000_000n;
const at = (s: number) => (ANCHOR + BigInt(Math.round(s * 1e9))).toString();

function writeCsv(file: string, header: readonly string[], rows: (string | number)[][]): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, [header.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n');
}

/** 6 events 1 s apart; w1: ntp warming for 2 events then ok; w2: ntp unsynced throughout and no bounded columns. */
function writeRun(dir: string, opts: { statusColumns: boolean }): void {
  const N = 6;
  const coordCols = coordinatorColumns(['system'], false);
  writeCsv(
    path.join(dir, 'coordinator.csv'),
    coordCols,
    Array.from({ length: N }, (_, i) => ['r', `e${i}`, i, at(i), at(i), '', '', 'ok', '']),
  );
  const drop = (cols: string[]) => (opts.statusColumns ? cols : cols.filter((c) => !c.endsWith('_status')));
  const w1Cols = drop(workerColumns(['system', 'ntp', 'bounded']));
  const w1Rows = Array.from({ length: N }, (_, i) => {
    const t = at(i + 0.001);
    const ntp = i < 2 ? ['', '', '', 'warming'] : [t, '', '', 'ok'];
    const bounded = [t, at(i + 0.0005), at(i + 0.0015), 'ok'];
    const cells = ['r', 'w1', `e${i}`, i, t, t, '', '', 'ok', ...ntp, ...bounded, ''];
    return opts.statusColumns ? cells : cells.filter((_, k) => !workerColumns(['system', 'ntp', 'bounded'])[k]!.endsWith('_status'));
  });
  writeCsv(path.join(dir, 'workers', 'w1.csv'), w1Cols, w1Rows);
  const w2Cols = drop(workerColumns(['system', 'ntp']));
  const w2Rows = Array.from({ length: N }, (_, i) => {
    const t = at(i + 0.002);
    const cells = ['r', 'w2', `e${i}`, i, t, t, '', '', 'ok', '', '', '', 'unsynced', ''];
    return opts.statusColumns ? cells : cells.filter((_, k) => !workerColumns(['system', 'ntp'])[k]!.endsWith('_status'));
  });
  writeCsv(path.join(dir, 'workers', 'w2.csv'), w2Cols, w2Rows);
  const syncCols = opts.statusColumns ? SYNC_COLUMNS : SYNC_COLUMNS.filter((c) => c !== 'status' && c !== 'reason');
  const syncRow = (node: string, source: string, t: number, status: string, reason: string) => {
    const row = Object.fromEntries(SYNC_COLUMNS.map((c) => [c, '']));
    Object.assign(row, { run_id: 'r', node_id: node, source, sample_local_ns: at(t), status, reason });
    return syncCols.map((c) => row[c]!);
  };
  writeCsv(path.join(dir, 'sync', 'w1.csv'), syncCols, [
    syncRow('w1', 'ntp', -3, 'error', 'timeout: no reply within 500 ms'),
    syncRow('w1', 'ntp', -2, 'error', 'timeout: no reply within 500 ms'),
    syncRow('w1', 'ntp', 1.5, 'ok', ''),
    syncRow('w1', 'ntp', 2.5, 'ok', ''),
  ]);
  writeCsv(path.join(dir, 'sync', 'w2.csv'), syncCols, [syncRow('w2', 'ntp', -1, 'unsynced', 'no reply yet')]);
}

test('analyzeRun on a tiny run: stats.json source_health, figures-data health, the report table and warnings, the figure', async () => {
  const dir = tmpDir('chronoeval-health-');
  try {
    writeRun(dir, { statusColumns: true });
    const { stats, figuresData } = await analyzeRun(dir);
    const h = stats.source_health!;
    const get = (node: string, source: string) => h.find((e) => e.node === node && e.source === source)!;
    assert.deepEqual(
      h.map((e) => `${e.node}/${e.source}`),
      ['coordinator/system', 'w1/system', 'w1/ntp', 'w1/bounded', 'w2/system', 'w2/ntp', 'w2/bounded'],
    );
    const w1ntp = get('w1', 'ntp');
    assert.deepEqual(w1ntp.readings!.status_counts, { ok: 4, warming: 2 });
    assert.equal(w1ntp.readings!.before_first_ok, 2);
    assert.equal(w1ntp.readings!.time_to_first_ok_ns, 2e9, 'third event (2 s) after the first (0 s)');
    assert.deepEqual(w1ntp.readings!.availability, { count: 4, total: 6, share: 4 / 6 });
    assert.equal(w1ntp.sampling!.time_to_first_ok_ns, 4.5e9, 'first ok sample at 1.5 s, the node first sample at −3 s');
    assert.equal(w1ntp.sampling!.without_reason, 2, 'empty reasons are counted, not listed');
    assert.deepEqual(w1ntp.sampling!.reasons, [
      { status: 'error', reason: 'timeout: no reply within # ms', count: 2, example: 'timeout: no reply within 500 ms' },
    ]);
    assert.equal(w1ntp.never_ok, false);
    const w2ntp = get('w2', 'ntp');
    assert.equal(w2ntp.never_ok, true);
    assert.deepEqual(w2ntp.readings!.status_shares, { unsynced: 1 });
    assert.equal(w2ntp.readings!.first_ok_rel_ns, null);
    assert.equal(w2ntp.readings!.before_first_ok, 6);
    const w2bounded = get('w2', 'bounded');
    assert.deepEqual([w2bounded.readings, w2bounded.sampling, w2bounded.never_ok], [null, null, null], 'absent at w2');
    // The same counts as the readings section (one pass, two views).
    for (const e of h.filter((x) => x.readings)) {
      const r = stats.readings.find(
        (x) => x.source === e.source && (e.role === 'coordinator' ? x.role === 'coordinator' : x.node === e.node),
      )!;
      assert.deepEqual(e.readings!.status_counts, r.status_counts, `${e.node}/${e.source}`);
      assert.deepEqual(e.readings!.availability, r.availability, `${e.node}/${e.source}`);
    }
    // figures-data: every reading in exactly one bin
    for (const s of figuresData.health!) {
      const n = s.bins.reduce((a, b) => a + Object.values(b.counts).reduce((x, y) => x + y, 0), 0);
      assert.equal(n, get(s.node, s.source).readings!.rows, `${s.node}/${s.source}`);
    }

    // report: the table has a row per entry, the never-ok source is marked and warned about first
    const html = sourceHealthTable(stats);
    assert.equal((html.match(/<tr>/g) ?? []).length, 1 + h.length);
    assert.match(html, /<th>ntp @ w2<\/th><td[^>]*><strong>NEVER OK<\/strong><\/td>/);
    assert.match(html, /error: timeout: no reply within # ms ×2/);
    assert.deepEqual(sourceHealthWarnings(stats), [
      'source ntp at w2 was never ok: its 6 readings were unsynced 6 (0 with a value); its sync log has unsynced 1, most often "no reply yet" (1×).',
    ]);
    assert.equal(collectWarnings(stats, [])[0], sourceHealthWarnings(stats)[0]);
    assert.ok(stats.inputs.warnings.includes(sourceHealthWarnings(stats)[0]!), 'in stats.json and the text summary too');
    assert.equal(collectWarnings(stats, []).filter((w) => w.includes('was never ok')).length, 1, 'said once in the report');

    // figure: one strip per series, w2/ntp titled NEVER OK, lanes ok / warming / unsynced present
    const { context } = await figureContext(dir, stats, figuresData);
    const built = healthFigure.build(context);
    assert.ok('spec' in built, JSON.stringify(built));
    const values = (built.spec as unknown as { data: { values: { panel: string; status: string }[] } }).data.values;
    assert.ok(values.some((v) => v.panel === 'w2 · ntp|NEVER OK|0 % available' && v.status === 'unsynced'));
    assert.ok(values.some((v) => v.panel.startsWith('w1 · ntp|ok from +2.0 s') && v.status === 'warming'));
    assert.equal(new Set(values.map((v) => v.panel)).size, figuresData.health!.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('older layouts: no status or reason columns still analyse; older stats.json and figures-data.json are said, not crashed on', async () => {
  const dir = tmpDir('chronoeval-health-old-');
  try {
    writeRun(dir, { statusColumns: false });
    const { stats, figuresData } = await analyzeRun(dir);
    const h = stats.source_health!;
    const w1ntp = h.find((e) => e.node === 'w1' && e.source === 'bounded')!;
    // bounded is still found by its lo/hi columns; without statuses nothing can be judged
    assert.deepEqual(w1ntp.readings!.status_counts, { '': 6 });
    assert.equal(w1ntp.never_ok, null);
    assert.equal(w1ntp.readings!.first_ok_rel_ns, null);
    const sync = h.find((e) => e.node === 'w1' && e.source === 'ntp')!.sampling!;
    assert.deepEqual([sync.samples, sync.status_counts, sync.without_reason, sync.reasons], [4, { '': 4 }, 4, []]);
    assert.deepEqual(sourceHealthWarnings(stats), []);

    // stats.json / figures-data.json from before the health view
    const older = { ...stats };
    delete older.source_health;
    assert.match(sourceHealthTable(older), /Not in this stats\.json/);
    const oldData = { ...figuresData };
    delete oldData.health;
    const { context } = await figureContext(dir, older, oldData);
    assert.ok('skip' in healthFigure.build(context));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('source-health strip titles: the sign is that of the printed value (no "−0.0 s")', () => {
  assert.equal(fmtS(-0.02), '+0.0 s');
  assert.equal(fmtS(-0.06), '−0.1 s');
  assert.equal(fmtS(2.14), '+2.1 s');
});
