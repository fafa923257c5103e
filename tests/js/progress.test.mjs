import assert from 'node:assert/strict';
import { test } from 'node:test';

import { checkinsOf, latestOf } from '../../app/static/js/goals.js';
import {
  abilitySeries, abilitySummary, dailySeries, diarySummary, gasSeries, gasSummary, pacingRows, pacingSummary,
  psfsActivityLines, psfsSeries, psfsSummary, quotaSeries, quotaSummary, responseScore,
} from '../../app/static/js/progress-data.js';

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

// -- function first --------------------------------------------------------------------------

const psfs = (local_date, activities, extra = {}) => ({
  instrument: 'psfs', local_date, answers: { activities: activities.map(([activity, score]) => ({ activity, score })) }, ...extra,
});

test('PSFS over time: mean and each activity by name, the band ±2 around the first mean', () => {
  const series = psfsSeries([
    psfs('2026-11-20', [['walking', 7], ['Stairs', 5], ['Gardening', 6]]),
    psfs('2026-10-30', [['Walking', 3], ['Stairs', 4]]),
    { instrument: 'peg', local_date: '2026-11-01', answers: { pain: 5, enjoyment: 5, activity: 5 } },
    psfs('2026-11-01', [['Walking', 11]]), // cannot be scored: left out
  ]);
  assert.deepEqual(series.dates, ['2026-10-30', '2026-11-20']);
  assert.deepEqual(series.mean, [3.5, 6]);
  assert.deepEqual(series.activities.map((a) => [a.name, a.scores]),
    [['Walking', [3, 7]], ['Stairs', [4, 5]], ['Gardening', [null, 6]]]);
  assert.deepEqual(series.band, [1.5, 5.5]);
  // Compared on the activities both rated: (7 + 5) / 2 − 3.5 = 2.5, at least the 2-point MDC.
  assert.equal(series.change.mean_change, 2.5);
  assert.equal(series.change.label, 'improved');
  const summary = psfsSummary(series);
  assert.match(summary, /^Latest PSFS mean 6 of 10 on 2026-11-20: up 2\.5 since the first \(2026-10-30\), a real change for the better/);
  assert.deepEqual(psfsActivityLines(series), [
    'walking: 3 → 7, up 4 points, a real change for the better',
    'Stairs: 4 → 5, up 1 point, within measurement noise, not yet a real change',
  ]);
});

test('a PSFS change under 2 points is not called real; one response asks for a second', () => {
  const small = psfsSeries([psfs('2026-10-01', [['Walking', 4]]), psfs('2026-11-01', [['Walking', 5]])]);
  assert.equal(small.change.label, 'no real change');
  assert.match(psfsSummary(small), /up 1 since the first .*within measurement noise, not yet a real change/);
  const worse = psfsSeries([psfs('2026-10-01', [['Walking', 8], ['Stairs', 8]]), psfs('2026-11-01', [['Walking', 5], ['Stairs', 6]])]);
  assert.match(psfsSummary(worse), /down 2\.5 since the first .*a real change for the worse/);
  const one = psfsSeries([psfs('2026-10-01', [['Walking', 9]])]);
  assert.deepEqual(one.band, [7, 10], 'the band stays on the 0–10 scale');
  assert.equal(psfsSummary(one), 'Your first PSFS mean: 9 of 10 on 2026-10-01. A change of 2 points or more from it will be a real change.');
  const other = psfsSeries([psfs('2026-10-01', [['Walking', 4]]), psfs('2026-11-01', [['Cooking', 9]])]);
  assert.match(psfsSummary(other), /shares no activity with the first answers/);
  assert.equal(psfsSummary(psfsSeries([])), 'No PSFS answers yet.');
});

test('a response keeps the server score; one made offline is scored by the shared rule', () => {
  assert.equal(responseScore({ instrument: 'psfs', score: 4.33, answers: {} }), 4.33);
  assert.equal(responseScore(psfs('2026-11-01', [['a', 4], ['b', 5]])), 4.5);
  assert.equal(responseScore({ instrument: 'phq2', answers: { interest: 4, mood: 1 } }), null);
});

