import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpDir } from '../support/helpers.js';
import { parseSpecArg } from '../../src/scenario/index.js';

test('inline JSON and files, for each schema', () => {
  assert.deepEqual(parseSpecArg('{"offset_ms":5,"drift_ppm":-20}', 'clock-faults'), { offset_ms: 5, drift_ppm: -20 });
  assert.deepEqual(parseSpecArg(' {"loss":0.1,"request_delay":3} ', 'faults'), { loss: 0.1, request_delay: 3 });
  const f = path.join(tmpDir(), 'ev.json');
  writeFileSync(f, JSON.stringify({ all: { loss: 0.05 }, per_worker: { w2: { delay: 4 } } }));
  assert.deepEqual(parseSpecArg(f, 'event-faults'), { all: { loss: 0.05 }, per_worker: { w2: { delay: 4 } } });
});

test('clear errors naming the flag, file and field', () => {
  assert.throws(() => parseSpecArg('{"offset_ms":', 'clock-faults'), /^Error: --clock-faults: not valid JSON/);
  assert.throws(
    () => parseSpecArg('{"steps":[{"at_s":"x","step_ms":1}]}', 'clock-faults'),
    /^Error: --clock-faults: steps\[0\]\.at_s: must be a finite number, got "x"$/,
  );
  assert.throws(() => parseSpecArg('{"los":0.1}', 'faults'), /--faults: los: unknown field \(allowed: delay, request_delay/);
  assert.throws(
    () => parseSpecArg('/no/such/file.json', 'event-faults'),
    /--event-faults: "\/no\/such\/file\.json" is neither inline JSON/,
  );
  const f = path.join(tmpDir(), 'bad.json');
  writeFileSync(f, '{"all":{"loss":3}}');
  assert.throws(
    () => parseSpecArg(f, 'event-faults'),
    new RegExp(`--event-faults ${f.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: all\\.loss: must be ≤ 1`),
  );
  assert.throws(() => parseSpecArg('', 'faults'), /--faults: expected inline JSON or a JSON file path/);
});
