import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  EMPTY, PLAN_SECTIONS, careNotes, latestScores, planDecisions, planFlare, planGoals, planPacing,
  planTreatments, planValues, shapePlan,
} from '../../app/static/js/plan-data.js';

const today = '2026-11-27';
const FLARE = [['warning_signs', 'Warning signs'], ['first_steps', 'The first 24 hours'], ['contacts', 'Who to tell']];

test('the sections come in the order the care team sees them, each empty one saying what to do', () => {
  const sections = shapePlan({}, { flareSections: FLARE, today });
  assert.deepEqual(sections.map((s) => s.title), [
    'What matters', 'Goals', 'Pacing', 'Treatments and routines', 'Decisions', 'Flare plan',
    'Latest scores', 'Care-team notes',
  ]);
  assert.ok(sections.every((s) => s.empty));
  for (const [key] of PLAN_SECTIONS) {
    const [text, link, linkText] = EMPTY[key];
    assert.ok(text.length > 20 && link.startsWith('#') && linkText, `${key} says what to do`);
  }
  const filled = shapePlan({ value: [{ id: 'v', title: 'Family' }], routine: [{ id: 'r', title: 'Stretch' }] },
    { flareSections: FLARE, today });
  assert.deepEqual(filled.filter((s) => !s.empty).map((s) => s.key), ['values', 'treatments']);
});

test('values by importance, unrated last', () => {
  const values = planValues([
    { id: 'a', title: 'Work', importance: 6 }, { id: 'b', title: 'Hobby' },
    { id: 'c', title: 'Family', importance: 9, description: ' Time with the grandchildren ' },
    { id: 'd', title: 'Being independent', importance: 6 },
  ]);
  assert.deepEqual(values.map((v) => v.title), ['Family', 'Being independent', 'Work', 'Hobby']);
  assert.equal(values[0].description, 'Time with the grandchildren');
  assert.equal(values[3].importance, null);
});

test('goals: active first, steps done by tick or check-in, overdue, barriers, values and the bad-day plan', () => {
  const goals = planGoals({
    today,
    values: [{ id: 'v1', title: 'Family' }],
    goals: [
      { id: 'old', title: 'Swim', status: 'achieved', created_at: '2026-01-01T00:00:00Z' },
      { id: 'g', title: 'Walk to the mailbox', value_ids: ['v1', 'gone'], measure: 'minutes walked', unit: 'minutes',
        baseline: 5, target: 15, contingency: 'Walk to the gate and back', created_at: '2026-11-01T00:00:00Z',
        steps: [
          { title: 'Walk 7 minutes', due_date: '2026-11-10', done: true },
          { title: 'Walk 10 minutes', due_date: '2026-11-20' },
          { title: 'Walk 12 minutes', due_date: '2026-12-10' },
        ],
        barriers: [{ barrier: 'Rain', plan: 'Walk in the mall' }, { barrier: 'Tired after work' }] },
    ],
    checkins: [
      { goal_id: 'g', local_date: '2026-11-21', step_done: 'walk 10  minutes' },
      { goal_id: 'g', local_date: '2026-11-25', amount: 10, ability: 6 },
    ],
  });
  assert.deepEqual(goals.map((g) => g.id), ['g', 'old']);
  const [goal] = goals;
  assert.deepEqual(goal.values, ['Family']);
  assert.deepEqual(goal.steps.map((s) => [s.title, s.done, s.overdue]),
    [['Walk 7 minutes', true, false], ['Walk 10 minutes', true, false], ['Walk 12 minutes', false, false]]);
  assert.equal(goal.stepsDone, 2);
  assert.deepEqual(goal.barriers, [{ barrier: 'Rain', plan: 'Walk in the mall' }, { barrier: 'Tired after work', plan: '' }]);
  assert.equal(goal.contingency, 'Walk to the gate and back');
  assert.equal(goal.amount.percent, 50);
  assert.equal(goal.ability.latest, 6);
  const late = planGoals({ today, goals: [{ id: 'x', title: 'X', steps: [{ title: 'S', due_date: '2026-11-26' }] }] });
  assert.equal(late[0].steps[0].overdue, true);
});

