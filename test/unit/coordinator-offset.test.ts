// The coordinator's offset track (analysis/fold/coordinator-offset.ts): few points, every gathered
// offset reproduced within tolerance, no value inside a step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoordinatorOffsetTrack } from '../../analysis/fold/coordinator-offset.js';

/** Events every 20 ms with a little send jitter, over `seconds`; offset(t) in ns. */
function fill(track: CoordinatorOffsetTrack, seconds: number, offset: (t: number) => number): number[] {
  const ts: number[] = [];
  for (let k = 0; k < seconds * 50; k++) {
    const t = k * 20e6 + ((k * 7919) % 13) * 1e5;
    ts.push(t);
    track.add(t, Math.round(offset(t)));
  }
  return ts;
}

test('a constant drift costs two points however long the run, and every instant reads back', () => {
  const track = new CoordinatorOffsetTrack();
  const off = (t: number) => 1.5e6 + 10e-6 * t;
  const ts = fill(track, 600, off);
  assert.equal(track.size, 2);
  for (const t of ts) assert.ok(Math.abs(track.at(t) - off(t)) <= 20, `at ${t}: ${track.at(t)} vs ${off(t)}`);
  assert.ok(Math.abs(track.at(ts[100]! + 5e6) - off(ts[100]! + 5e6)) <= 20, 'between events');
  assert.ok(Number.isNaN(track.at(ts.at(-1)! + 1)), 'after the last event: no value');
  assert.ok(Number.isNaN(track.at(-1)), 'before the first event: no value');
});

test('a wandering frequency (a new rate every 0.5 s) is followed within tolerance at every event', () => {
  const track = new CoordinatorOffsetTrack();
  const rates = Array.from({ length: 200 }, (_, i) => ((i * 37) % 41) - 20); // ppm, −20 … 20
  const off = (t: number) => {
    let o = 0;
    for (let i = 0; i * 5e8 < t; i++) o += rates[i]! * 1e-6 * Math.min(5e8, t - i * 5e8);
    return o;
  };
  const ts = fill(track, 60, off);
  assert.ok(track.size <= 2 * 120 + 2, `${track.size} points for 120 rate changes`);
  for (const t of ts) assert.ok(Math.abs(track.at(t) - off(t)) <= 25, `at ${t}: ${track.at(t) - off(t)} ns off`);
});

test('instants inside a step have no value; either side of it reads its own frame', () => {
  const track = new CoordinatorOffsetTrack();
  const off = (t: number) => (t < 10e9 ? 2e6 : -3e6) + 5e-6 * t;
  const ts = fill(track, 20, off);
  const before = ts.filter((t) => t < 10e9).at(-1)!;
  const after = ts.find((t) => t >= 10e9)!;
  assert.ok(Number.isNaN(track.at((before + after) / 2)), 'between the last event before and the first after');
  assert.ok(Math.abs(track.at(before) - off(before)) <= 20);
  assert.ok(Math.abs(track.at(after) - off(after)) <= 20);
  assert.ok(Math.abs(track.at(15e9) - off(15e9)) <= 20);
});

test('events without truth are ignored, and an empty track has no value anywhere', () => {
  const track = new CoordinatorOffsetTrack();
  track.add(NaN, 5);
  track.add(10, NaN);
  assert.equal(track.size, 0);
  assert.ok(Number.isNaN(track.at(10)));
});
