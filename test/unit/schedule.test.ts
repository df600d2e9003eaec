import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dueTimesNs, scheduleLength, validateSchedule } from '../../src/coordinator/schedule.js';

test('fixed rate with a count gives evenly spaced due times', () => {
  assert.deepEqual([...dueTimesNs({ rate: 4, count: 3 })], [0, 250_000_000, 500_000_000]);
});

test('a duration bounds the schedule (events due strictly before the end)', () => {
  assert.equal(scheduleLength({ rate: 10, durationS: 1 }), 10);
});

test('a pattern of spacings repeats', () => {
  assert.deepEqual([...dueTimesNs({ patternMs: [1, 9], count: 4 })], [0, 1_000_000, 10_000_000, 11_000_000]);
});

test('invalid schedules say what is wrong', () => {
  assert.throws(() => validateSchedule({ rate: 0, count: 1 }), /--rate/);
  assert.throws(() => validateSchedule({ rate: 5 }), /--count N or --duration-s/);
  assert.throws(() => validateSchedule({ patternMs: [0, 0], count: 2 }), /--pattern/);
  assert.throws(() => validateSchedule({ rate: 5, count: 1.5 }), /--count/);
});
