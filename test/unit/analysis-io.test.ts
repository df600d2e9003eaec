// Input side of analysis: the CSV reader against csv-parse, torn last lines, exact ns parsing,
// nearest-rank quantiles (exact and histogram mode), and the one-line errors for missing input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { parse as parseCsvSync } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { CsvReader, cellsOf } from '../../analysis/load/csv-reader.js';
import { DistAcc, HISTOGRAM_RELATIVE_ERROR, quantileNearestRank } from '../../analysis/stats/distribution.js';
import { anchorFromEpochNs, decimalToBigInt, parseRelNs, parseRelNsAt } from '../../analysis/load/ns-parse.js';
import { analyzeRun } from '../../analysis/analyze.js';
import { writeCoordinator, writeWorker } from '../fixtures/analysis-run.js';
import { tmpDir } from '../support/helpers.js';

async function readAll(file: string, chunkBytes = 64): Promise<{ header: string[]; rows: string[][]; reader: CsvReader }> {
  const reader = await CsvReader.open(file, path.basename(file), { chunkBytes });
  const rows: string[][] = [];
  for (let b = await reader.next(); b; b = await reader.next()) for (let i = 0; i < b.count; i++) rows.push(cellsOf(b, i, reader.fields));
  return { header: reader.header, rows, reader };
}

test('csv reader agrees with csv-parse on random tables (quotes, commas, newlines, CRLF, tiny chunks)', async () => {
  const dir = tmpDir('chronoeval-csv-');
  const cell = fc.oneof(
    fc.constantFrom('', 'ok', '1763740800123456789', '-5'),
    fc.string({ maxLength: 6 }),
    fc.constantFrom('a,b', 'say "hi"', 'two\nlines', ' spaced '),
  );
  let n = 0;
  await fc.assert(
    fc.asyncProperty(
      fc
        .integer({ min: 1, max: 4 })
        .chain((cols) =>
          fc.array(fc.array(cell, { minLength: cols, maxLength: cols }), { minLength: 0, maxLength: 8 }).map((rows) => ({ cols, rows })),
        ),
      fc.boolean(),
      async ({ cols, rows }, crlf) => {
        const header = Array.from({ length: cols }, (_, i) => `c${i}`);
        // a row of one empty cell is an empty line: csv-parse and we both skip it, so leave it out
        // (csv-stringify leaves a lone LF unquoted in a CRLF file; we, like most readers, end the
        // line there, so CRLF tables get no raw newlines in cells)
        const data = rows.filter((r) => !(cols === 1 && r[0] === '')).map((r) => (crlf ? r.map((c) => c.replace(/\n/g, ' ')) : r));
        const text = stringify([header, ...data], { record_delimiter: crlf ? 'windows' : 'unix' });
        const file = path.join(dir, `t${n++}.csv`);
        writeFileSync(file, text);
        const ref = parseCsvSync(text, { relax_column_count: true, skip_empty_lines: true }) as string[][];
        const got = await readAll(file, 7 + (n % 50));
        assert.deepEqual([got.header, ...got.rows], ref);
        assert.equal(got.reader.tornTail, false);
      },
    ),
    { numRuns: 150 },
  );
});

test('torn last line: skipped with a warning naming file and line; bad rows too', async () => {
  const dir = tmpDir('chronoeval-csv-');
  const file = path.join(dir, 'w.csv');
  writeFileSync(file, 'a,b,c\n1,2,3\n4,5\n6,7,8\n9,10,1');
  const { rows, reader } = await readAll(file);
  assert.deepEqual(rows, [
    ['1', '2', '3'],
    ['6', '7', '8'],
  ]);
  assert.equal(reader.tornTail, true);
  assert.equal(reader.skipped, 2);
  assert.ok(
    reader.warnings.some((w) => /^w\.csv: line 5: torn last line/.test(w)),
    reader.warnings.join('\n'),
  );
  assert.ok(reader.warnings.some((w) => /^w\.csv: line 3: 2 fields where the header has 3/.test(w)));
  const torn = path.join(dir, 'q.csv');
  writeFileSync(torn, 'a,b\n1,"open quote\n');
  const q = await readAll(torn);
  assert.equal(q.rows.length, 0);
  assert.equal(q.reader.tornTail, true);
});