test('goal ability: one series per rated goal on the days rated, first and latest in the summary', () => {
  const goals = [{ id: 'g1', title: 'Walk to the shop', ability_baseline: 2 }, { id: 'g2', title: 'Cook' }, { id: 'g3', title: 'Unrated' }];
  const ability = abilitySeries(goals, [
    { goal_id: 'g1', local_date: '2026-11-10', ability: 4 },
    { goal_id: 'g2', local_date: '2026-11-12', ability: 5 },
    { goal_id: 'g1', local_date: '2026-11-20', ability: 6 },
    { goal_id: 'g3', local_date: '2026-11-20', amount: 3 },
  ]);
  assert.deepEqual(ability.dates, ['2026-11-10', '2026-11-12', '2026-11-20']);
  assert.deepEqual(ability.series.map((s) => [s.goal.id, s.values]), [['g1', [4, null, 6]], ['g2', [null, 5, null]]]);
  assert.equal(abilitySummary(ability), 'Walk to the shop: 2 → 6 of 10; Cook: 5 of 10.');
});

test('goal attainment: the T-score of each day uses every scaled goal’s latest level so far', () => {
  const levels = ['-2', '-1', '0', '+1', '+2'];
  const goals = [{ id: 'a', gas_levels: levels }, { id: 'b', gas_levels: levels }, { id: 'c' }];
  const gas = gasSeries(goals, [
    { goal_id: 'a', local_date: '2026-11-01', gas_level: -1 },
    { goal_id: 'c', local_date: '2026-11-02', gas_level: 2 }, // no levels written: not scaled
    { goal_id: 'b', local_date: '2026-11-08', gas_level: 1 },
    { goal_id: 'a', local_date: '2026-11-15', gas_level: 1 },
  ]);
  assert.deepEqual(gas.dates, ['2026-11-01', '2026-11-08', '2026-11-15']);
  // One goal at −1: 50 + 10·(−1)/√(0.7 + 0.3) = 40; then −1 and +1 cancel; then both +1:
  // 50 + 10·2/√(0.7·2 + 0.3·4) = 62.4.
  assert.deepEqual(gas.scores, [40, 50, 62.4]);
  assert.equal(gasSummary(gas), 'Goal attainment T-score 62.4 on 2026-11-15 (50 = goals met as expected; better than expected), 40 on 2026-11-01.');
  assert.equal(gasSummary(gasSeries(goals, [])), null);
});

test('quota progression per plan: the quota each session was planned at, and the summary', () => {
  const plans = [{ id: 'p', activity: 'Walking', unit: 'minutes', quota: 9 }, { id: 'q', activity: 'Stairs', unit: 'repetitions' }];
  const sessions = [
    { plan_id: 'p', kind: 'trial', started_at: '2026-11-01T09:00:00Z', ended_at: '2026-11-01T09:10:00Z', achieved: 10, unit: 'minutes' },
    { plan_id: 'p', kind: 'quota', started_at: '2026-11-20T09:00:00Z', ended_at: '2026-11-20T09:08:00Z', planned: 8, achieved: 8, unit: 'minutes' },
    { plan_id: 'p', kind: 'quota', started_at: '2026-11-26T09:00:00Z', ended_at: '2026-11-26T09:09:00Z', planned: 9, achieved: 7, unit: 'minutes' },
    { plan_id: 'q', kind: 'trial', started_at: '2026-11-26T09:00:00Z', ended_at: '2026-11-26T09:02:00Z', achieved: 6 },
  ];
  const [walking, stairs] = quotaSeries(plans, sessions);
  assert.deepEqual(walking.rows.map((r) => [r.kind, r.planned, r.achieved]), [['trial', null, 10], ['quota', 8, 8], ['quota', 9, 7]]);
  assert.equal(quotaSummary(walking, { today }), 'Quota 8 minutes on 2026-11-20, now 9 minutes; last 14 days: quota met in 1 of 2 sessions.');
  assert.equal(quotaSummary(stairs, { today }), 'No quota yet: tolerance trials first; 1 session in all; none with a quota in the last 14 days.');
});
