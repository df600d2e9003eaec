// --format legacy: the first Python version's coordinator.csv + worker_<node>.csv, mapped onto
// system / ntp / chronotick exactly as docs/metrics.md §Legacy import says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeRun } from '../../analysis/analyze.js';
import { T0_NS, abs } from '../fixtures/analysis-run.js';
import { tmpDir } from '../support/helpers.js';
import { collectWarnings } from '../../analysis/report/warnings.js';

const MS = 1e6;

test('legacy import: mapping, exact ms → ns, NaN is missing, absent ct_ columns, floats of ns', async () => {
  const dir = tmpDir('chronoeval-legacy-');
  writeFileSync(
    path.join(dir, 'coordinator.csv'),
    [
      'event_id,sequence_number,send_time_ns,ntp_offset_ms,ntp_uncertainty_ms,ntp_timestamp_ns',
      `1,0,${abs(10)},0.5,5.0,`, // ntp = send + 0.5 ms
      `2,1,${abs(20)},NaN,5.0,`, // no ntp estimate: missing, never 0
    ].join('\n') + '\n',
  );
  const ctTs = T0_NS + 11_000_000n - 23_597_717n;
  writeFileSync(
    path.join(dir, 'worker_comp11.csv'),
    [
      'event_id,node_id,sequence_number,receive_time_ns,coordinator_send_time_ns,ntp_offset_ms,ntp_uncertainty_ms,ntp_timestamp_ns,ct_offset_ms,ct_uncertainty_ms,ct_timestamp_ns,ct_lower_bound_ns,ct_upper_bound_ns',
      `1,comp11,0,${abs(11)},${abs(10)},0.5,5.0,${abs(11.5)},-23.59771728515625,0.007650473972363639,${ctTs},${ctTs - 22_951n},${ctTs + 22_951n}`,
      `2,comp11,1,${abs(21)},${abs(20)},0.25,5.0,,1.0,0.5,,,`, // ntp from offset; ct point = base + 1 ms, bounds ∓ 3·0.5 ms
    ].join('\n') + '\n',
  );
  writeFileSync(
    path.join(dir, 'worker_comp12.csv'),
    [
      'event_id,node_id,sequence_number,receive_time_ns,coordinator_send_time_ns,ntp_offset_ms,ntp_uncertainty_ms,ntp_timestamp_ns',
      `1,comp12,0,1.763740800009e+18,${abs(10)},0.2,5.0,${abs(9.2)}`, // receive time written as a float by pandas
    ].join('\n') + '\n',
  );

  const { stats, warnings } = await analyzeRun(dir, { format: 'legacy', windowsMs: [100] });
  assert.ok(existsSync(path.join(dir, 'stats.json')), 'stats.json written into the legacy dir');
  assert.equal(stats.run.format, 'legacy');
  assert.equal(stats.run.run_id, null);
  assert.deepEqual(stats.workers, ['comp11', 'comp12']);
  assert.deepEqual(
    stats.sources.map((s) => [s.name, s.bounded]),
    [
      ['system', false],
      ['ntp', false],
      ['chronotick', true],
    ],
  );
  assert.equal(stats.truth.recv, false);
  assert.ok(
    warnings.some((w) => /worker_comp12\.csv: column receive_time_ns holds ns written as floats/.test(w)),
    warnings.join('\n'),
  );

  const pooled = (s: string) => stats.causality.find((e) => e.source === s && e.node === null)!;
  // system: comp11 11 ≥ 10, 21 ≥ 20; comp12 9 < 10
  assert.deepEqual(pooled('system').point.violations, { count: 1, total: 3, share: 1 / 3 });
  // ntp: coordinator 10.5 (from offset) vs comp11 11.5 ok, comp12 9.2 violation; event 2 has no coordinator ntp
  assert.equal(pooled('ntp').point.compared, 2);
  assert.equal(pooled('ntp').point.missing, 1);
  assert.equal(pooled('ntp').point.violations.count, 1);
  // chronotick: the coordinator never had it → nothing compared, shares null
  assert.equal(pooled('chronotick').point.compared, 0);
  assert.equal(pooled('chronotick').point.violations.share, null);
  assert.equal(pooled('chronotick').interval!.proven_after.share, null);

  const e0 = stats.samples.events.find((e) => e.seq === 0)!;
  const e1 = stats.samples.events.find((e) => e.seq === 1)!;
  assert.deepEqual(e0.coordinator['ntp'], [10.5 * MS, null, null]);
  assert.deepEqual(e1.coordinator['ntp'], [null, null, null]);
  assert.deepEqual(e1.workers['comp11']!['ntp'], [21.25 * MS, null, null]);
  assert.deepEqual(e0.workers['comp11']!['chronotick'], [
    11 * MS - 23_597_717,
    11 * MS - 23_597_717 - 22_951,
    11 * MS - 23_597_717 + 22_951,
  ]);
  assert.deepEqual(e1.workers['comp11']!['chronotick'], [22 * MS, 20.5 * MS, 23.5 * MS]);
  assert.deepEqual(e0.workers['comp12']!['system'], [9 * MS, null, null]);
  assert.equal(e1.workers['comp12'], undefined, 'comp12 missed event 2');
  const ct = stats.readings.find((r) => r.source === 'chronotick' && r.node === 'comp11')!;
  assert.deepEqual([ct.rows, ct.with_point, ct.with_interval], [2, 2, 2]);
  assert.deepEqual(ct.status_counts, { legacy: 2 });
  assert.equal(
    stats.readings.some((r) => r.source === 'chronotick' && r.node === 'comp12'),
    false,
  );
  assert.equal(stats.delivery.workers.find((w) => w.node === 'comp12')!.lost, 1);
  // the commit wait of the one bounded source: hi − lo = 45 902 ns and 3 ms
  const cw = stats.commit_wait.find((c) => c.source === 'chronotick' && c.node === null)!;
  assert.deepEqual([cw.wait.min, cw.wait.max], [45_902, 3 * MS]);
});

