// Binned lines carry a marker every few bins, not at every bin: on a long run markers at every bin
// sit closer than their own size, a band that hides the dashes telling series apart in greyscale.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { makeAnalysedRun } from '../fixtures/analysed-run.js';
import { figureContext } from '../../analysis/figures/index.js';
import { causalityTimeline } from '../../analysis/figures/causality-timeline.js';
import { bracketedError } from '../../analysis/figures/bracketed-error.js';
import { MARKERS_PER_LINE } from '../../analysis/figures/style.js';
import { tmpDir } from '../support/helpers.js';

type Json = Record<string, unknown>;

/** Every view or layer of a spec (depth first). */
function* views(o: unknown): Generator<Json> {
  if (Array.isArray(o)) for (const x of o) yield* views(x);
  else if (o && typeof o === 'object') {
    yield o as Json;
    for (const [k, v] of Object.entries(o)) if (k !== 'data') yield* views(v);
  }
}

test('a long run: at most MARKERS_PER_LINE markers per binned line, none per bin in the bracketed error', async () => {
  const dir = tmpDir('chronoeval-fig-markers-');
  try {
    const { stats } = await makeAnalysedRun(dir, { events: 6000, rate: 100 });
    const { context } = await figureContext(dir, stats);
    assert.ok(context.brackets && context.brackets[0]!.bins.length > MARKERS_PER_LINE, 'the run has more bins than markers');

    const tl = causalityTimeline.build(context);
    assert.ok('spec' in tl);
    const shareView = [...views(tl.spec)].find((v) => Array.isArray(v.layer) && JSON.stringify(v.layer).includes('datum.marker'));
    assert.ok(shareView, 'the share panel draws its markers from the rows marked for them');
    const rows = (shareView.data as { values: { source: string; kind: string; marker: boolean }[] }).values;
    const bySeries = new Map<string, { bins: number; markers: number }>();
    for (const r of rows) {
      const s = bySeries.get(`${r.source}/${r.kind}`) ?? { bins: 0, markers: 0 };
      s.bins++;
      if (r.marker) s.markers++;
      bySeries.set(`${r.source}/${r.kind}`, s);
    }
    for (const [k, s] of bySeries) {
      assert.ok(s.bins > MARKERS_PER_LINE, `${k}: ${s.bins} bins`);
      assert.ok(s.markers >= MARKERS_PER_LINE / 2 && s.markers <= MARKERS_PER_LINE, `${k}: ${s.markers} markers on ${s.bins} bins`);
    }

    const be = bracketedError.build(context);
    assert.ok('spec' in be);
    const lines = [...views(be.spec)].filter((v) => (v.mark as Json | undefined)?.type === 'line');
    assert.ok(lines.length > 0);
    for (const l of lines) assert.equal((l.mark as Json).point, false, 'no marker at every bin of a long bracketed-error line');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a line of few bins keeps a marker at every bin', async () => {
  const dir = tmpDir('chronoeval-fig-markers-');
  try {
    const { stats } = await makeAnalysedRun(dir, { events: 300, rate: 100 });
    const { context } = await figureContext(dir, stats);
    const brackets = context.brackets!.map((b) => ({ ...b, bins: b.bins.slice(0, 10) }));
    const be = bracketedError.build({ ...context, brackets });
    assert.ok('spec' in be);
    const lines = [...views(be.spec)].filter((v) => (v.mark as Json | undefined)?.type === 'line');
    for (const l of lines) assert.deepEqual((l.mark as Json).point, { size: 12 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
