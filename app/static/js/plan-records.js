// The pure rules behind Treatments, routines and shared decisions: the choices each record
// offers, checking a form before anything is written (the same limits as the server's
// schemas in app/schemas/careplan.py), ticking a routine off day by day, and when a
// decision is due for review. No browser APIs here, so node's test runner checks them all.

import { addDays, parseLocalDate, weekdayOf } from './dates.js';

export const TREATMENT_KINDS = {
  exercise: 'Exercise programme',
  physiotherapy: 'Physiotherapy',
  occupational_therapy: 'Occupational therapy',
  psychological: 'Psychological support',
  medication: 'Medication plan',
  sleep: 'Sleep',
  weight: 'Weight',
  ergonomics: 'Ergonomics',
  aid_or_device: 'Aid or device',
  other: 'Other',
};
export const TREATMENT_STATUSES = { active: 'Active', paused: 'Paused', stopped: 'Stopped' };
export const ROUTINE_AREAS = {
  sleep: 'Sleep', work: 'Work', home: 'Home', energy: 'Energy', nutrition: 'Food and drink',
  other: 'Other',
};
/** The kinds of note a care team writes (design §3 care_note.kind). */
export const NOTE_KINDS = { goal: 'Goal', progress: 'Progress', barrier: 'Barrier', plan: 'Plan' };
const EVERY_DAY = [0, 1, 2, 3, 4, 5, 6];

/**
 * Routines a patient can pick in one tap, each with where the advice comes from. Short
 * paraphrases of public advice, not quotations.
 */
export const ROUTINE_SUGGESTIONS = [
  { title: 'Get up at the same time every day', area: 'sleep', days: EVERY_DAY,
    hint: 'Weekends too: a steady wake-up time sets your body clock.', source: 'nhs-sleep' },
  { title: 'Wind-down hour before bed', area: 'sleep', days: EVERY_DAY,
    hint: 'Something calm and quiet in the last hour: a bath, reading, gentle music.', source: 'nhs-sleep' },
  { title: 'No screens in bed', area: 'sleep', days: EVERY_DAY,
    hint: 'Phone, tablet and TV out of bed; keep the bed for sleep.', source: 'nhs-sleep' },
  { title: 'Check chair and desk height at work', area: 'work', days: [0, 1, 2, 3, 4],
    hint: 'Feet flat, thighs level, screen at eye level, wrists straight.', source: 'hse-dse' },
  { title: 'Change position every 30 minutes', area: 'work', days: [0, 1, 2, 3, 4],
    hint: 'Stand, stretch or walk for a minute or two, then carry on.', source: 'sit-less' },
  { title: 'Set up my chair and table at home', area: 'home', days: EVERY_DAY,
    hint: 'A supportive chair, and things I use often between waist and shoulder height.', source: 'hse-dse' },
  { title: 'Plan the day’s heavy tasks for the morning', area: 'energy', days: EVERY_DAY,
    hint: 'Spread heavy jobs out, with rests between, when energy is highest.', source: 'pacing' },
  { title: 'Wear supportive shoes', area: 'home', days: EVERY_DAY,
    hint: 'Cushioned soles, a low heel and a good fit for walking and standing.', source: 'footwear' },
  { title: 'Drink water through the day', area: 'nutrition', days: EVERY_DAY,
    hint: 'About 6 to 8 glasses of fluid a day, more when it is hot or you are active.', source: 'eatwell' },
];

export const SUGGESTION_SOURCES = {
  'nhs-sleep': 'NHS, “How to get to sleep” and insomnia self-help advice; Harvard Medical School, Division of Sleep Medicine, “Healthy Sleep”.',
  'hse-dse': 'Health and Safety Executive (UK), “Working safely with display screen equipment” (workstation set-up).',
  'sit-less': 'UK Chief Medical Officers’ Physical Activity Guidelines (2019) and WHO guidelines on physical activity and sedentary behaviour (2020): break up long periods of sitting.',
  pacing: 'Nielson WR et al., “Activity pacing in chronic pain”, Clinical Journal of Pain 2013; Royal College of Occupational Therapists, energy conservation advice.',
  footwear: 'NICE clinical guideline CG177, Osteoarthritis (2014, since updated as NG226): advice on suitable footwear; NHS foot pain self-help: wide, comfortable shoes with a low heel and soft sole.',
  eatwell: 'NHS, The Eatwell Guide: 6 to 8 cups or glasses of fluid a day.',
  nice: 'NICE guideline NG193, Chronic pain (primary and secondary) in over 16s (2021): exercise, staying active and self-management.',
};

// -- limits (app/schemas/common.py): Title 1–200 after trimming, ShortText ≤ 200, Text ≤ 2000
const TITLE_MAX = 200;
const TEXT_MAX = 2000;
const MAX_OPTIONS = 10;

const trimmed = (value) => String(value ?? '').trim();
const orNull = (value) => (trimmed(value) === '' ? null : trimmed(value));