test('exact ns parsing relative to a whole-second anchor', () => {
  const anchor = anchorFromEpochNs(1_763_740_800_999_999_999n);
  assert.equal(anchor.ns, 1_763_740_800_000_000_000n);
  assert.equal(parseRelNs('1763740800999999999', anchor), 999_999_999);
  assert.equal(parseRelNs('1763740799000000001', anchor), -999_999_999);
  assert.equal(parseRelNs('1763827200000000007', anchor), 86_400_000_000_007); // one day later, exact
  assert.ok(Number.isNaN(parseRelNs('', anchor)!));
  assert.equal(parseRelNs('1.7e18', anchor), undefined);
  assert.equal(parseRelNs('12a', anchor), undefined);
  assert.equal(parseRelNs('9763740800000000000', anchor), undefined, 'too far from the anchor to be exact');
  // 9,007,199 s after the anchor: exact up to 254,740,991 ns into that second (2^53 − 1), not beyond.
  assert.equal(parseRelNs('1772747999254740991', anchor), Number.MAX_SAFE_INTEGER);
  assert.equal(parseRelNs('1772747999999999999', anchor), undefined, 'past 2^53: would round');
  assert.equal(parseRelNsAt('1772747999999999999', 0, 19, anchor), undefined);
  const text = 'x,1763740801000000123,';
  assert.equal(parseRelNsAt(text, 2, 21, anchor), 1_000_000_123);
  assert.ok(Number.isNaN(parseRelNsAt(text, 22, 22, anchor)!));
});

test('decimal text → integer ns exactly (ms floats from the first version)', () => {
  assert.equal(decimalToBigInt('-23.59771728515625', 6), -23_597_717n); // −23597717.285… → −23597717
  assert.equal(decimalToBigInt('2.1131368517096907', 6), 2_113_137n);
  assert.equal(decimalToBigInt('0.0000005', 6), 1n, 'half away from zero');
  assert.equal(decimalToBigInt('-0.0000005', 6), -1n);
  assert.equal(decimalToBigInt('1761370722914336032', 0), 1_761_370_722_914_336_032n);
  assert.equal(decimalToBigInt('1761370722914336032.0', 0), 1_761_370_722_914_336_032n);
  assert.equal(decimalToBigInt('1.761370722914336e+18', 0), 1_761_370_722_914_336_000n);
  assert.equal(decimalToBigInt('5e-1', 0), 1n);
  for (const empty of ['', 'NaN', 'nan', 'None', 'null', ' ']) assert.equal(decimalToBigInt(empty, 6), null, empty);
  assert.equal(decimalToBigInt('abc', 6), undefined);
  assert.equal(decimalToBigInt('.', 6), undefined);
});

test('nearest-rank quantiles: hand-computed, exact mode equals the reference', () => {
  const d = new DistAcc();
  for (const v of [15, 20, 35, 40, 50]) d.add(v);
  d.add(NaN); // missing: ignored, not a zero
  const s = d.summarize();
  assert.equal(s.n, 5);
  assert.equal(s.p25, 20); // rank ⌈1.25⌉ = 2
  assert.equal(s.p50, 35); // rank ⌈2.5⌉ = 3
  assert.equal(s.p95, 50); // rank ⌈4.75⌉ = 5
  assert.equal(s.p01, 15);
  assert.equal(s.mean, 32);
  assert.equal(s.exact, true);
  const twenty = new DistAcc();
  for (let i = 1; i <= 20; i++) twenty.add(i);
  assert.equal(twenty.summarize().p95, 19, 'rank ⌈0.95·20⌉ = 19 despite 0.95·20 = 19.000000000000004');
  const empty = new DistAcc().summarize();
  assert.equal(empty.n, 0);
  assert.equal(empty.p50, null);
  assert.equal(empty.histogram, null);
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -1e12, max: 1e12 }), { minLength: 1, maxLength: 200 }), (vals) => {
      const acc = new DistAcc();
      for (const v of vals) acc.add(v);
      const sum = acc.summarize();
      assert.equal(sum.p50, quantileNearestRank(vals, 0.5));
      assert.equal(sum.p99, quantileNearestRank(vals, 0.99));
      assert.equal(sum.histogram!.counts.reduce((a, b) => a + b, 0) + sum.histogram!.below + sum.histogram!.above, vals.length);
    }),
  );
});

test('histogram mode: quantiles within the stated relative error; merged distributions', () => {
  const small = new DistAcc('ns', 100);
  const vals: number[] = [];
  let x = 12345;
  for (let i = 0; i < 5000; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const v = (x % 2 ? -1 : 1) * (1 + (x % 5_000_000_000));
    vals.push(v);
    small.add(v);
  }
  const s = small.summarize();
  assert.equal(s.exact, false);
  assert.equal(s.relative_error, HISTOGRAM_RELATIVE_ERROR);
  for (const [p, got] of [
    [0.01, s.p01],
    [0.25, s.p25],
    [0.5, s.p50],
    [0.75, s.p75],
    [0.99, s.p99],
  ] as const) {
    const want = quantileNearestRank(vals, p)!;
    assert.ok(Math.abs(got! - want) <= Math.abs(want) * HISTOGRAM_RELATIVE_ERROR + 1e-9, `p${p}: ${got} vs ${want}`);
  }
  assert.equal(s.min, Math.min(...vals));
  assert.equal(s.max, Math.max(...vals));
  const a = new DistAcc();
  const b = new DistAcc();
  [1, 2, 3].forEach((v) => a.add(v));
  [10, 20].forEach((v) => b.add(v));
  const m = DistAcc.merged([a, b]).summarize();
  assert.deepEqual([m.n, m.min, m.max, m.p50], [5, 1, 20, 3]);
  const merged = DistAcc.merged([small, a]).summarize();
  assert.equal(merged.n, 5003);
});