test('pacing: the current quota in words, or the trial days so far; paused plans last', () => {
  const plans = planPacing({
    goals: [{ id: 'g', title: 'Walk to the mailbox' }],
    plans: [
      { id: 'p2', activity: 'Stairs', unit: 'repetitions', active: false, quota: 4 },
      { id: 'p1', activity: 'Walking', unit: 'minutes', quota: 9, rest_minutes: 5, sessions_per_day: 2, goal_id: 'g' },
      { id: 'p3', activity: 'Gardening', unit: 'minutes' },
    ],
    sessions: [
      { plan_id: 'p3', kind: 'trial', started_at: '2026-11-20T09:00:00Z', ended_at: '2026-11-20T09:10:00Z' },
      { plan_id: 'p3', kind: 'trial', started_at: '2026-11-20T15:00:00Z', ended_at: '2026-11-20T15:10:00Z' },
      { plan_id: 'p3', kind: 'trial', started_at: '2026-11-22T09:00:00Z', ended_at: '2026-11-22T09:10:00Z' },
    ],
  });
  assert.deepEqual(plans.map((p) => [p.activity, p.quotaText, p.active]),
    [['Gardening', null, true], ['Walking', '9 minutes', true], ['Stairs', '4 repetitions', false]]);
  assert.equal(plans[0].trialDays, 2, 'two trials on one day count once');
  assert.deepEqual([plans[1].restText, plans[1].sessionsPerDay, plans[1].increasePercent, plans[1].increaseEveryDays, plans[1].goal],
    ['5 minutes', 2, 10, 7, 'Walk to the mailbox']);
});

test('treatments by status, routines with this week’s ticks, decisions by review date', () => {
  const { treatments, routines } = planTreatments({
    today,
    treatments: [
      { id: 't1', title: 'Old pills', kind: 'medication', status: 'stopped' },
      { id: 't2', title: 'Weekly physio', kind: 'physiotherapy', helpfulness: 7 },
    ],
    routines: [{ id: 'r', title: 'Screens off at 22:00', area: 'sleep', days: [0, 1, 2, 3, 4],
      done_dates: ['2026-11-27', '2026-11-21', '2026-11-20', '2026-11-27'] }],
  });
  assert.deepEqual(treatments.map((t) => [t.title, t.kind, t.statusLabel]),
    [['Weekly physio', 'Physiotherapy', 'Active'], ['Old pills', 'Medication plan', 'Stopped']]);
  assert.deepEqual(routines.map((r) => [r.area, r.days, r.doneThisWeek]), [['Sleep', 'Mon–Fri', 2]]);

  const decisions = planDecisions([
    { id: 'd1', question: 'Injections?', created_at: '2026-10-01' },
    { id: 'd2', question: 'Walking group?', choice: 'Join', review_on: '2026-11-27',
      options: [{ option: 'Join' }, { option: 'Wait' }], author_role: 'physiotherapist' },
    { id: 'd3', question: 'Brace?', review_on: '2026-12-20' },
  ], { today });
  assert.deepEqual(decisions.map((d) => [d.question, d.reviewDue]),
    [['Walking group?', true], ['Brace?', false], ['Injections?', false]]);
  assert.deepEqual([decisions[0].choice, decisions[0].options, decisions[0].author], ['Join', ['Join', 'Wait'], 'Physiotherapist']);
});

test('the flare plan: the newest one, its filled sections in order, text split into lines', () => {
  const sections = planFlare([
    { id: 'old', updated_at: '2026-01-01T00:00:00Z', warning_signs: ['Old sign'] },
    { id: 'new', updated_at: '2026-11-01T00:00:00Z', contacts: 'Dr Lee\n\n Sam ', warning_signs: ['Stiff mornings', ' '], first_steps: [] },
  ], FLARE);
  assert.deepEqual(sections.map((s) => [s.title, s.items]),
    [['Warning signs', ['Stiff mornings']], ['Who to tell', ['Dr Lee', 'Sam']]]);
  assert.deepEqual(planFlare([], FLARE), []);
});