/** Whether `day` is a real calendar day written YYYY-MM-DD. */
export function isDay(day) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(String(day ?? ''))) return false;
  const [y, m, d] = day.split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function checkText(errors, key, value, max, what) {
  if (trimmed(value).length > max) {
    errors[key] = `${what} is ${trimmed(value).length} characters; keep it to ${max}.`;
  }
}

function checkDay(errors, key, value, what) {
  if (trimmed(value) !== '' && !isDay(trimmed(value))) {
    errors[key] = `${what} “${trimmed(value)}” is not a date; use the date picker or YYYY-MM-DD.`;
  }
}

// -- treatments -------------------------------------------------------------------------

/**
 * Check a treatment form. `form` holds text as typed (dates YYYY-MM-DD, helpfulness a
 * number or null). Returns {fields, errors}: `fields` is the record to write when `errors`
 * is empty, otherwise null; `errors` maps a field name to a message for beside it.
 */
export function validateTreatment(form) {
  const errors = {};
  const title = trimmed(form.title);
  if (!(form.kind in TREATMENT_KINDS)) errors.kind = 'Choose what kind of treatment this is.';
  if (!title) errors.title = 'Say what the treatment is, for example “home exercises from my physio”.';
  else checkText(errors, 'title', title, TITLE_MAX, 'The name');
  checkText(errors, 'why', form.why, TEXT_MAX, 'Why');
  checkText(errors, 'schedule', form.schedule, TITLE_MAX, 'When and how often');
  checkText(errors, 'side_effects', form.side_effects, TEXT_MAX, 'Side effects');
  checkDay(errors, 'started_on', form.started_on, 'Started on');
  checkDay(errors, 'stopped_on', form.stopped_on, 'Stopped on');
  const status = form.status ?? 'active';
  if (!(status in TREATMENT_STATUSES)) errors.status = 'Choose active, paused or stopped.';
  const help = form.helpfulness ?? null;
  if (help !== null && !(Number.isInteger(help) && help >= 0 && help <= 10)) {
    errors.helpfulness = `Helpfulness ${help} is outside 0–10.`;
  }
  if (!errors.started_on && !errors.stopped_on && trimmed(form.started_on) && trimmed(form.stopped_on)
      && trimmed(form.stopped_on) < trimmed(form.started_on)) {
    errors.stopped_on = `Stopped on ${trimmed(form.stopped_on)} is before it started (${trimmed(form.started_on)}).`;
  }
  if (Object.keys(errors).length) return { fields: null, errors };
  return {
    errors,
    fields: {
      kind: form.kind, title, why: orNull(form.why), schedule: orNull(form.schedule),
      started_on: orNull(form.started_on), stopped_on: orNull(form.stopped_on), status,
      helpfulness: help, side_effects: orNull(form.side_effects),
    },
  };
}

/**
 * The fields to write when a treatment's status changes on `today`: stopping it notes the
 * day it stopped (unless one is set, or it has not started yet); taking it up again clears it.
 */
export function statusChange(treatment, status, today) {
  const fields = { status };
  if (status === 'stopped' && !treatment.stopped_on
      && (!treatment.started_on || treatment.started_on <= today)) fields.stopped_on = today;
  if (status === 'active' && treatment.status === 'stopped') fields.stopped_on = null;
  return fields;
}

// -- routines ---------------------------------------------------------------------------

/** Check a routine form: {title, area, days}. Returns {fields, errors} as above. */
export function validateRoutine(form) {
  const errors = {};
  const title = trimmed(form.title);
  if (!title) errors.title = 'Name the routine, for example “stretch after lunch”.';
  else checkText(errors, 'title', title, TITLE_MAX, 'The name');
  const area = form.area || 'other';
  if (!(area in ROUTINE_AREAS)) errors.area = 'Choose an area.';
  const days = [...new Set(form.days ?? [])].filter((d) => Number.isInteger(d) && d >= 0 && d <= 6)
    .sort((a, b) => a - b);
  if (days.length === 0) errors.days = 'Pick at least one day.';
  if (Object.keys(errors).length) return { fields: null, errors };
  return { errors, fields: { title, area, days } };
}

/** `doneDates` with `day` added, or taken away when it is there already; sorted, no repeats. */
export function toggleDate(doneDates, day) {
  const dates = new Set(doneDates ?? []);
  if (dates.has(day)) dates.delete(day);
  else dates.add(day);
  return [...dates].sort();
}

export const isDoneOn = (routine, day) => (routine.done_dates ?? []).includes(day);

/** The seven days (YYYY-MM-DD), Monday first, of the week holding `today`. */
export function weekOf(today) {
  const monday = addDays(today, -weekdayOf(parseLocalDate(today)));
  return Array.from({ length: 7 }, (_, i) => addDays(monday, i));
}

/**
 * This week of a routine, Monday first: each day with `planned` (one of its days), `done`
 * (ticked), `future` (after today). `doneCount` counts ticks this week up to today;
 * `plannedCount` the planned days of the whole week.
 */