test('merging exact parts past the capacity gives what adding every value in order to one accumulator gives', () => {
  // Edge values for the bucketing from the value's bytes: signed zeros, subnormals, the zero
  // bucket's edge 2^-30, the largest bucket's edge 2^63 and beyond, and every sign.
  const edges = [
    0,
    -0,
    5e-324,
    -5e-324,
    2 ** -30,
    -(2 ** -30),
    2 ** -31,
    2 ** 63,
    -(2 ** 63),
    2 ** 64,
    -(2 ** 64),
    2 ** 70,
    -1e300,
    1.5,
    -1.5,
  ];
  const check = (parts: number[][], capacity: number): void => {
    const one = new DistAcc('ns', capacity);
    const accs = parts.map((vs) => {
      const a = new DistAcc('ns', 1_000);
      for (const v of vs) {
        a.add(v);
        one.add(v);
      }
      return a;
    });
    const target = new DistAcc('ns', capacity);
    for (const a of accs) (a as unknown as { mergeInto(t: DistAcc): void }).mergeInto(target);
    const got = target.summarize();
    const want = one.summarize();
    assert.deepEqual(got, want);
    assert.ok(Object.is(got.min, want.min) && Object.is(got.max, want.max), 'the same signed zero');
  };
  // the first zero seen keeps its sign, as in one accumulator; a value at 2^64 is still counted
  check(
    [
      [0, 0, 3],
      [-0, 5, 2 ** 64, 1, 1],
    ],
    4,
  );
  check(
    [
      [-0, 2],
      [0, 1],
    ],
    3,
  );
  check(
    [
      [-0, -1],
      [0, -2],
    ],
    3,
  );
  const value = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(...edges));
  fc.assert(
    fc.property(
      fc.array(fc.array(value, { maxLength: 40 }), { minLength: 1, maxLength: 6 }),
      fc.integer({ min: 16, max: 120 }),
      (parts, capacity) => check(parts, capacity),
    ),
    { numRuns: 300 },
  );
});

test('missing run directory or coordinator.csv: one clear line saying what to do', async () => {
  await assert.rejects(analyzeRun('/nonexistent/run-dir'), (e: Error) => {
    assert.match(e.message, /^run directory not found: \/nonexistent\/run-dir \(pass the directory that holds coordinator\.csv/);
    assert.equal(e.message.includes('\n'), false);
    return true;
  });
  const dir = tmpDir('chronoeval-analysis-');
  await assert.rejects(analyzeRun(dir), /^Error: coordinator\.csv missing in .* — is this a run directory/);
  writeFileSync(path.join(dir, 'worker_comp11.csv'), 'event_id,receive_time_ns\n');
  await assert.rejects(analyzeRun(dir), /add --format legacy/);
  await assert.rejects(analyzeRun(dir, { windowsMs: [0] }), /window sizes must be positive/);
});

test('torn worker and coordinator files still analyse; the warning reaches stats.json', async () => {
  const dir = tmpDir('chronoeval-analysis-');
  const st = (t: number) => ({ system: { p: t } });
  writeCoordinator(
    dir,
    'r',
    ['system'],
    [0, 1, 2].map((s) => ({ seq: s, send: s * 10, stamps: st(s * 10) })),
    { tornTail: 'r,3,3,176374' },
  );
  writeWorker(
    dir,
    'r',
    'w1',
    ['system'],
    [0, 1].map((s) => ({ seq: s, recv: s * 10 + 1, stamps: st(s * 10 + 1) })),
    { tornTail: 'r,w1,2,2,1763' },
  );
  const { stats, warnings } = await analyzeRun(dir, {});
  assert.equal(stats.delivery.events_sent, 3);
  assert.equal(stats.delivery.workers[0]!.received, 2);
  assert.ok(
    warnings.some((w) => /^coordinator\.csv: line 5: torn last line/.test(w)),
    warnings.join('\n'),
  );
  assert.ok(stats.inputs.warnings.some((w) => /^workers\/w1\.csv: line 4: torn last line/.test(w)));
  assert.equal(stats.inputs.files.find((f) => f.role === 'worker')!.torn_tail, true);
  assert.equal(stats.truth.recv, false);
  assert.equal(stats.windows[0]!.accuracy, null, 'no truth: accuracy absent, not 0 %');
  assert.equal(stats.delivery.latency_true, null);
});
