// The plan builder's rules (app/static/js/builder-rules.js): what a person typed becomes a
// complete record or messages by field, never half of one; which steps are done.
// Run with `node --test tests/js/`.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  blankGoalForm, goalFromForm, goalToForm, latestPsfs, parseNumber, planProgress,
  psfsFromForm, reviewReminderFromForm, trialCount, valueFromForm,
} from '../../app/static/js/builder-rules.js';

const START = '2026-03-01';

const goodGoal = (over = {}) => blankGoalForm({
  title: ' Walk to the park ', value_ids: ['v1'], why: 'See my grandchildren play',
  measure: 'minutes of walking', unit: 'minutes', baseline: '5', target: '20',
  target_date: '2026-06-01', ability_baseline: 3,
  steps: [{ title: 'Walk to the corner', target: '8', due_date: '2026-03-15', done: false }],
  barriers: [{ barrier: 'Rain', plan: 'Walk in the mall' }],
  contingency: 'Walk half as far', review_every_days: '7', ...over,
});

describe('parseNumber', () => {
  test('reads empty, numbers with a comma, and junk', () => {
    assert.equal(parseNumber(''), null);
    assert.equal(parseNumber('  '), null);
    assert.equal(parseNumber('2,5'), 2.5);
    assert.equal(parseNumber(7), 7);
    assert.ok(Number.isNaN(parseNumber('ten')));
  });
});

describe('valueFromForm', () => {
  test('a suggestion with an importance is a complete value', () => {
    assert.deepEqual(valueFromForm({ title: ' Family ', description: '', importance: 8 }), {
      problems: {}, fields: { title: 'Family', description: null, importance: 8 },
    });
  });

  test('an empty title, a long title and an importance out of range are explained', () => {
    assert.match(valueFromForm({ title: '  ', importance: null }).problems.title, /what matters/);
    assert.match(valueFromForm({ title: 'x'.repeat(81) }).problems.title, /under 80/);
    assert.equal(valueFromForm({ title: 'Work', importance: 11 }).problems.importance,
      'Importance: 11 is outside 0–10.');
    assert.equal(valueFromForm({ title: 'Work', importance: 2.5 }).problems.importance,
      'Importance: 2.5 is not a whole number.');
  });
});

describe('psfsFromForm', () => {
  test('named and rated activities become the answers of design §3', () => {
    const { problems, answers } = psfsFromForm([
      { activity: ' Walk to the park ', score: 3 }, { activity: 'Cook a meal', score: 0 }]);
    assert.deepEqual(problems, {});
    assert.deepEqual(answers, { activities: [
      { activity: 'Walk to the park', score: 3 }, { activity: 'Cook a meal', score: 0 }] });
  });

  test('an empty name, a missing rating and a rating out of range are explained by row', () => {
    const { problems } = psfsFromForm([
      { activity: '', score: 4 }, { activity: 'Cook', score: null }, { activity: 'Lift', score: 11 },
      { activity: 'Sit', score: -1 }]);
    assert.deepEqual(Object.keys(problems).sort(), ['activities[0].activity',
      'activities[1].score', 'activities[2].score', 'activities[3].score']);
    assert.equal(problems['activities[0].activity'], 'Name activity 1, or remove it.');
    assert.match(problems['activities[2].score'], /11 is outside 0–10/);
    assert.match(problems['activities[3].score'], /-1 is outside 0–10/);
  });

  test('more than five activities, none, or the same one twice are refused', () => {
    const six = Array.from({ length: 6 }, (_, i) => ({ activity: `A${i}`, score: 5 }));
    assert.match(psfsFromForm(six).problems.activities, /up to 5 activities; you have 6/);
    assert.match(psfsFromForm([]).problems.activities, /at least one/);
    assert.match(psfsFromForm([{ activity: 'Walk', score: 1 }, { activity: ' walk ', score: 2 }])
      .problems['activities[1].activity'], /already on the list/);
  });
});

