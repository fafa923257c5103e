import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  ROUTINE_AREAS, ROUTINE_SUGGESTIONS, SUGGESTION_SOURCES, TREATMENT_KINDS, authorNote, hasRoutine,
  isDay, reviewDue, sortDecisions, statusChange, toggleDate, validateDecision, validateRoutine,
  validateTreatment, weekOf, weekTicks,
} from '../../app/static/js/plan-records.js';
import { TOPICS } from '../../app/static/js/screens/learn.js';

// -- routines -----------------------------------------------------------------------------

test('ticking a day adds it once, sorted; ticking it again takes it away', () => {
  assert.deepEqual(toggleDate(undefined, '2026-11-27'), ['2026-11-27']);
  assert.deepEqual(toggleDate(['2026-11-28', '2026-11-25'], '2026-11-27'), ['2026-11-25', '2026-11-27', '2026-11-28']);
  assert.deepEqual(toggleDate(['2026-11-25', '2026-11-27'], '2026-11-27'), ['2026-11-25']);
  assert.deepEqual(toggleDate(['2026-11-27', '2026-11-27'], '2026-11-27'), []);
});

test('the week runs Monday to Sunday around today, across a month and a year', () => {
  // Friday 27 November 2026.
  assert.deepEqual(weekOf('2026-11-27'), ['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26',
    '2026-11-27', '2026-11-28', '2026-11-29']);
  assert.deepEqual(weekOf('2026-11-23')[0], '2026-11-23'); // a Monday starts its own week
  assert.deepEqual(weekOf('2026-11-29')[0], '2026-11-23'); // a Sunday ends it
  assert.deepEqual(weekOf('2027-01-01'), ['2026-12-28', '2026-12-29', '2026-12-30', '2026-12-31',
    '2027-01-01', '2027-01-02', '2027-01-03']);
});

test("this week's ticks: done days up to today, planned days of the week, last week ignored", () => {
  const routine = { days: [0, 2, 4], done_dates: ['2026-11-20', '2026-11-23', '2026-11-25', '2026-11-26'] };
  const week = weekTicks(routine, '2026-11-27');
  assert.deepEqual(week.days.map((d) => d.done), [true, false, true, true, false, false, false]);
  assert.deepEqual(week.days.map((d) => d.planned), [true, false, true, false, true, false, false]);
  assert.deepEqual(week.days.map((d) => d.future), [false, false, false, false, false, true, true]);
  assert.equal(week.doneCount, 3); // an unplanned day ticked still counts as done
  assert.equal(week.plannedCount, 3);
  assert.equal(weekTicks({ title: 'x' }, '2026-11-27').plannedCount, 7); // no days: every day
});

test('a routine needs a name and at least one day; days are cleaned and sorted', () => {
  assert.deepEqual(validateRoutine({ title: '  Stretch  ', area: 'home', days: [4, 0, 4] }),
    { errors: {}, fields: { title: 'Stretch', area: 'home', days: [0, 4] } });
  const bad = validateRoutine({ title: ' ', area: 'garden', days: [] });
  assert.equal(bad.fields, null);
  assert.deepEqual(Object.keys(bad.errors).sort(), ['area', 'days', 'title']);
  assert.equal(validateRoutine({ title: 'x'.repeat(201), days: [1] }).fields, null);
  assert.equal(validateRoutine({ title: 'Walk', days: [1] }).fields.area, 'other');
});

test('suggestions are valid routines, each with a known source; a picked one is recognised', () => {
  assert.ok(ROUTINE_SUGGESTIONS.length >= 8);
  for (const suggestion of ROUTINE_SUGGESTIONS) {
    assert.deepEqual(validateRoutine(suggestion).errors, {}, suggestion.title);
    assert.ok(suggestion.area in ROUTINE_AREAS);
    assert.ok(SUGGESTION_SOURCES[suggestion.source], suggestion.title);
  }
  const areas = new Set(ROUTINE_SUGGESTIONS.map((s) => s.area));
  for (const area of ['sleep', 'work', 'home', 'energy', 'nutrition']) assert.ok(areas.has(area), area);
  assert.ok(hasRoutine([{ title: 'No screens in bed' }], ' no SCREENS in bed '));
  assert.ok(!hasRoutine([{ title: 'No screens in bed' }], 'No screens at dinner'));
});

// -- treatments ---------------------------------------------------------------------------

const treatment = (fields = {}) => ({ kind: 'physiotherapy', title: 'Back exercises', why: '', schedule: '',
  started_on: '', stopped_on: '', status: 'active', helpfulness: null, side_effects: '', ...fields });

