import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  ALL_INSTRUMENTS, PERFORMANCE_TESTS, announceEvery, careTeamPrompts, checkAnswers, checkPsfs,
  checkTestValue, clock, countdown, countdownMessage, dueInstruments, enabledFromCache,
  fallRisk, instrumentStatus, latestTests, needsCareTeamPrompt, parseInstruments,
  psfsRealChange, psfsRows, stopwatch,
} from '../../app/static/js/checkup-data.js';
import { PROMPTS } from '../../app/static/js/rules/instruments.js';

const today = '2026-11-27';
const response = (instrument, localDate, fields = {}) => ({
  instrument, local_date: localDate, created_at: `${localDate}T09:00:00Z`, ...fields,
});

test('the instruments come from the server answer, in canonical order, all when never fetched', () => {
  assert.deepEqual(parseInstruments({ instruments: ['pgic', 'psfs', 'phq2'] }), ['psfs', 'phq2', 'pgic']);
  assert.deepEqual(parseInstruments({ instruments: ['psfs', 'bpi'] }), ['psfs'], 'unknown names are ignored');
  assert.equal(parseInstruments({ error: 'not_signed_in' }), null);
  assert.equal(parseInstruments(null), null);
  assert.deepEqual(enabledFromCache(null), ALL_INSTRUMENTS);
  assert.deepEqual(enabledFromCache('{not json'), ALL_INSTRUMENTS);
  assert.deepEqual(enabledFromCache(JSON.stringify({ instruments: ['psfs', 'phq2', 'gad2', 'pgic'] })),
    ['psfs', 'phq2', 'gad2', 'pgic'], 'an instance without PEG never shows it, offline too');
  assert.deepEqual(ALL_INSTRUMENTS, ['peg', 'psfs', 'phq2', 'gad2', 'pgic']);
});

test('a questionnaire is due when never answered or when its interval has passed', () => {
  const enabled = ['peg', 'psfs', 'phq2', 'gad2', 'pgic'];
  assert.deepEqual(dueInstruments({ enabled, responses: [], today }), ['peg', 'psfs', 'phq2', 'gad2'],
    'PGIC asks about change since the plan began, so not at the start');
  const responses = [
    response('peg', '2026-11-21'), // 6 days ago: not yet (weekly)
    response('psfs', '2026-11-13'), // 14 days ago: due (fortnightly)
    response('phq2', '2026-11-14'), // 13 days ago: not yet
    response('gad2', '2026-11-05'),
    response('gad2', '2026-11-20'), // the latest counts
  ];
  assert.deepEqual(dueInstruments({ enabled, responses, today }), ['psfs']);
  assert.deepEqual(dueInstruments({ enabled, responses, today: '2026-11-28' }), ['peg', 'psfs', 'phq2'],
    'one day later PEG and PHQ-2 are due too');
  assert.deepEqual(dueInstruments({ enabled: ['psfs', 'phq2'], responses, today: '2026-11-28' }), ['psfs', 'phq2'],
    'an instrument switched off is never due');
});

test('PGIC is first due four weeks after the first answer of any questionnaire', () => {
  const enabled = ['pgic'];
  assert.deepEqual(dueInstruments({ enabled, responses: [response('psfs', '2026-10-31')], today }), [],
    '27 days after the first answer');
  assert.deepEqual(dueInstruments({ enabled, responses: [response('psfs', '2026-10-30')], today }), ['pgic']);
  assert.deepEqual(dueInstruments({ enabled, today,
    responses: [response('psfs', '2026-09-01'), response('pgic', '2026-11-01')] }), [], 'answered 26 days ago');
});

test('status lists the latest and the previous response of each enabled instrument', () => {
  const [peg] = instrumentStatus({ enabled: ['peg'], today, responses: [
    response('peg', '2026-11-20', { score: 5, created_at: '2026-11-20T08:00:00Z' }),
    response('peg', '2026-11-20', { score: 4, created_at: '2026-11-20T18:00:00Z' }),
    response('peg', '2026-11-01', { score: 7 }),
  ] });
  assert.equal(peg.latest.score, 4, 'a later answer on the same day is the latest');
  assert.equal(peg.previous.score, 5);
  assert.equal(peg.due, true, '7 days after the latest');
});

test('PHQ-2 or GAD-2 of 3 or more brings the gentle care-team prompt; under 3 does not', () => {
  assert.equal(needsCareTeamPrompt('phq2', 3), true);
  assert.equal(needsCareTeamPrompt('phq2', 2), false);
  assert.equal(needsCareTeamPrompt('gad2', 6), true);
  assert.equal(needsCareTeamPrompt('peg', 9), false, 'PEG is not a screen');
  assert.equal(needsCareTeamPrompt('phq2', null), false, 'no score, no prompt');

  const prompts = careTeamPrompts([
    response('phq2', '2026-11-20', { score: 4 }),
    response('gad2', '2026-11-01', { score: 5 }),
    response('gad2', '2026-11-20', { score: 1 }), // a later GAD-2 under 3 retires its prompt
  ]);
  assert.deepEqual(prompts.map((p) => [p.instrument, p.score]), [['phq2', 4]]);
  assert.equal(prompts[0].text, PROMPTS.phq2);
  assert.match(prompts[0].text, /not a diagnosis/);
  assert.deepEqual(careTeamPrompts([]), []);
});

