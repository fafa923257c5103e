import assert from 'node:assert/strict';
import { test } from 'node:test';

import { checkinsOf, latestOf } from '../../app/static/js/goals.js';
import { dailySeries, diarySummary, pacingRows, pacingSummary } from '../../app/static/js/progress-data.js';

const today = '2026-11-27';

test('daily series average several check-ins a day, oldest day first', () => {
  const series = dailySeries([
    { local_date: '2026-11-27', pain: 4, function: 6 },
    { local_date: '2026-11-27', pain: 6, function: 5, interference: 2 },
    { local_date: '2026-11-20', pain: 3 },
    { local_date: '2025-01-01', pain: 9 },
  ], { today });
  assert.deepEqual(series.dates, ['2026-11-20', '2026-11-27']);
  assert.deepEqual(series.pain, [3, 5]);
  assert.deepEqual(series.function, [null, 5.5]);
  assert.deepEqual(series.interference, [null, 2]);
});

test('the diary summary names function first and compares with the week before', () => {
  const text = diarySummary([
    { local_date: '2026-11-26', pain: 4, function: 6, interference: 3 },
    { local_date: '2026-11-18', pain: 6, function: 4 },
  ], { today });
  assert.equal(text, 'Last 7 days, on average: function 6, interference 3, pain 4 (the 7 days before: function 4, pain 6).');
  assert.equal(diarySummary([], { today }), 'No check-ins in the last 7 days.');
});

test('pacing: quota met counts sessions that reached the planned amount', () => {
  const rows = pacingRows([
    { started_at: '2026-11-26T09:00:00Z', ended_at: '2026-11-26T09:10:00Z', planned: 10, achieved: 10, activity: 'walk', unit: 'minutes' },
    { started_at: '2026-11-25T09:00:00Z', ended_at: '2026-11-25T09:07:00Z', planned: 10, achieved: 7, activity: 'walk', unit: 'minutes' },
    { started_at: '2026-11-27T09:00:00Z', planned: 10, activity: 'walk' },
  ]);
  assert.equal(rows.length, 2, 'a running session is not counted');
  assert.deepEqual(rows.map((r) => r.met), [false, true]);
  assert.equal(pacingSummary(rows, { today }), 'Last 14 days: quota met in 1 of 2 sessions.');
});

test('a goal reads its own check-ins oldest first, and the latest value of each kind', () => {
  const checkins = [
    { goal_id: 'g', local_date: '2026-11-25', amount: 7, created_at: '2026-11-25T10:00:00Z' },
    { goal_id: 'g', local_date: '2026-11-20', amount: 4, ability: 3 },
    { goal_id: 'g', local_date: '2026-11-25', note: 'tired', created_at: '2026-11-25T18:00:00Z' },
    { goal_id: 'other', local_date: '2026-11-26', amount: 100 },
  ];
  const own = checkinsOf('g', checkins);
  assert.deepEqual(own.map((c) => c.amount ?? c.note), [4, 7, 'tired']);
  assert.equal(latestOf(own, 'amount'), 7);
  assert.equal(latestOf(own, 'ability'), 3);
  assert.equal(latestOf(own, 'gas_level'), null);
});