test('a valid treatment becomes a record with empty text as null', () => {
  const { fields, errors } = validateTreatment(treatment({ title: ' Back exercises ', helpfulness: 7, started_on: '2026-11-01' }));
  assert.deepEqual(errors, {});
  assert.deepEqual(fields, { kind: 'physiotherapy', title: 'Back exercises', why: null, schedule: null,
    started_on: '2026-11-01', stopped_on: null, status: 'active', helpfulness: 7, side_effects: null });
});

test('a treatment is refused, field by field, for each kind of bad input', () => {
  const cases = [
    [{ kind: 'surgery' }, 'kind'],
    [{ title: '   ' }, 'title'],
    [{ title: 'x'.repeat(201) }, 'title'],
    [{ schedule: 'x'.repeat(201) }, 'schedule'],
    [{ why: 'x'.repeat(2001) }, 'why'],
    [{ side_effects: 'x'.repeat(2001) }, 'side_effects'],
    [{ started_on: '2026-02-30' }, 'started_on'],
    [{ stopped_on: 'yesterday' }, 'stopped_on'],
    [{ started_on: '2026-11-10', stopped_on: '2026-11-09' }, 'stopped_on'],
    [{ status: 'finished' }, 'status'],
    [{ helpfulness: 11 }, 'helpfulness'],
    [{ helpfulness: 2.5 }, 'helpfulness'],
  ];
  for (const [change, key] of cases) {
    const { fields, errors } = validateTreatment(treatment(change));
    assert.equal(fields, null, JSON.stringify(change));
    assert.deepEqual(Object.keys(errors), [key], JSON.stringify(change));
  }
  // Edges that pass: the same start and stop day, helpfulness 0 and 10.
  for (const change of [{ started_on: '2026-11-10', stopped_on: '2026-11-10' }, { helpfulness: 0 },
    { helpfulness: 10 }, { title: 'x'.repeat(200) }]) {
    assert.deepEqual(validateTreatment(treatment(change)).errors, {}, JSON.stringify(change));
  }
  assert.equal(Object.keys(TREATMENT_KINDS).length, 10);
});

test('stopping a treatment notes the day; taking it up again clears it', () => {
  assert.deepEqual(statusChange({ status: 'active' }, 'stopped', '2026-11-27'), { status: 'stopped', stopped_on: '2026-11-27' });
  assert.deepEqual(statusChange({ status: 'active', stopped_on: '2026-11-20' }, 'stopped', '2026-11-27'), { status: 'stopped' });
  assert.deepEqual(statusChange({ status: 'active', started_on: '2026-12-01' }, 'stopped', '2026-11-27'), { status: 'stopped' });
  assert.deepEqual(statusChange({ status: 'stopped', stopped_on: '2026-11-20' }, 'active', '2026-11-27'), { status: 'active', stopped_on: null });
  assert.deepEqual(statusChange({ status: 'active' }, 'paused', '2026-11-27'), { status: 'paused' });
});

test('only real calendar days are days', () => {
  assert.ok(isDay('2024-02-29'));
  for (const bad of ['2026-02-29', '2026-13-01', '2026-1-1', '', null, '2026-11-27T00:00']) assert.ok(!isDay(bad), String(bad));
});

// -- decisions ----------------------------------------------------------------------------

const option = (name, more = {}) => ({ option: name, benefits: '', burdens: '', uncertainty: '', ...more });
const decision = (fields = {}) => ({ question: 'Try a pain clinic?', what_matters: '', choice: '', decided_on: '',
  review_on: '', options: [option('Go'), option('Wait')], ...fields });

test('a decision with two options is written with blank option slots dropped', () => {
  const { fields, errors } = validateDecision(decision({
    options: [option(' Go ', { benefits: 'Expert help', uncertainty: 'Waiting list' }), option(''), option('Wait')],
    what_matters: 'Working again',
  }), '2026-11-27');
  assert.deepEqual(errors, {});
  assert.deepEqual(fields, { question: 'Try a pain clinic?',
    options: [{ option: 'Go', benefits: 'Expert help', uncertainty: 'Waiting list' }, { option: 'Wait' }],
    what_matters: 'Working again', choice: null, decided_on: null, review_on: null });
});

