// The plan builder's pure rules: turning what a person typed into complete records (or
// into messages shown next to the fields, with nothing saved), and which of the seven
// steps are done, read from the stored records so that leaving and coming back resumes.
// No browser APIs here; tests/js/builder.test.mjs checks every rule.

import { goalProblems } from './rules/goals.js';
import { dayNumber, dayText, localDay } from './rules/numbers.js';
import { PSFS_MAX_ACTIVITIES } from './rules/scoring.js';

export const STEPS = [
  { key: 'values', title: 'What matters' },
  { key: 'psfs', title: 'What is hard now' },
  { key: 'goals', title: 'Goals' },
  { key: 'baseline', title: 'Baseline' },
  { key: 'pacing', title: 'Pacing' },
  { key: 'flare', title: 'Flare-up plan' },
  { key: 'review', title: 'Review' },
];

export const VALUE_SUGGESTIONS = ['Independence', 'Family', 'Work', 'A hobby', 'Friends',
  'Health', 'Being active outdoors', 'Helping others', 'Rest and calm'];

export const TRIAL_DAYS_NEEDED = 3;
export const MAX_STEPS = 30;
export const MAX_BARRIERS = 20;
const AMOUNT_LIMIT = 1_000_000;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

const text = (value) => String(value ?? '').trim();
const shownText = (value) => `“${String(value).trim()}”`;

/** A number typed in a field: '' is null, otherwise a finite number or NaN. */
export function parseNumber(value) {
  if (typeof value === 'number') return Number.isFinite(value) ? value : Number.NaN;
  const trimmed = text(value).replace(',', '.');
  if (trimmed === '') return null;
  const number = Number(trimmed);
  return Number.isFinite(number) ? number : Number.NaN;
}

function validDay(value) {
  if (!DAY.test(value)) return false;
  return dayText(dayNumber(value)) === value; // 2026-02-30 is not a day
}

function tooLong(problems, key, value, limit, what) {
  if (text(value).length > limit) problems[key] = `Keep ${what} under ${limit} characters.`;
}

/** An amount field: its number, or a message in `problems` under `key`. */
function amount(problems, key, raw, what) {
  const value = parseNumber(raw);
  if (Number.isNaN(value)) {
    problems[key] = `${what}: ${shownText(raw)} is not a number.`;
    return null;
  }
  if (value !== null && Math.abs(value) > AMOUNT_LIMIT) {
    problems[key] = `${what}: ${value} is outside −1,000,000 to 1,000,000.`;
    return null;
  }
  return value;
}

/** A whole number from `low` to `high` (or empty), or a message under `key`. */
function wholeInRange(problems, key, raw, low, high, what) {
  const value = parseNumber(raw);
  if (value === null) return null;
  if (Number.isNaN(value)) {
    problems[key] = `${what}: ${shownText(raw)} is not a number.`;
  } else if (!Number.isInteger(value)) {
    problems[key] = `${what}: ${value} is not a whole number.`;
  } else if (value < low || value > high) {
    problems[key] = `${what}: ${value} is outside ${low}–${high}.`;
  } else {
    return value;
  }
  return null;
}

/** A `value` record from the form {title, description, importance}: {fields, problems}. */
export function valueFromForm(form) {
  const problems = {};
  const title = text(form.title);
  if (!title) problems.title = 'Pick a suggestion or write, in your own words, what matters to you.';
  tooLong(problems, 'title', title, 80, 'it');
  tooLong(problems, 'description', form.description, 2000, 'this');
  const importance = wholeInRange(problems, 'importance', form.importance, 0, 10, 'Importance');
  return {
    problems,
    fields: { title, description: text(form.description) || null, importance },
  };
}

/**
 * PSFS answers from the rows [{activity, score}] of the form: {answers, problems}. Every
 * row shown must be complete (a name and a rating 0–10); 1 to 5 rows.
 */
export function psfsFromForm(rows) {
  const problems = {};
  if (rows.length === 0) problems.activities = 'Name at least one activity that is hard now.';
  if (rows.length > PSFS_MAX_ACTIVITIES) {
    problems.activities = `The PSFS takes up to ${PSFS_MAX_ACTIVITIES} activities; you have `
      + `${rows.length}. Remove ${rows.length - PSFS_MAX_ACTIVITIES}.`;
  }
  const names = new Set();
  const activities = rows.map((row, index) => {
    const n = index + 1;
    const activity = text(row.activity);
    if (!activity) {
      problems[`activities[${index}].activity`] = `Name activity ${n}, or remove it.`;
    } else if (activity.length > 200) {
      problems[`activities[${index}].activity`] = `Keep activity ${n} under 200 characters.`;
    } else if (names.has(activity.toLowerCase().replace(/\s+/g, ' '))) {
      problems[`activities[${index}].activity`] = `Activity ${n} is already on the list.`;
    }
    names.add(activity.toLowerCase().replace(/\s+/g, ' '));
    const score = row.score === null || row.score === undefined || row.score === ''
      ? null : parseNumber(row.score);
    if (score === null) {
      problems[`activities[${index}].score`] = `Rate activity ${n} from 0 (unable) to 10 (as before).`;
    } else if (!Number.isInteger(score) || score < 0 || score > 10) {
      problems[`activities[${index}].score`] = `Activity ${n}: ${Number.isNaN(score) ? shownText(row.score) : score} `
        + 'is outside 0–10; choose a whole number from 0 to 10.';
    }
    return { activity, score };
  });
  return { problems, answers: { activities } };
}

