// Questionnaires and performance tests (design §5): which questionnaires are on and due,
// the care-team prompt after PHQ-2 or GAD-2, the checks on answers and test results, the
// fall-risk flag of the timed up-and-go, and the timer arithmetic. Pure functions, so that
// node's test runner checks them (tests/js/checkup.test.mjs); the screen is screens/checkup.js.

import { localDate, parseLocalDate } from './dates.js';
import { INSTRUMENTS, PROMPTS } from './rules/instruments.js';
import { activityKey, psfsChange } from './rules/outcomes.js';
import { PSFS_MAX_ACTIVITIES, SCREEN_THRESHOLD } from './rules/scoring.js';

export const ALL_INSTRUMENTS = Object.keys(INSTRUMENTS);
export const INSTRUMENTS_CACHE_KEY = 'pacewise-instruments';

// How often each questionnaire is offered again. PEG asks about the past week, PHQ-2 and
// GAD-2 about the last two weeks; PSFS is re-rated fortnightly; PGIC asks about change
// since the plan began, so it is first offered four weeks after the first answer of any.
export const DUE_EVERY_DAYS = { peg: 7, psfs: 14, phq2: 14, gad2: 14, pgic: 28 };
export const PGIC_FIRST_AFTER_DAYS = 28;

const DAY_MS = 86400000;
const daysBetween = (from, to) => Math.round((parseLocalDate(to) - parseLocalDate(from)) / DAY_MS);

// --- which instruments -----------------------------------------------------------------

/**
 * The instrument ids of a `GET /api/v1/instruments` answer, in canonical order, or null
 * when the answer is not one (so that a broken answer never hides every questionnaire).
 */
export function parseInstruments(answer) {
  const list = answer?.instruments;
  if (!Array.isArray(list)) return null;
  const on = new Set(list);
  return ALL_INSTRUMENTS.filter((id) => on.has(id));
}

/** The instruments to offer from the cached answer (text); all of them when never fetched. */
export function enabledFromCache(text) {
  if (text === null || text === undefined) return [...ALL_INSTRUMENTS];
  try {
    return parseInstruments(JSON.parse(text)) ?? [...ALL_INSTRUMENTS];
  } catch {
    return [...ALL_INSTRUMENTS];
  }
}

// --- latest answers and what is due ----------------------------------------------------

/** Newest first: by day, then by when the record was made. */
export const newestFirst = (a, b) => String(b.local_date ?? '').localeCompare(String(a.local_date ?? ''))
  || String(b.created_at ?? '').localeCompare(String(a.created_at ?? ''));

/** The responses of one instrument, newest first. */
export function responsesOf(responses, instrument) {
  return (responses ?? []).filter((r) => r.instrument === instrument).sort(newestFirst);
}

/**
 * Each enabled instrument with its latest response (or null), whether it is due today,
 * and since when. Responses of instruments the instance switched off are ignored.
 */
export function instrumentStatus({ enabled, responses, today = localDate() }) {
  const all = responses ?? [];
  const firstDay = all.map((r) => r.local_date).filter(Boolean).sort()[0] ?? null;
  return ALL_INSTRUMENTS.filter((id) => enabled.includes(id)).map((id) => {
    const own = responsesOf(all, id);
    const latest = own[0] ?? null;
    const every = DUE_EVERY_DAYS[id];
    let due;
    if (id === 'pgic' && !latest) {
      due = firstDay !== null && daysBetween(firstDay, today) >= PGIC_FIRST_AFTER_DAYS;
    } else {
      due = !latest || daysBetween(latest.local_date, today) >= every;
    }
    return { id, latest, previous: own[1] ?? null, due, every };
  });
}

/** The ids of the enabled instruments due today. */
export function dueInstruments(args) {
  return instrumentStatus(args).filter((s) => s.due).map((s) => s.id);
}

// --- the care-team prompt (PHQ-2, GAD-2 ≥ 3) --------------------------------------------

/** Whether a score of a screening questionnaire calls for the gentle care-team prompt. */
export function needsCareTeamPrompt(instrument, score) {
  return Object.hasOwn(PROMPTS, instrument) && typeof score === 'number'
    && score >= SCREEN_THRESHOLD;
}

/**
 * The prompts to show now: one for each of PHQ-2 and GAD-2 whose latest response scored
 * 3 or more. A later response under 3 retires the prompt.
 */
export function careTeamPrompts(responses) {
  const prompts = [];
  for (const instrument of Object.keys(PROMPTS)) {
    const latest = responsesOf(responses, instrument)[0];
    if (latest && needsCareTeamPrompt(instrument, latest.score)) {
      prompts.push({ instrument, score: latest.score, local_date: latest.local_date,
        text: PROMPTS[instrument] });
    }
  }
  return prompts;
}

// --- questionnaire answers -------------------------------------------------------------

/**
 * Check the answers of a scale instrument (PEG, PHQ-2, GAD-2, PGIC) item by item:
 * `{answers}` when every item has a whole number in range, else `{errors: {key: text}}`
 * naming each missing or bad answer.
 */