test('one option is not a decision: the error sits on the slot for the second', () => {
  let result = validateDecision(decision({ options: [option('Go'), option('')] }), '2026-11-27');
  assert.equal(result.fields, null);
  assert.deepEqual(Object.keys(result.errors), ['options.1.option']);
  assert.match(result.errors['options.1.option'], /at least two options/);
  result = validateDecision(decision({ options: [option(''), option('Wait')] }), '2026-11-27');
  assert.deepEqual(Object.keys(result.errors), ['options.0.option']);
  result = validateDecision(decision({ options: [option('')] }), '2026-11-27');
  assert.deepEqual(Object.keys(result.errors), ['options.0.option']);
  result = validateDecision(decision({ options: [option('Go')] }), '2026-11-27');
  assert.deepEqual(Object.keys(result.errors), ['options.0.option']); // the only slot there is
  result = validateDecision(decision({ options: [] }), '2026-11-27');
  assert.equal(result.fields, null);
});

test('an option with text but no name, a missing question, bad dates are each refused', () => {
  const cases = [
    [{ question: ' ' }, ['question']],
    [{ options: [option('Go'), option('', { burdens: 'Cost' }), option('Wait')] }, ['options.1.option']],
    [{ options: [option('Go', { benefits: 'x'.repeat(2001) }), option('Wait')] }, ['options.0.benefits']],
    [{ options: Array.from({ length: 11 }, (_, i) => option(`O${i}`)) }, ['options']],
    [{ review_on: '2026-02-30' }, ['review_on']],
    [{ decided_on: '2026-11-20', review_on: '2026-11-19' }, ['review_on']],
    [{ choice: 'Go', review_on: '2026-11-26' }, ['review_on']], // decided today by default
  ];
  for (const [change, keys] of cases) {
    const { fields, errors } = validateDecision(decision(change), '2026-11-27');
    assert.equal(fields, null, JSON.stringify(change));
    assert.deepEqual(Object.keys(errors), keys, JSON.stringify(change));
  }
});

test('making a choice dates the decision today unless a day is given', () => {
  assert.equal(validateDecision(decision({ choice: 'Go' }), '2026-11-27').fields.decided_on, '2026-11-27');
  assert.equal(validateDecision(decision({ choice: 'Go', decided_on: '2026-11-02' }), '2026-11-27').fields.decided_on, '2026-11-02');
  assert.equal(validateDecision(decision(), '2026-11-27').fields.decided_on, null);
});

test('a decision is due for review from its review day on', () => {
  assert.ok(!reviewDue({ review_on: '2026-11-28' }, '2026-11-27'));
  assert.ok(reviewDue({ review_on: '2026-11-27' }, '2026-11-27'));
  assert.ok(reviewDue({ review_on: '2026-11-01' }, '2026-11-27'));
  assert.ok(!reviewDue({}, '2026-11-27'));
  const sorted = sortDecisions([
    { id: 'old', created_at: '2026-01-01' }, { id: 'new', created_at: '2026-11-01' },
    { id: 'due', created_at: '2025-01-01', review_on: '2026-11-27' }], '2026-11-27');
  assert.deepEqual(sorted.map((d) => d.id), ['due', 'new', 'old']);
});

test("the patient's own decisions carry no note; a clinician's says who, in a visit", () => {
  assert.equal(authorNote({ author_role: 'patient' }), null);
  assert.equal(authorNote({}), null);
  assert.equal(authorNote({ author_role: 'physiotherapist' }), 'Written with your physiotherapist in a visit');
  assert.equal(authorNote({ author_role: 'clinician' }), 'Written with your clinician in a visit');
  assert.equal(authorNote({ author_role: 'something_new' }), 'Written with your clinician in a visit');
});

// -- learn --------------------------------------------------------------------------------

const words = (topic) => [topic.summary, ...topic.body.flat()].join(' ').split(/\s+/).filter(Boolean).length;

test('each Learn page is 150–300 words, names its sources, and has a unique address', () => {
  assert.deepEqual(TOPICS.map((t) => t.slug), ['hurt-versus-harm', 'pacing', 'flare-ups', 'sleep', 'staying-active']);
  for (const topic of TOPICS) {
    const count = words(topic);
    assert.ok(count >= 150 && count <= 300, `${topic.slug}: ${count} words`);
    assert.ok(topic.sources.length >= 2, topic.slug);
    assert.ok(topic.sources.every((s) => /\d{4}/.test(s)), `${topic.slug}: each source has a year`);
  }
  const pacing = TOPICS.find((t) => t.slug === 'pacing').body.flat().join(' ');
  assert.match(pacing, /stop at the quota, not at the pain/i);
  const flares = TOPICS.find((t) => t.slug === 'flare-ups').body.flat().join(' ');
  assert.match(flares, /settles within an hour/);
});