test('answers are checked item by item: missing and out-of-range answers are named', () => {
  assert.deepEqual(checkAnswers('phq2', { interest: 2, mood: 1 }), { answers: { interest: 2, mood: 1 } });
  const missing = checkAnswers('phq2', { interest: 2 });
  assert.deepEqual(Object.keys(missing.errors), ['mood']);
  assert.match(missing.errors.mood, /Feeling down/);
  const out = checkAnswers('gad2', { nervous: 4, worry: 1.5 });
  assert.match(out.errors.nervous, /4 is not an answer here: choose 0 to 3/);
  assert.match(out.errors.worry, /1\.5 is not an answer/);
  assert.match(checkAnswers('pgic', { change: 0 }).errors.change, /choose 1 to 7/);
  assert.deepEqual(checkAnswers('pgic', { change: 7 }), { answers: { change: 7 } });
  assert.equal(Object.keys(checkAnswers('peg', {}).errors).length, 3);
  assert.match(checkAnswers('peg', { pain: 11, enjoyment: 0, activity: 10 }).errors.pain, /choose 0 to 10/);
});

test('PSFS re-rating keeps the latest activities and checks names and ratings', () => {
  const rows = psfsRows({ answers: { activities: [{ activity: 'Walking', score: 3 }, { activity: 'Gardening', score: 5 }] } });
  assert.deepEqual(rows.map((r) => [r.activity, r.score, r.earlier, r.fixed]),
    [['Walking', null, 3, true], ['Gardening', null, 5, true]], 'shown unrated, with the earlier rating');
  assert.deepEqual(psfsRows(null), []);

  const unrated = checkPsfs(rows);
  assert.deepEqual(unrated.errors[0], { field: 'score', text: 'Rate “Walking” from 0 to 10.' });
  const ok = checkPsfs([{ activity: ' Walking ', score: 6 }, { activity: 'Gardening', score: 5 },
    { activity: 'Lifting my grandson', score: 2 }]);
  assert.deepEqual(ok.answers.activities.map((a) => a.activity), ['Walking', 'Gardening', 'Lifting my grandson']);

  const bad = checkPsfs([{ activity: 'Walking', score: 6 }, { activity: '  walking', score: 2 },
    { activity: '', score: 1 }, { activity: 'Cooking', score: 11 }]);
  assert.equal(bad.errors[1].field, 'activity');
  assert.match(bad.errors[1].text, /already on the list/);
  assert.deepEqual(bad.errors[2], { field: 'activity', text: 'Name the activity.' });
  assert.match(bad.errors[3].text, /11 is not a rating/);
  assert.equal(bad.answers, undefined, 'nothing to save');
  const six = Array.from({ length: 6 }, (_, i) => ({ activity: `A${i}`, score: 5 }));
  assert.match(checkPsfs(six).error, /At most 5/);
  assert.match(checkPsfs([]).error, /at least one/);
});

test('PSFS real change compares the latest response with the one before', () => {
  const responses = [
    response('psfs', '2026-11-01', { answers: { activities: [{ activity: 'Walking', score: 3 }, { activity: 'Gardening', score: 5 }] } }),
    response('psfs', '2026-11-27', { answers: { activities: [{ activity: 'walking', score: 6 }, { activity: 'Gardening', score: 6 }] } }),
  ];
  const change = psfsRealChange(responses);
  assert.equal(change.since, '2026-11-01');
  assert.equal(change.mean_change, 2);
  assert.equal(change.label, 'improved', 'a mean change of 2 is the minimal detectable change');
  assert.deepEqual(change.activities.map((a) => a.label), ['improved', 'no real change']);
  assert.equal(psfsRealChange(responses.slice(0, 1)), null, 'one response: nothing to compare');
});

test('test results are checked: non-numbers and out-of-range values are refused', () => {
  assert.deepEqual(checkTestValue('chair_stand_30s', '12'), { value: 12 });
  assert.deepEqual(checkTestValue('chair_stand_30s', '0'), { value: 0 }, 'using the arms records 0');
  assert.match(checkTestValue('chair_stand_30s', '75').error, /75 is outside 0–60/);
  assert.match(checkTestValue('chair_stand_30s', '12.5').error, /not a whole number/);
  assert.match(checkTestValue('chair_stand_30s', '').error, /Enter the stands in 30 seconds/);
  assert.match(checkTestValue('timed_up_and_go', 'abc').error, /“abc” is not a number/);
  assert.match(checkTestValue('timed_up_and_go', '12s').error, /not a number/);
  assert.match(checkTestValue('timed_up_and_go', '-3').error, /outside 1–600/);
  assert.deepEqual(checkTestValue('timed_up_and_go', '9,46'), { value: 9.5 }, 'decimal comma, one decimal kept');
  assert.deepEqual(checkTestValue('six_minute_walk', ' 380 '), { value: 380 });
  assert.match(checkTestValue('six_minute_walk', '5000').error, /outside 1–1500 metres/);
});