export function checkAnswers(instrument, answers) {
  const errors = {};
  const valid = {};
  for (const item of INSTRUMENTS[instrument].items) {
    const value = answers?.[item.key];
    if (value === null || value === undefined || value === '') {
      errors[item.key] = `Choose an answer for “${item.text}”.`;
    } else if (!Number.isInteger(value) || value < item.min || value > item.max) {
      errors[item.key] = `${value} is not an answer here: choose ${item.min} to ${item.max}.`;
    } else {
      valid[item.key] = value;
    }
  }
  return Object.keys(errors).length ? { errors } : { answers: valid };
}

/** The PSFS rows to re-rate: the activities of the latest response, unrated. */
export function psfsRows(latest) {
  return (latest?.answers?.activities ?? []).slice(0, PSFS_MAX_ACTIVITIES)
    .map((item) => ({ activity: item.activity, score: null, earlier: item.score, fixed: true }));
}

/**
 * Check a PSFS re-rating: every row named (≤ 200 characters), named once and rated 0–10;
 * 1 to 5 rows. `{answers}`, or `{errors: {index: {field, text}}, error}` where `field` is
 * 'activity' or 'score' and `error` is about the whole list.
 */
export function checkPsfs(rows) {
  const errors = {};
  const seen = new Set();
  rows.forEach((row, index) => {
    const name = String(row.activity ?? '').trim();
    const key = activityKey(name);
    const bad = (field, text) => { errors[index] = { field, text }; };
    if (!name) bad('activity', 'Name the activity.');
    else if (name.length > 200) bad('activity', 'Keep the activity under 200 characters.');
    else if (seen.has(key)) bad('activity', `“${name}” is already on the list.`);
    else if (row.score === null || row.score === undefined) bad('score', `Rate “${name}” from 0 to 10.`);
    else if (!Number.isInteger(row.score) || row.score < 0 || row.score > 10) {
      bad('score', `${row.score} is not a rating: choose 0 to 10.`);
    }
    seen.add(key);
  });
  let error = null;
  if (rows.length === 0) error = 'Name at least one activity.';
  else if (rows.length > PSFS_MAX_ACTIVITIES) error = `At most ${PSFS_MAX_ACTIVITIES} activities.`;
  if (error || Object.keys(errors).length) return { errors, error };
  return { answers: { activities: rows.map((row) => ({ activity: String(row.activity).trim(),
    score: row.score })) } };
}

/** The "real change" of the latest PSFS against the one before, or null with fewer than two. */
export function psfsRealChange(responses) {
  const [latest, previous] = responsesOf(responses, 'psfs');
  if (!latest || !previous) return null;
  try {
    return { ...psfsChange({ before: previous.answers, after: latest.answers }),
      since: previous.local_date };
  } catch {
    return null;
  }
}

const CHANGE_WORDS = {
  improved: 'better — a real change',
  worse: 'worse — a real change',
  'no real change': 'no real change (within measurement noise)',
  'not comparable': 'not comparable (different activities)',
};

/** A change label in words a person reads. */
export const changeWords = (label) => CHANGE_WORDS[label] ?? label;

// --- performance tests -----------------------------------------------------------------

const STOP_SIGNS = 'I will stop at once if I feel chest pain, dizziness or faintness, or get very short of breath';
const STEADI_CHAIR = 'CDC STEADI: Assessment — 30-Second Chair Stand (2017); Jones CJ, Rikli RE, '
  + 'Beam WC. Res Q Exerc Sport 1999;70(2):113–119.';
const STEADI_TUG = 'CDC STEADI: Assessment — Timed Up & Go (TUG) (2017); Podsiadlo D, '
  + 'Richardson S. J Am Geriatr Soc 1991;39(2):142–148.';
const ATS_6MWT = 'ATS Committee on Proficiency Standards for Clinical Pulmonary Function '
  + 'Laboratories. ATS statement: guidelines for the six-minute walk test. Am J Respir Crit '
  + 'Care Med 2002;166(1):111–117.';

/**
 * The self-recorded tests of design §5: how each is timed, its result field and range,
 * the safety points the person confirms first, and where the wording comes from.
 */
