// The causality timeline's bins are all one width: a last bin the run ended inside is not drawn
// (its share would rest on a handful of pairs) and the caption says why; a full last bin stays.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { timelineBins } from '../../analysis/figures/inputs.js';
import type { Stats } from '../../analysis/stats/types.js';

function statsWith(sent: number[]): Stats {
  const compared = sent.map((n) => n * 3);
  return {
    timeline: {
      bin_ns: 1e8,
      t_rel_ns: sent.map((_, i) => i * 1e8),
      events_sent: sent,
      causality: [
        {
          source: 'ntp',
          node: null,
          compared,
          point_violations: compared.map(() => 1),
          interval_compared: null,
          interval_violations: null,
          interval_ambiguous: null,
        },
      ],
      clock: [],
    },
  } as unknown as Stats;
}

test('a last bin with under half the median events is dropped and named in the caption', () => {
  const r = timelineBins(statsWith([10, 10, 9, 11, 10, 1]), 0);
  assert.equal(r.bins.length, 5);
  assert.ok(r.bins.every((b) => b.compared >= 27));
  assert.match(r.droppedBin ?? '', /1 event\(s\) sent, against a median of 10 per bin/);
});

test('a full last bin is drawn and nothing is said', () => {
  const r = timelineBins(statsWith([10, 10, 9, 11, 10, 8]), 0);
  assert.equal(r.bins.length, 6);
  assert.equal(r.droppedBin, null);
});