export function weekTicks(routine, today) {
  const planned = new Set(routine.days ?? EVERY_DAY);
  const done = new Set(routine.done_dates ?? []);
  const days = weekOf(today).map((day, weekday) => ({
    day, weekday, planned: planned.has(weekday), done: done.has(day), future: day > today,
  }));
  return {
    days,
    doneCount: days.filter((d) => d.done && !d.future).length,
    plannedCount: days.filter((d) => d.planned).length,
  };
}

/** Whether a routine with the same title (ignoring case and spaces) is already there. */
export function hasRoutine(routines, title) {
  const key = trimmed(title).toLowerCase();
  return (routines ?? []).some((r) => trimmed(r.title).toLowerCase() === key);
}

// -- decisions --------------------------------------------------------------------------

const OPTION_TEXTS = [['benefits', 'Benefits'], ['burdens', 'Burdens'], ['uncertainty', 'What is uncertain']];
const blankOption = (o) => !trimmed(o.option) && OPTION_TEXTS.every(([key]) => !trimmed(o[key]));

/**
 * Check a decision form: {question, options: [{option, benefits, burdens, uncertainty}],
 * what_matters, choice, decided_on, review_on}. Options left wholly blank are dropped; a
 * decision needs at least two named options. Error keys are field names, and
 * `options.<i>.<field>` for the i-th option as the form shows it. Returns {fields, errors}.
 */
export function validateDecision(form, today) {
  const errors = {};
  const question = trimmed(form.question);
  if (!question) errors.question = 'Write the question to decide, for example “Should I try a pain clinic?”.';
  else checkText(errors, 'question', question, TITLE_MAX, 'The question');
  const options = form.options ?? [];
  const kept = [];
  options.forEach((option, i) => {
    if (blankOption(option)) return;
    if (!trimmed(option.option)) errors[`options.${i}.option`] = `Name option ${i + 1}, or clear its boxes.`;
    else checkText(errors, `options.${i}.option`, option.option, TITLE_MAX, `Option ${i + 1}`);
    for (const [key, what] of OPTION_TEXTS) checkText(errors, `options.${i}.${key}`, option[key], TEXT_MAX, what);
    kept.push(option);
  });
  if (kept.length > MAX_OPTIONS) errors.options = `At most ${MAX_OPTIONS} options.`;
  if (kept.length < 2) {
    // Point at the first slot still missing a named option.
    let slot = options.findIndex((o) => blankOption(o));
    if (slot === -1) slot = options.length > 1 ? 1 : 0;
    const key = `options.${slot}.option`;
    if (!errors[key]) {
      errors[key] = kept.length === 0
        ? 'A decision needs at least two options to weigh. Name the first one here.'
        : 'A decision needs at least two options to weigh. Name another one here (doing nothing new can be an option).';
    }
  }
  checkText(errors, 'what_matters', form.what_matters, TEXT_MAX, 'What matters to me');
  checkText(errors, 'choice', form.choice, TEXT_MAX, 'The choice');
  checkDay(errors, 'decided_on', form.decided_on, 'Decided on');
  checkDay(errors, 'review_on', form.review_on, 'Review on');
  const choice = orNull(form.choice);
  let decidedOn = orNull(form.decided_on);
  if (choice && !decidedOn && !errors.decided_on) decidedOn = today ?? null;
  const reviewOn = orNull(form.review_on);
  if (!errors.review_on && !errors.decided_on && decidedOn && reviewOn && reviewOn < decidedOn) {
    errors.review_on = `Review on ${reviewOn} is before the decision was made (${decidedOn}).`;
  }
  if (Object.keys(errors).length) return { fields: null, errors };
  return {
    errors,
    fields: {
      question,
      options: kept.map((o) => {
        const out = { option: trimmed(o.option) };
        for (const [key] of OPTION_TEXTS) if (trimmed(o[key])) out[key] = trimmed(o[key]);
        return out;
      }),
      what_matters: orNull(form.what_matters), choice, decided_on: decidedOn, review_on: reviewOn,
    },
  };
}

/** A decision is due for review once its review day has come. */
export const reviewDue = (decision, today) => Boolean(decision.review_on) && decision.review_on <= today;

const CARE_ROLES = {
  primary_clinician: 'your primary clinician',
  physiotherapist: 'your physiotherapist',
  occupational_therapist: 'your occupational therapist',
  behavioural_health: 'your behavioural health clinician',
  clinician: 'your clinician',
  other: 'your clinician',
};

/**
 * Who wrote a decision, in words: null for the patient's own (author_role 'patient', or
 * not yet synced), otherwise "Written with your physiotherapist in a visit".
 */
export function authorNote(decision) {
  const role = decision.author_role;
  if (!role || role === 'patient') return null;
  return `Written with ${CARE_ROLES[role] ?? 'your clinician'} in a visit`;
}

/** Decisions to show: those due for review first, then the newest first. */
export function sortDecisions(decisions, today) {
  return [...(decisions ?? [])].sort((a, b) => (Number(reviewDue(b, today)) - Number(reviewDue(a, today)))
    || String(b.created_at ?? '').localeCompare(String(a.created_at ?? '')));
}
