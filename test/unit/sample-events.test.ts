// stats.samples kept as numbers: its events and its JSON text are those of the objects it replaced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SampleStore, sampleSet } from '../../analysis/fold/sample-events.js';
import type { JoinedEvent } from '../../analysis/join/joined.js';
import { jsonPieces } from '../../src/files/json-pieces.js';
import { toJson } from '../../src/files/atomic-json.js';

const stamp = fc.oneof(fc.double({ noNaN: false }), fc.integer({ min: -3e10, max: 3e10 }), fc.constantFrom(NaN, -0, 0, Infinity));
const names = (min: number) =>
  fc.uniqueArray(fc.oneof(fc.constantFrom('w1', 'w2', '10', '2', '0', 'a"b', 'ε−', 'system', 'ntp'), fc.string()), {
    minLength: min,
    maxLength: 6,
  });

/** The sample event as it was built before: objects filled source by source, worker by worker. */
function reference(ev: JoinedEvent, sources: string[], nodes: string[]) {
  const nn = (v: number) => (Number.isNaN(v) ? null : v);
  const triple = (v: Float64Array, s: number) => [nn(v[s * 3]!), nn(v[s * 3 + 1]!), nn(v[s * 3 + 2]!)];
  const coordinator: Record<string, unknown> = {};
  sources.forEach((name, s) => (coordinator[name] = triple(ev.coord, s)));
  const workers: Record<string, unknown> = {};
  const trueRecv: Record<string, unknown> = {};
  nodes.forEach((node, w) => {
    const st = ev.workers[w];
    if (!st) return;
    const m: Record<string, unknown> = {};
    sources.forEach((name, s) => (m[name] = triple(st.vals, s)));
    workers[node] = m;
    trueRecv[node] = nn(st.trueRecv);
  });
  return {
    seq: ev.seq,
    event_id: ev.eventId,
    send_rel_ns: nn(ev.sendLocal),
    coordinator,
    workers,
    true_send_rel_ns: nn(ev.trueSend),
    true_recv_rel_ns: trueRecv,
  };
}

test('sample events and their JSON text equal the objects they replaced', () => {
  fc.assert(
    fc.property(
      names(0),
      names(0),
      fc.integer({ min: 0, max: 4 }),
      fc.infiniteStream(stamp),
      fc.infiniteStream(fc.boolean()),
      (sources, nodes, count, nums, present) => {
        const S = sources.length;
        const take = (k: number) => Float64Array.from({ length: k }, () => nums.next().value as number);
        const store = new SampleStore(
          sources.map((name) => ({ name, bounded: true })),
          nodes,
        );
        const events: JoinedEvent[] = [];
        for (let e = 0; e < count; e++) {
          // only the fields a sample reads (the event type grows with the analysis)
          const ev = {
            seq: e * 3,
            eventId: `id"${e}`,
            sendLocal: nums.next().value as number,
            trueSend: nums.next().value as number,
            coord: take(S * 4),
            workers: nodes.map(() =>
              present.next().value ? { recvLocal: 0, trueRecv: nums.next().value as number, vals: take(S * 4), reest: null } : undefined,
            ),
          } as JoinedEvent;
          events.push(ev);
          store.add(ev);
        }
        const set = sampleSet(store, 3);
        const want = { stride: 3, events: events.map((ev) => reference(ev, sources, nodes)) };
        assert.deepStrictEqual(JSON.parse(JSON.stringify(set.events)), JSON.parse(JSON.stringify(want.events)));
        for (const holder of [set, { samples: set }, { a: 1, deeper: { samples: set } }]) {
          const plain = JSON.parse(toJson(holder)) as unknown;
          assert.equal([...jsonPieces(holder)].join(''), toJson(plain) + '\n');
        }
        assert.equal([...jsonPieces({ samples: set })].join(''), toJson({ samples: want }) + '\n');
      },
    ),
    { numRuns: 300 },
  );
});

test('stats.samples is a plain object: events read on demand, the same on every read', () => {
  const store = new SampleStore([{ name: 'system', bounded: false }], ['w1']);
  const set = sampleSet(store, 5);
  assert.equal(Object.getPrototypeOf(set), Object.prototype);
  assert.deepEqual(Object.keys(set), ['stride', 'events']);
  assert.deepEqual(set.events, []);
  assert.equal(set.events, set.events);
  assert.equal([...jsonPieces(set)].join(''), '{\n  "stride": 5,\n  "events": []\n}\n');
});