test('legacy layout without send_time_ns is refused with a hint', async () => {
  const dir = tmpDir('chronoeval-legacy-');
  writeFileSync(path.join(dir, 'coordinator.csv'), 'run_id,event_id,seq,send_local_ns\n');
  await assert.rejects(analyzeRun(dir, { format: 'legacy' }), /no send_time_ns column .* try --format native/);
});

/**
 * A legacy run shaped like the first version's cluster run: system clocks that agree (receives
 * 0.4–0.6 ms after sends), a coordinator NTP offset of about −4.6 ms, and one worker whose NTP
 * offsets run from −4.6 to −40 ms. `ntp(k)` gives each worker's ntp_offset_ms for event k.
 */
function writeLegacyNtpRun(
  ntp: { comp11: (k: number) => number; comp12: (k: number) => number },
  recvMs = { comp11: 0.4, comp12: 0.6 },
): string {
  const dir = tmpDir('chronoeval-legacy-ntp-');
  const n = 60;
  const coord = ['event_id,sequence_number,send_time_ns,ntp_offset_ms,ntp_uncertainty_ms'];
  for (let k = 0; k < n; k++) coord.push(`${k + 1},${k},${abs(10 * k)},${(-4.6 - 0.005 * k).toFixed(3)},5.0`);
  writeFileSync(path.join(dir, 'coordinator.csv'), coord.join('\n') + '\n');
  for (const node of ['comp11', 'comp12'] as const) {
    const rows = ['event_id,node_id,sequence_number,receive_time_ns,ntp_offset_ms,ntp_uncertainty_ms'];
    for (let k = 0; k < n; k++) rows.push(`${k + 1},${node},${k},${abs(10 * k + recvMs[node])},${ntp[node](k).toFixed(3)},5.0`);
    writeFileSync(path.join(dir, `worker_${node}.csv`), rows.join('\n') + '\n');
  }
  return dir;
}

test('legacy run with implausible NTP columns: a warning that points at the NTP data (stats.json, summary, report)', async () => {
  // comp12's NTP offsets slide from −4.6 to −40 ms while its system clock stays within 0.6 ms of the coordinator's
  const dir = writeLegacyNtpRun({ comp11: (k) => -4.7 - 0.005 * k, comp12: (k) => -4.6 - (35.4 * k) / 59 });
  const { stats, summaryText } = await analyzeRun(dir, { format: 'legacy', windowsMs: [100] });
  const pooled = (s: string) => stats.causality.find((e) => e.source === s && e.node === null)!;
  assert.equal(pooled('system').point.violations.count, 0, 'the system clocks never violate causality');
  assert.ok(pooled('ntp').point.violations.share! > 0.3, 'NTP correction makes violations');
  const w = stats.inputs.warnings.find((x) => x.startsWith('legacy NTP data look implausible'));
  assert.ok(w, `warning in stats.json: ${stats.inputs.warnings.join(' | ')}`);
  assert.match(
    w,
    /turns causality violations of 0\.0 % \(0\/120\) with the system clocks into \d+\.\d % \(\d+\/120\) \(workers pooled; also comp12 /,
  );
  assert.match(w, /worker_comp12\.csv -40\.0 ms to -4\.6 ms/);
  assert.match(w, /coordinator\.csv -4\.9 ms to -4\.6 ms/);
  assert.match(w, /describe this NTP data, not the quality of the clocks/);
  assert.ok(summaryText.includes(w), 'in the text summary');
  assert.ok(collectWarnings(stats, []).includes(w), 'in the report');
});

test('legacy NTP warning: none when NTP agrees with the clocks or repairs a wrong clock', async () => {
  const plausible = writeLegacyNtpRun({ comp11: (k) => -4.7 - 0.005 * k, comp12: (k) => -4.6 - 0.005 * k });
  const a = await analyzeRun(plausible, { format: 'legacy', windowsMs: [100] });
  assert.equal(a.stats.inputs.warnings.filter((x) => /NTP data look implausible/.test(x)).length, 0, a.stats.inputs.warnings.join(' | '));
  // comp12's system clock is 5 ms behind (every receive "before" its send); its NTP offset repairs that
  const repaired = writeLegacyNtpRun({ comp11: (k) => -4.7 - 0.005 * k, comp12: (k) => 0.4 - 0.005 * k }, { comp11: 0.4, comp12: -4.4 });
  const b = await analyzeRun(repaired, { format: 'legacy', windowsMs: [100] });
  assert.equal(b.stats.causality.find((e) => e.source === 'system' && e.node === 'comp12')!.point.violations.count, 60);
  assert.equal(b.stats.causality.find((e) => e.source === 'ntp' && e.node === 'comp12')!.point.violations.count, 0);
  assert.equal(b.stats.inputs.warnings.filter((x) => /NTP data look implausible/.test(x)).length, 0, b.stats.inputs.warnings.join(' | '));
});