test('latest scores: PSFS first with its real change, the gentle prompt, PGIC wording, tests', () => {
  const rows = latestScores({
    responses: [
      { instrument: 'peg', local_date: '2026-11-20', score: 5.33, answers: { pain: 6, enjoyment: 5, activity: 5 } },
      { instrument: 'psfs', local_date: '2026-11-20', answers: { activities: [{ activity: 'Walking', score: 7 }, { activity: 'Stairs', score: 6 }] } },
      { instrument: 'psfs', local_date: '2026-10-30', score: 3.5, answers: { activities: [{ activity: 'Walking', score: 3 }, { activity: 'Stairs', score: 4 }] } },
      { instrument: 'phq2', local_date: '2026-11-20', score: 3, answers: { interest: 2, mood: 1 } },
      { instrument: 'gad2', local_date: '2026-11-20', score: 1, answers: { nervous: 1, worry: 0 } },
      { instrument: 'pgic', local_date: '2026-11-20', score: 6, answers: { change: 6 } },
    ],
    tests: [
      { kind: 'chair_stand_30s', value: 8, unit: 'repetitions', local_date: '2026-10-01' },
      { kind: 'chair_stand_30s', value: 11, unit: 'repetitions', local_date: '2026-11-20' },
      { kind: 'timed_up_and_go', value: 12.4, local_date: '2026-11-20' },
      { kind: 'timed_up_and_go', value: 10.2, local_date: '2026-11-27' },
      { kind: 'six_minute_walk', value: 410, unit: 'metres', local_date: '2026-11-20' },
      { kind: 'six_minute_walk', value: 400, unit: 'metres', local_date: '2026-11-21' },
    ],
  });
  assert.deepEqual(rows.map((r) => [r.key, r.value, r.date]), [
    ['psfs', 6.5, '2026-11-20'], ['peg', 5.33, '2026-11-20'], ['phq2', 3, '2026-11-20'], ['gad2', 1, '2026-11-20'],
    ['pgic', 6, '2026-11-20'], ['chair_stand_30s', 11, '2026-11-20'], ['timed_up_and_go', 10.2, '2026-11-27'],
    ['six_minute_walk', 400, '2026-11-21'],
  ]);
  assert.deepEqual(rows[0].change, { value: 3, label: 'improved', since: '2026-10-30', words: 'a real change for the better' });
  assert.equal(rows[1].change, null);
  assert.equal(rows[2].flag, true);
  assert.match(rows[2].note, /talk to your care team.*This is not a diagnosis/);
  assert.equal(rows[3].note, null);
  assert.match(rows[4].note, /^Better, and a definite improvement/);
  assert.deepEqual([rows[6].name, rows[6].unit, rows[6].flag, rows[6].note], ['Timed up-and-go', 'seconds', false, null]);
  const slow = latestScores({ tests: [{ kind: 'timed_up_and_go', value: 12, local_date: '2026-11-20' }] });
  assert.equal(slow[0].flag, true);
  assert.match(slow[0].note, /12 seconds or longer suggests a higher risk of falling.*This is not a diagnosis \(CDC STEADI\)/);
});

test('care-team notes newest first, with author and role', () => {
  const notes = careNotes([
    { id: '1', kind: 'plan', text: 'Keep the quota.', author_name: 'Cleo', author_role: 'physiotherapist', created_at: '2026-11-01T12:00:00Z' },
    { id: '2', kind: 'progress', text: 'Walking is up.', author_name: 'Cleo', author_role: 'other', created_at: '2026-11-20T12:00:00Z' },
  ]);
  assert.deepEqual(notes.map((n) => [n.kind, n.role, n.date, n.text]), [
    ['Progress', 'Care team', '2026-11-20', 'Walking is up.'], ['Plan', 'Physiotherapist', '2026-11-01', 'Keep the quota.']]);
});
