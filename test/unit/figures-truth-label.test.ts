// A coverage figure or table that holds channel must not call its truth "true time": channel
// bounds the coordinator's clock, and its coverage is judged against that clock at the true instant.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { makeAnalysedRun } from '../fixtures/analysed-run.js';
import { coverage } from '../../analysis/figures/coverage.js';
import { dashboard } from '../../analysis/figures/dashboard.js';
import { headlineTable, perWorkerTable } from '../../analysis/report/tables.js';
import type { Stats } from '../../analysis/stats/types.js';
import { tmpDir } from '../support/helpers.js';

/** The same stats with its interval source renamed to channel. */
function asChannel(stats: Stats): Stats {
  const copy = structuredClone(stats);
  const bounded = copy.headline.find((h) => h.bounded)!.source;
  for (const h of copy.headline) if (h.source === bounded) h.source = 'channel';
  for (const b of copy.bound_quality) if (b.source === bounded) b.source = 'channel';
  return copy;
}

test("coverage figure, dashboard and report tables say which truth channel's coverage is of", async () => {
  const dir = tmpDir('chronoeval-fig-truth-');
  try {
    const { stats } = await makeAnalysedRun(dir, { events: 400, rate: 100 });
    const ctx = (s: Stats) => ({ stats: s, causality: null, sync: null });
    const plain = JSON.stringify(coverage.build(ctx(stats)));
    assert.match(plain, /Coverage of true time/);
    assert.doesNotMatch(plain, /coordinator's clock/);
    assert.match(headlineTable(stats), /coverage of true time/);

    const ch = asChannel(stats);
    const framed = JSON.stringify(coverage.build(ctx(ch)));
    assert.doesNotMatch(framed, /Coverage of true time|contain true time\?/);
    assert.match(framed, /Coverage of the truth/);
    assert.match(framed, /for channel the coordinator's clock at the true instant/);
    const dash = JSON.stringify(dashboard.build(ctx(ch)));
    assert.match(dash, /coverage of the truth \(interval\)/);
    assert.match(dash, /for channel the coordinator's clock/);
    assert.match(headlineTable(ch), /<th>coverage of the truth<\/th>/);
    assert.match(headlineTable(ch), /for channel the coordinator&#39;s clock at the true instant/);
    assert.match(perWorkerTable(ch), /missed the truth/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