describe('goalFromForm', () => {
  test('a complete goal becomes a record with the field names of design §3', () => {
    const { problems, fields } = goalFromForm(goodGoal(), { start: START });
    assert.deepEqual(problems, {});
    assert.deepEqual(fields, {
      title: 'Walk to the park', value_ids: ['v1'], why: 'See my grandchildren play',
      measure: 'minutes of walking', unit: 'minutes', baseline: 5, target: 20,
      target_date: '2026-06-01', ability_baseline: 3,
      steps: [{ title: 'Walk to the corner', target: 8, due_date: '2026-03-15', done: false }],
      barriers: [{ barrier: 'Rain', plan: 'Walk in the mall' }],
      contingency: 'Walk half as far', review_every_days: 7, gas_levels: null, gas_weight: null,
    });
  });

  test('an empty title and a target equal to the baseline are explained', () => {
    const { problems } = goalFromForm(goodGoal({ title: ' ', target: '5' }), { start: START });
    assert.equal(problems.title, 'Give the goal a title: a task you want to be able to do.');
    assert.equal(problems.target,
      'The target is the same as the baseline (5): choose where you want to get to.');
  });

  test('a step due before the start or after the target date is explained', () => {
    const before = goalFromForm(goodGoal({ steps: [{ title: 'Corner', due_date: '2026-02-27' }] }),
      { start: START });
    assert.equal(before.problems['steps[0].due_date'],
      'Step 1 is due on 2026-02-27, before the start, 2026-03-01.');
    const after = goalFromForm(goodGoal({ steps: [{ title: 'A', due_date: '2026-03-02' },
      { title: 'Corner', due_date: '2026-07-01' }] }), { start: START });
    assert.deepEqual(Object.keys(after.problems), ['steps[1].due_date']);
    assert.match(after.problems['steps[1].due_date'], /after the target date, 2026-06-01/);
  });

  test('a target date before the start and a date that does not exist are explained', () => {
    assert.match(goalFromForm(goodGoal({ target_date: '2026-02-01', steps: [] }), { start: START })
      .problems.target_date, /before the start/);
    assert.match(goalFromForm(goodGoal({ target_date: '2026-02-30' }), { start: START })
      .problems.target_date, /not a date/);
  });

  test('numbers out of range or not numbers are explained by field', () => {
    const { problems } = goalFromForm(goodGoal({ baseline: 'lots', review_every_days: '0',
      ability_baseline: 12, gas_levels: ['a', 'b', 'c', 'd', 'e'], gas_weight: '150',
      steps: [{ title: 'Corner', target: '2000000' }] }), { start: START });
    assert.equal(problems.baseline, 'Where you are now: “lots” is not a number.');
    assert.equal(problems.review_every_days, 'Review every … days: 0 is outside 1–365.');
    assert.equal(problems.ability_baseline, 'How well you can do it now: 12 is outside 0–10.');
    assert.equal(problems.gas_weight, 'Weight: 150 is outside 0–100.');
    assert.match(problems['steps[0].target'], /outside −1,000,000 to 1,000,000/);
    assert.equal(problems.target, undefined);
  });

  test('steps need a title, barriers need a name and a plan', () => {
    const { problems } = goalFromForm(goodGoal({ steps: [{ title: '', due_date: '2026-03-10' }],
      barriers: [{ barrier: 'Rain', plan: '' }, { barrier: '', plan: 'Rest' }] }), { start: START });
    assert.equal(problems['steps[0].title'], 'Give step 1 a title.');
    assert.match(problems['barriers[0].plan'], /barrier 1 gets in the way/);
    assert.equal(problems['barriers[1].barrier'], 'Name barrier 2, or remove it.');
  });

  test('Goal Attainment Scaling needs all five levels once one is written', () => {
    const some = goalFromForm(goodGoal({ gas_levels: ['', '', 'Walk 20 min', '', ''] }), { start: START });
    assert.match(some.problems.gas_levels, /all five levels/);
    const all = goalFromForm(goodGoal({ gas_levels: ['0', '10', '20', '25', '30'], gas_weight: '2' }),
      { start: START });
    assert.deepEqual(all.problems, {});
    assert.deepEqual([all.fields.gas_levels, all.fields.gas_weight], [['0', '10', '20', '25', '30'], 2]);
  });

  test('a stored goal read into the form and back is unchanged', () => {
    const { fields } = goalFromForm(goodGoal({ gas_levels: ['0', '10', '20', '25', '30'],
      gas_weight: '1' }), { start: START });
    const again = goalFromForm(goalToForm(fields), { start: START });
    assert.deepEqual(again, { problems: {}, fields });
  });
});

describe('reviewReminderFromForm', () => {
  test('a time and days make a review reminder; bad ones are explained', () => {
    assert.deepEqual(reviewReminderFromForm({ time: '18:00', days: [6, 2, 6] }), { problems: {},
      fields: { kind: 'review', time: '18:00', days: [2, 6], message: null, enabled: true } });
    const bad = reviewReminderFromForm({ time: '25:00', days: [] });
    assert.match(bad.problems.time, /not a time/);
    assert.equal(bad.problems.days, 'Choose at least one day.');
  });
});

describe('planProgress', () => {
  test('a new person starts at the first step', () => {
    const progress = planProgress({});
    assert.equal(progress.current, 'values');
    assert.equal(progress.values, false);
  });

  test('the first step not done is where the builder resumes', () => {
    const progress = planProgress({
      value: [{ title: 'Family' }],
      outcome_response: [{ instrument: 'psfs', local_date: '2026-03-01' }],
      goal: [{ title: 'Walk' }],
    });
    assert.deepEqual([progress.values, progress.psfs, progress.goals, progress.baseline],
      [true, true, true, false]);
    assert.equal(progress.current, 'baseline');
  });

  test('pacing is done after trials on three separate days, or with a quota', () => {
    const trial = (startedAt) => ({ kind: 'trial', started_at: startedAt });
    const twoDays = [trial('2026-03-01T08:00:00Z'), trial('2026-03-01T18:00:00Z'),
      trial('2026-03-02T08:00:00Z')];
    assert.deepEqual(trialCount(twoDays), { sessions: 3, days: 2 });
    assert.equal(planProgress({ pacing_session: twoDays }).pacing, false);
    assert.equal(planProgress({ pacing_session: [...twoDays, trial('2026-03-04T08:00:00Z')] })
      .pacing, true);
    assert.equal(planProgress({ pacing_plan: [{ quota: 10 }] }).pacing, true);
  });

  test('everything done leaves the builder on the last step', () => {
    const progress = planProgress({
      value: [{}], goal: [{}], flare_plan: [{}], performance_test: [{}],
      outcome_response: [{ instrument: 'psfs' }], pacing_plan: [{ quota: 5 }],
      reminder: [{ kind: 'review', enabled: true }],
    });
    assert.equal(progress.current, 'review');
    assert.ok(['values', 'psfs', 'goals', 'baseline', 'pacing', 'flare', 'review']
      .every((key) => progress[key]));
  });

  test('the newest PSFS is the latest day, then the latest made', () => {
    const older = { instrument: 'psfs', local_date: '2026-03-01', created_at: '2026-03-01T09:00:00Z' };
    const newer = { instrument: 'psfs', local_date: '2026-03-01', created_at: '2026-03-01T10:00:00Z' };
    assert.equal(latestPsfs([older, newer, { instrument: 'peg', local_date: '2026-04-01' }]), newer);
    assert.equal(latestPsfs([]), null);
  });
});