/** An empty goal form; `initial` prefills it (a PSFS activity as the title, say). */
export function blankGoalForm(initial = {}) {
  return {
    title: '', value_ids: [], why: '', measure: '', unit: '', baseline: '', target: '',
    target_date: '', ability_baseline: null, steps: [], barriers: [], contingency: '',
    review_every_days: '', gas_levels: ['', '', '', '', ''], gas_weight: '', ...initial,
  };
}

const asText = (value) => (value === null || value === undefined ? '' : String(value));

/** The form of a stored goal, for editing it. */
export function goalToForm(goal) {
  const levels = Array.isArray(goal.gas_levels) && goal.gas_levels.length === 5
    ? goal.gas_levels.map(asText) : ['', '', '', '', ''];
  return blankGoalForm({
    title: asText(goal.title), value_ids: [...(goal.value_ids ?? [])], why: asText(goal.why),
    measure: asText(goal.measure), unit: asText(goal.unit), baseline: asText(goal.baseline),
    target: asText(goal.target), target_date: asText(goal.target_date),
    ability_baseline: goal.ability_baseline ?? null,
    steps: (goal.steps ?? []).map((step) => ({ title: asText(step.title), target: asText(step.target),
      due_date: asText(step.due_date), done: Boolean(step.done) })),
    barriers: (goal.barriers ?? []).map((b) => ({ barrier: asText(b.barrier), plan: asText(b.plan) })),
    contingency: asText(goal.contingency), review_every_days: asText(goal.review_every_days),
    gas_levels: levels, gas_weight: asText(goal.gas_weight),
  });
}

/**
 * A `goal` record (design §3 names) from the goal form: {fields, problems}. `start` is
 * the goal's first day (today for a new goal); `problems` is keyed by field, with list
 * items as `steps[0].due_date`, and is empty when the goal can be saved.
 */
export function goalFromForm(form, { start }) {
  const problems = {};
  const title = text(form.title);
  tooLong(problems, 'title', title, 200, 'the goal');
  const baseline = amount(problems, 'baseline', form.baseline, 'Where you are now');
  const target = amount(problems, 'target', form.target, 'Target');
  const targetDate = text(form.target_date) || null;
  if (targetDate !== null && !validDay(targetDate)) {
    problems.target_date = `Target date ${shownText(targetDate)} is not a date like 2026-06-01.`;
  }
  const ability = wholeInRange(problems, 'ability_baseline', form.ability_baseline, 0, 10,
    'How well you can do it now');
  tooLong(problems, 'why', form.why, 2000, 'this');
  tooLong(problems, 'measure', form.measure, 200, 'this');
  tooLong(problems, 'unit', form.unit, 40, 'the unit');
  tooLong(problems, 'contingency', form.contingency, 2000, 'this');
  const review = wholeInRange(problems, 'review_every_days', form.review_every_days, 1, 365,
    'Review every … days');

  const rows = form.steps ?? [];
  if (rows.length > MAX_STEPS) problems.steps = `Keep to ${MAX_STEPS} steps or fewer.`;
  const steps = rows.map((row, index) => {
    const stepTitle = text(row.title);
    tooLong(problems, `steps[${index}].title`, stepTitle, 200, `step ${index + 1}`);
    const due = text(row.due_date) || null;
    if (due !== null && !validDay(due)) {
      problems[`steps[${index}].due_date`] = `Step ${index + 1}: ${shownText(due)} is not a date.`;
    } else if (due !== null && targetDate !== null && !problems.target_date
        && dayNumber(due) > dayNumber(targetDate)) {
      problems[`steps[${index}].due_date`] = `Step ${index + 1} is due on ${due}, after the `
        + `target date, ${targetDate}.`;
    }
    return {
      title: stepTitle,
      target: amount(problems, `steps[${index}].target`, row.target, `Step ${index + 1} amount`),
      due_date: due !== null && validDay(due) ? due : null,
      done: Boolean(row.done),
    };
  });

  const barrierRows = form.barriers ?? [];
  if (barrierRows.length > MAX_BARRIERS) problems.barriers = `Keep to ${MAX_BARRIERS} barriers or fewer.`;
  const barriers = barrierRows.map((row, index) => {
    const n = index + 1;
    const barrier = text(row.barrier);
    const plan = text(row.plan);
    if (!barrier) problems[`barriers[${index}].barrier`] = `Name barrier ${n}, or remove it.`;
    tooLong(problems, `barriers[${index}].barrier`, barrier, 200, `barrier ${n}`);
    if (!plan) {
      problems[`barriers[${index}].plan`] = `Write what you will do when barrier ${n} gets in the way.`;
    }
    tooLong(problems, `barriers[${index}].plan`, plan, 2000, `the plan for barrier ${n}`);
    return { barrier, plan };
  });

  const levels = (form.gas_levels ?? []).map(text);
  const gasUsed = levels.some(Boolean) || text(form.gas_weight) !== '';
  const weight = parseNumber(form.gas_weight);
  if (Number.isNaN(weight)) {
    problems.gas_weight = `Weight: ${shownText(form.gas_weight)} is not a number.`;
  } else if (weight !== null && (weight < 0 || weight > 100)) {
    problems.gas_weight = `Weight: ${weight} is outside 0–100.`;
  }
  levels.forEach((level, index) => tooLong(problems, `gas_levels[${index}]`, level, 200, 'each level'));

  const fields = {
    title,
    value_ids: form.value_ids?.length ? [...form.value_ids] : null,
    why: text(form.why) || null,
    measure: text(form.measure) || null,
    unit: text(form.unit) || null,
    baseline,
    target,
    target_date: targetDate !== null && !problems.target_date ? targetDate : null,
    ability_baseline: ability,
    steps: steps.length ? steps : null,
    barriers: barriers.length ? barriers : null,
    contingency: text(form.contingency) || null,
    review_every_days: review,
    gas_levels: gasUsed ? levels : null,
    gas_weight: gasUsed && !problems.gas_weight ? weight : null,
  };
  // The shared rule (tests/vectors/goal_problems.json): empty title, target equal to the
  // baseline, dates before the start, untitled steps, incomplete GAS levels.
  const shared = goalProblems({ ...fields, target_date: fields.target_date,
    steps: rows.map((row, index) => ({ title: steps[index].title, due_date: steps[index].due_date })) },
  { start });
  for (const [key, message] of Object.entries(shared)) {
    if (!problems[key]) problems[key] = message;
  }
  return { fields, problems };
}