test('a timed up-and-go of 12 seconds or more is a fall-risk flag; other tests never are', () => {
  assert.equal(fallRisk('timed_up_and_go', 11.9), false);
  assert.equal(fallRisk('timed_up_and_go', 12), true);
  assert.equal(fallRisk('timed_up_and_go', 20.5), true);
  assert.equal(fallRisk('chair_stand_30s', 12), false);
  assert.equal(fallRisk('six_minute_walk', 300), false);
  assert.equal(fallRisk('timed_up_and_go', null), false);
});

test('every test has a safety screen with its source, and a result unit of the wire', () => {
  for (const test of Object.values(PERFORMANCE_TESTS)) {
    assert.ok(test.safety.length >= 3, test.kind);
    assert.ok(test.safety.some((point) => /stop at once/i.test(point)), `${test.kind} says when to stop`);
    assert.ok(test.source.length > 20, test.kind);
  }
  assert.match(PERFORMANCE_TESTS.chair_stand_30s.source, /STEADI/);
  assert.match(PERFORMANCE_TESTS.timed_up_and_go.source, /STEADI/);
  assert.match(PERFORMANCE_TESTS.six_minute_walk.source, /ATS statement.*2002/);
  assert.equal(PERFORMANCE_TESTS.chair_stand_30s.seconds, 30);
  assert.equal(PERFORMANCE_TESTS.six_minute_walk.seconds, 360);
});

test('the latest result of each test kind', () => {
  const latest = latestTests([
    { kind: 'timed_up_and_go', local_date: '2026-11-01', value: 14 },
    { kind: 'timed_up_and_go', local_date: '2026-11-20', value: 11 },
    { kind: 'chair_stand_30s', local_date: '2026-11-02', value: 9 },
  ]);
  assert.equal(latest.timed_up_and_go.value, 11);
  assert.equal(latest.chair_stand_30s.value, 9);
  assert.equal(latest.six_minute_walk, undefined);
});

const start = Date.parse('2026-11-27T09:00:00.000Z');

test('a countdown is computed from its start time, so a locked phone loses nothing', () => {
  assert.deepEqual(countdown({ startedAt: start, now: start, seconds: 30 }),
    { elapsedMs: 0, remaining: 30, leftMs: 30000, done: false });
  const mid = countdown({ startedAt: start, now: start + 12_300, seconds: 30 });
  assert.equal(mid.remaining, 18, 'whole seconds left, rounded up');
  assert.equal(mid.done, false);
  // The page slept for four minutes of a six-minute walk: the reading is still right.
  assert.equal(countdown({ startedAt: start, now: start + 240_000, seconds: 360 }).remaining, 120);
  const over = countdown({ startedAt: start, now: start + 45_000, seconds: 30 });
  assert.equal(over.remaining, 0);
  assert.equal(over.done, true);
  assert.equal(countdown({ startedAt: start, now: start - 5000, seconds: 30 }).remaining, 30,
    'a clock set back never gives more than the full time');
});

test('the stopwatch reads tenths, cut and never rounded up', () => {
  assert.equal(stopwatch({ startedAt: start, now: start + 9_460 }), 9.4);
  assert.equal(stopwatch({ startedAt: start, now: start + 12_000 }), 12);
  assert.equal(stopwatch({ startedAt: start, now: start - 100 }), 0);
  assert.equal(clock(30), '0:30');
  assert.equal(clock(359.2), '6:00');
  assert.equal(clock(65), '1:05');
});

test('a screen reader hears the countdown at the start, every 10 s (every minute when long) and the end', () => {
  const heard = [];
  for (let remaining = 30; remaining >= 0; remaining -= 1) {
    const message = countdownMessage({ remaining, total: 30, every: announceEvery(30) });
    if (message) heard.push(message);
  }
  assert.deepEqual(heard, ['Started: 30 seconds to go.', '20 seconds left.', '10 seconds left.',
    'Time is up. Stop now.']);
  const long = [];
  for (let remaining = 360; remaining >= 0; remaining -= 1) {
    const message = countdownMessage({ remaining, total: 360, every: announceEvery(360) });
    if (message) long.push(message);
  }
  assert.equal(long.length, 7, 'start, 5 minute marks, end — not 360 messages');
  assert.equal(long[0], 'Started: 6 minutes to go.');
  assert.equal(long[1], '5 minutes left.');
  assert.equal(long[5], '1 minute left.');
});
