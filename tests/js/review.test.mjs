// The weekly review's pure logic: its week and when Today marks it due
// (app/static/js/review-data.js), the week's numbers it shows and the check of the answers
// (app/static/js/screens/review.js).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { reviewDue, weekStart } from '../../app/static/js/review-data.js';
import {
  checkReview, functionMean, latestPsfs, stepsDone,
} from '../../app/static/js/screens/review.js';

// 2026-11-23 is a Monday; 2026-11-27 a Friday. Moments are made at local noon, so that the
// tests hold in every time zone.
const noon = (day) => { const [y, m, d] = day.split('-').map(Number); return new Date(y, m - 1, d, 12).toISOString(); };

test('a week starts on its Monday, across a month and a year boundary', () => {
  assert.equal(weekStart('2026-11-23'), '2026-11-23');
  assert.equal(weekStart('2026-11-27'), '2026-11-23');
  assert.equal(weekStart('2026-11-29'), '2026-11-23');
  assert.equal(weekStart('2026-12-02'), '2026-11-30');
  assert.equal(weekStart('2027-01-01'), '2026-12-28');
});

test('the review is due from Friday when this week has none, and never once it has one', () => {
  assert.equal(reviewDue({ today: '2026-11-26', reviews: [] }), false); // Thursday, never reviewed
  assert.equal(reviewDue({ today: '2026-11-27', reviews: [] }), true); // Friday
  assert.equal(reviewDue({ today: '2026-11-29', reviews: [] }), true); // Sunday
  const done = [{ week_start: '2026-11-23', created_at: noon('2026-11-27') }];
  assert.equal(reviewDue({ today: '2026-11-28', reviews: done }), false);
  // Another week's review does not count for this one.
  assert.equal(reviewDue({ today: '2026-11-27', reviews: [{ week_start: '2026-11-16' }] }), true);
});

test('earlier in the week it is due once the last review is at least 7 days old', () => {
  const lastSunday = [{ week_start: '2026-11-16', created_at: noon('2026-11-22') }];
  assert.equal(reviewDue({ today: '2026-11-23', reviews: lastSunday }), false); // 1 day old
  const lastWednesday = [{ week_start: '2026-11-16', created_at: noon('2026-11-18') }];
  assert.equal(reviewDue({ today: '2026-11-24', reviews: lastWednesday }), false); // 6 days
  assert.equal(reviewDue({ today: '2026-11-25', reviews: lastWednesday }), true); // 7 days
  // Not yet synced (no created_at): the review counts as made on the Sunday of its week.
  assert.equal(reviewDue({ today: '2026-11-25', reviews: [{ week_start: '2026-11-16' }] }), false);
  assert.equal(reviewDue({ today: '2026-11-25', reviews: [{ week_start: '2026-11-09' }] }), true);
});

test('function is the mean of daily means over the week, ignoring days without it', () => {
  const entries = [
    { local_date: '2026-11-21', function: 4 },
    { local_date: '2026-11-21', function: 6 }, // that day: 5
    { local_date: '2026-11-25', function: 8 },
    { local_date: '2026-11-26', pain: 3 },
    { local_date: '2026-11-20', function: 0 }, // before the week
    { local_date: '2026-11-28', function: 0 }, // after it
  ];
  assert.deepEqual(functionMean(entries, { from: '2026-11-21', to: '2026-11-27' }), { mean: 6.5, days: 2 });
  assert.equal(functionMean([{ local_date: '2026-11-22', pain: 5 }], { from: '2026-11-21', to: '2026-11-27' }), null);
});

test('goal steps done in the week count each step once, from check-ins or dated steps', () => {
  const goals = [{ id: 'g1', title: 'Walk to the shop', steps: [
    { title: 'Walk 5 minutes', due_date: '2026-11-22', done: true },
    { title: 'Walk 7 minutes', due_date: '2026-11-25', done: true },
    { title: 'Walk 10 minutes', due_date: '2026-11-26', done: false },
    { title: 'Walk 3 minutes', due_date: '2026-11-10', done: true },
  ] }];
  const checkins = [
    { goal_id: 'g1', local_date: '2026-11-24', step_done: 'Walk 7 minutes' },
    { goal_id: 'g1', local_date: '2026-11-25', step_done: 'Walk 7 minutes' },
    { goal_id: 'g1', local_date: '2026-11-19', step_done: 'Walk 4 minutes' },
    { goal_id: 'g1', local_date: '2026-11-24', amount: 5 },
  ];
  assert.deepEqual(stepsDone({ goals, checkins, from: '2026-11-21', to: '2026-11-27' }), [
    { goal: 'Walk to the shop', step: 'Walk 5 minutes', day: '2026-11-22' },
    { goal: 'Walk to the shop', step: 'Walk 7 minutes', day: '2026-11-24' },
  ]);
});

test('the latest PSFS of the week, scored on the phone when the server has not yet', () => {
  const responses = [
    { instrument: 'psfs', local_date: '2026-11-22', score: 4 },
    { instrument: 'psfs', local_date: '2026-11-26', answers: { activities: [
      { activity: 'Walking', score: 5 }, { activity: 'Cooking', score: 6 }, { activity: 'Lifting', score: 6 }] } },
    { instrument: 'peg', local_date: '2026-11-27', score: 5 },
  ];
  assert.deepEqual(latestPsfs(responses, { from: '2026-11-21', to: '2026-11-27' }), { score: 5.7, day: '2026-11-26' });
  assert.equal(latestPsfs(responses, { from: '2026-11-27', to: '2026-11-27' }), null);
});

test('the answers are trimmed, empty ones stored as null, and bad input named by field', () => {
  assert.deepEqual(checkReview({ went_well: '  Three walks ', was_hard: '', next_step: 'Walk 11 minutes', confidence: 7 }),
    { fields: { went_well: 'Three walks', was_hard: null, next_step: 'Walk 11 minutes', changes: null, confidence: 7 } });
  assert.deepEqual(checkReview({ confidence: 0 }).fields.confidence, 0);
  assert.match(checkReview({}).errors.went_well, /at least one answer/);
  assert.match(checkReview({ was_hard: 'x'.repeat(2001) }).errors.was_hard, /2001 characters long: keep it to 2000/);
  assert.match(checkReview({ went_well: 'ok', confidence: 11 }).errors.confidence, /Confidence 11 is not a whole number from 0 to 10/);
});