export const PERFORMANCE_TESTS = {
  chair_stand_30s: {
    kind: 'chair_stand_30s',
    name: '30-second chair stand',
    timer: 'countdown',
    seconds: 30,
    unit: 'repetitions',
    field: 'Stands in 30 seconds',
    hint: 'Count each time you stood up fully. More than halfway up when time ran out counts.',
    low: 0,
    high: 60,
    whole: true,
    steps: [
      'Sit in the middle of the chair, feet flat on the floor, arms crossed over your chest.',
      'When the timer starts, stand up fully, then sit back down. Repeat as many times as you can in 30 seconds.',
      'Tap the big button each time you stand up fully, or let your helper tap it.',
      'If you must use your arms to stand up, stop and record 0.',
    ],
    safety: [
      'A sturdy chair without arms, its back against a wall so it cannot slide',
      'If I feel unsteady on my feet, someone is with me',
      STOP_SIGNS,
    ],
    source: STEADI_CHAIR,
  },
  timed_up_and_go: {
    kind: 'timed_up_and_go',
    name: 'Timed up-and-go',
    timer: 'stopwatch',
    seconds: null,
    unit: 'seconds',
    field: 'Time in seconds',
    hint: 'From “Go” until you sat down again, for example 9.5.',
    low: 1,
    high: 600,
    whole: false,
    steps: [
      'Sit back in a chair with arms. Mark a line on the floor 3 metres (10 feet) away.',
      'Start the stopwatch, stand up, walk at your normal pace to the line, turn, walk back and sit down.',
      'Stop the stopwatch once you are sitting. A helper can run the stopwatch for you.',
    ],
    safety: [
      'A clear, flat path of 3 metres with nothing to trip over',
      'My usual shoes on, and my walking aid if I use one',
      'If I feel unsteady on my feet, someone is with me',
      STOP_SIGNS,
    ],
    source: STEADI_TUG,
  },
  six_minute_walk: {
    kind: 'six_minute_walk',
    name: '6-minute walk',
    timer: 'countdown',
    seconds: 360,
    unit: 'metres',
    field: 'Distance walked in metres',
    hint: 'Count the laps and add the last part, for example 380.',
    low: 1,
    high: 1500,
    whole: true,
    steps: [
      'Walk back and forth along a flat path as far as you can in 6 minutes, at your own pace. Do not run or jog.',
      'You may slow down, stop and rest, and go on again; the timer keeps running.',
      'When the 6 minutes are up, stop where you are and work out the distance.',
    ],
    safety: [
      'A flat, straight, clear path (a corridor or track), ideally 30 metres long with its ends marked',
      'No chest pain at rest, and no heart attack or angina in the past month (if not, ask your clinician first)',
      'Someone is with me or knows I am doing this, and I have my walking aid if I use one',
      'I will stop at once if I get chest pain, cannot catch my breath, get leg cramps, stagger, or break out in a sweat',
    ],
    source: ATS_6MWT,
  },
};

export const TUG_FALL_RISK_SECONDS = 12;

/** The timed up-and-go's fall-risk flag of design §5 (CDC STEADI): 12 seconds or more. */
export function fallRisk(kind, value) {
  return kind === 'timed_up_and_go' && typeof value === 'number'
    && value >= TUG_FALL_RISK_SECONDS;
}

/**
 * A typed result of a test: `{value}` or `{error}` naming what is wrong with it. Accepts a
 * decimal comma ("9,5").
 */
export function checkTestValue(kind, text) {
  const test = PERFORMANCE_TESTS[kind];
  const trimmed = String(text ?? '').trim().replace(',', '.');
  if (trimmed === '') return { error: `Enter the ${test.field.toLowerCase()}.` };
  const value = /^[+-]?(\d+\.?\d*|\.\d+)$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isFinite(value)) return { error: `“${String(text).trim()}” is not a number.` };
  if (test.whole && !Number.isInteger(value)) return { error: `${trimmed} is not a whole number.` };
  if (value < test.low || value > test.high) {
    return { error: `${trimmed} is outside ${test.low}–${test.high} ${test.unit}.` };
  }
  return { value: test.whole ? value : Math.round(value * 10) / 10 };
}

/** The latest result of each test kind, newest first within kind. */
export function latestTests(tests) {
  const latest = {};
  for (const test of [...(tests ?? [])].sort(newestFirst)) {
    if (!latest[test.kind]) latest[test.kind] = test;
  }
  return latest;
}

// --- timer arithmetic ------------------------------------------------------------------
// A running test keeps only its start time; every reading is recomputed from it and the
// clock, so a locked phone or a backgrounded app loses nothing.

/** Where a countdown of `seconds` started at `startedAt` (ms) stands at `now` (ms). */
export function countdown({ startedAt, now, seconds }) {
  const elapsedMs = Math.max(0, now - startedAt);
  const leftMs = Math.max(0, seconds * 1000 - elapsedMs);
  return { elapsedMs, remaining: Math.ceil(leftMs / 1000), leftMs, done: leftMs === 0 };
}

/** A stopwatch reading in seconds with one decimal (tenths cut, never rounded up). */
export function stopwatch({ startedAt, now }) {
  return Math.floor(Math.max(0, now - startedAt) / 100) / 10;
}

/** "0:27", "5:40". */
export function clock(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function spokenLeft(seconds) {
  if (seconds % 60 === 0) return `${seconds / 60} ${seconds === 60 ? 'minute' : 'minutes'}`;
  if (seconds < 60) return `${seconds} seconds`;
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/**
 * What a screen reader hears at `remaining` whole seconds of a countdown of `total`: the
 * start, every `every` seconds, and the end; null in between, so it is not told every
 * second. The screen speaks a message once, when it first appears.
 */
export function countdownMessage({ remaining, total, every = 10 }) {
  if (remaining <= 0) return 'Time is up. Stop now.';
  if (remaining === total) return `Started: ${spokenLeft(total)} to go.`;
  if (remaining % every === 0) return `${spokenLeft(remaining)} left.`;
  return null;
}

/** How often to announce: every 10 s of a short countdown, every minute of a long one. */
export const announceEvery = (total) => (total > 60 ? 60 : 10);