/** A review `reminder` from {time, days, enabled}: {fields, problems}. */
export function reviewReminderFromForm(form) {
  const problems = {};
  if (!TIME.test(form.time ?? '')) {
    problems.time = `Time ${form.time ? shownText(form.time) : '(empty)'} is not a time like 18:00.`;
  }
  const days = [...new Set(form.days ?? [])].filter((d) => Number.isInteger(d) && d >= 0 && d <= 6)
    .sort((a, b) => a - b);
  if (days.length === 0) problems.days = 'Choose at least one day.';
  return {
    problems,
    fields: { kind: 'review', time: form.time, days, message: null, enabled: form.enabled !== false },
  };
}

const byNewest = (a, b) => String(b.local_date ?? '').localeCompare(String(a.local_date ?? ''))
  || String(b.created_at ?? '').localeCompare(String(a.created_at ?? ''));

/** The newest PSFS response, or null. */
export function latestPsfs(responses) {
  return [...(responses ?? [])].filter((r) => r.instrument === 'psfs').sort(byNewest)[0] ?? null;
}

/** Tolerance trials done: {sessions, days} (days: distinct local days, design §5). */
export function trialCount(sessions, timezone = 'UTC') {
  const trials = (sessions ?? []).filter((s) => s.kind === 'trial' && s.started_at);
  const days = new Set(trials.map((s) => localDay(s.started_at, timezone)));
  return { sessions: trials.length, days: days.size };
}

/**
 * Which builder steps are done, from the stored records: {values: bool, …, current}, where
 * `current` is the first step not done (the last one when all are).
 */
export function planProgress(data, { timezone = 'UTC' } = {}) {
  const responses = data.outcome_response ?? [];
  const trials = trialCount(data.pacing_session, timezone);
  const done = {
    values: (data.value ?? []).length > 0,
    psfs: latestPsfs(responses) !== null,
    goals: (data.goal ?? []).length > 0,
    baseline: responses.some((r) => r.instrument !== 'psfs')
      || (data.performance_test ?? []).length > 0,
    pacing: trials.days >= TRIAL_DAYS_NEEDED
      || (data.pacing_plan ?? []).some((plan) => typeof plan.quota === 'number'),
    flare: (data.flare_plan ?? []).length > 0,
    review: (data.reminder ?? []).some((r) => r.kind === 'review' && r.enabled !== false),
  };
  const open = STEPS.find((step) => !done[step.key]);
  return { ...done, trials, current: (open ?? STEPS[STEPS.length - 1]).key };
}
