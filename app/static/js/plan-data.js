// My plan: the whole plan shaped into its sections, in the order the care team sees them on
// the clinician's page too (What matters, Goals, Pacing, Treatments and routines, Decisions,
// Flare plan, Latest scores, Care-team notes). Pure: records in, plain objects out; the
// screen (screens/myplan.js) only lays them out. Dates stay YYYY-MM-DD here.

import { fallRisk, PERFORMANCE_TESTS } from './checkup-data.js';
import { addDays, describeDays, localDate } from './dates.js';
import { NOTE_KINDS, ROUTINE_AREAS, TREATMENT_KINDS, TREATMENT_STATUSES } from './plan-records.js';
import { goalProgress } from './rules/goals.js';
import { INSTRUMENTS, PROMPTS } from './rules/instruments.js';
import { activityKey, psfsChange } from './rules/outcomes.js';
import { amountText } from './rules/pacing.js';
import { SCREEN_THRESHOLD } from './rules/scoring.js';
import { byDay, changeWords, responseScore } from './progress-data.js';

export const PLAN_SECTIONS = [
  ['values', 'What matters'],
  ['goals', 'Goals'],
  ['pacing', 'Pacing'],
  ['treatments', 'Treatments and routines'],
  ['decisions', 'Decisions'],
  ['flare', 'Flare plan'],
  ['scores', 'Latest scores'],
  ['notes', 'Care-team notes'],
];

/** What an empty section says, and where to go to fill it. */
export const EMPTY = {
  values: ['No values yet. What matters most to you: family, work, a hobby, being independent?',
    '#builder', 'Name what matters in Build my plan'],
  goals: ['No goals yet. Turn something you want to be able to do again into a goal with steps.',
    '#builder', 'Set a goal in Build my plan'],
  pacing: ['No pacing plans yet. Pick an activity to build up a little at a time.',
    '#pacing', 'Start a pacing plan'],
  treatments: ['No treatments or routines yet. Note what your plan uses besides pacing, and the daily habits you chose.',
    '#treatments', 'Add treatments and routines'],
  decisions: ['No shared decisions yet. Weigh the options with your care team and keep the choice here.',
    '#decisions', 'Record a decision'],
  flare: ['No flare plan yet. Write it on a good day, so that a bad day has a plan.',
    '#flare-plan', 'Write my flare plan'],
  scores: ['No scores yet. Rate the activities that are hard now (PSFS) and the other short questionnaires.',
    '#checkup', 'Answer the questionnaires'],
  notes: ['No notes from your care team yet. They appear here once you share your plan with them and they write one.',
    '#care-team', 'Share with my care team'],
};

const GOAL_STATUS = { active: 'Active', achieved: 'Achieved', paused: 'Paused', dropped: 'Dropped' };
const GOAL_ORDER = { active: 0, paused: 1, achieved: 2, dropped: 3 };
const TREATMENT_ORDER = { active: 0, paused: 1, stopped: 2 };
export const AUTHOR_ROLES = {
  primary_clinician: 'Primary clinician', physiotherapist: 'Physiotherapist',
  occupational_therapist: 'Occupational therapist', behavioural_health: 'Behavioural health',
  other: 'Care team', clinician: 'Clinician', patient: 'You',
};
const SCORE_ORDER = ['psfs', 'peg', 'phq2', 'gad2', 'pgic'];
const SCORE_NAMES = {
  psfs: ['PSFS: the activities that are hard now', 10, 'higher is better'],
  peg: ['PEG: pain and how it gets in the way', 10, 'lower is better'],
  phq2: ['PHQ-2: mood', 6, 'lower is better'],
  gad2: ['GAD-2: worry', 6, 'lower is better'],
  pgic: ['PGIC: change since care began', 7, 'higher is better'],
};

const text = (value) => (typeof value === 'string' ? value.trim() : '');
const byText = (key) => (a, b) => String(a[key] ?? '').localeCompare(String(b[key] ?? ''));
const number = (value) => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const newestFirst = (a, b) => String(b.updated_at ?? b.created_at ?? '')
  .localeCompare(String(a.updated_at ?? a.created_at ?? ''));

/** Values, most important first (unrated last), then by title. */
export function planValues(values) {
  return [...values].sort((a, b) => (number(b.importance) ?? -1) - (number(a.importance) ?? -1)
    || byText('title')(a, b))
    .map((v) => ({ id: v.id, title: v.title, importance: number(v.importance), description: text(v.description) }));
}

/**
 * Goals (active first, then paused, achieved, dropped; oldest first within each) with the
 * values they serve, each step done or not (ticked, or named by a check-in, as the shared
 * progress rule counts it) and whether it is overdue, the barriers with their plans, the
 * bad-day contingency, and the amount, ability and review from the shared rule.
 */
export function planGoals({ goals, checkins = [], values = [], today = localDate(), timezone = 'UTC' }) {
  const valueTitles = new Map(values.map((v) => [v.id, v.title]));
  return [...goals].sort((a, b) => (GOAL_ORDER[a.status ?? 'active'] ?? 4) - (GOAL_ORDER[b.status ?? 'active'] ?? 4)
    || byText('created_at')(a, b))
    .map((goal) => {
      const own = byDay(checkins.filter((c) => c.goal_id === goal.id));
      const progress = goalProgress({ goal, checkins: own, today, timezone });
      const named = new Set(own.map((c) => c.step_done).filter(Boolean).map(activityKey));
      const steps = (goal.steps ?? []).map((step) => {
        const done = step.done === true || named.has(activityKey(step.title ?? ''));
        return { title: step.title, done, due_date: step.due_date ?? null, target: number(step.target),
          overdue: !done && Boolean(step.due_date) && step.due_date < today };
      });
      const status = goal.status ?? 'active';
      return {
        id: goal.id, title: goal.title, status, statusLabel: GOAL_STATUS[status] ?? status,
        why: text(goal.why), values: (goal.value_ids ?? []).map((id) => valueTitles.get(id)).filter(Boolean),
        measure: text(goal.measure), unit: text(goal.unit), baseline: number(goal.baseline),
        target: number(goal.target), target_date: goal.target_date ?? null,
        amount: progress.amount, ability: progress.ability,
        steps, stepsDone: progress.steps_done, stepsTotal: progress.steps_total,
        barriers: (goal.barriers ?? []).map((b) => ({ barrier: b.barrier, plan: text(b.plan) })),
        contingency: text(goal.contingency),
        review_every_days: number(goal.review_every_days), review_due_on: progress.review_due_on,
        review_due: progress.review_due,
      };
    });
}

/** Pacing plans, active first: the current quota in words, or how many trial days are done. */
export function planPacing({ plans, sessions = [], goals = [] }) {
  const goalTitles = new Map(goals.map((g) => [g.id, g.title]));
  return [...plans].sort((a, b) => Number(a.active === false) - Number(b.active === false) || byText('activity')(a, b))
    .map((plan) => {
      const unit = plan.unit ?? 'minutes';
      const trialDays = new Set(sessions.filter((s) => s.plan_id === plan.id && s.kind === 'trial' && s.ended_at)
        .map((s) => localDate(new Date(s.started_at)))).size;
      const quota = number(plan.quota);
      return {
        id: plan.id, activity: plan.activity, unit, active: plan.active !== false,
        quota, quotaText: quota === null ? null : amountText(quota, unit),
        baselineText: number(plan.baseline) === null ? null : amountText(plan.baseline, unit),
        restText: number(plan.rest_minutes) ? amountText(plan.rest_minutes, 'minutes') : null,
        sessionsPerDay: number(plan.sessions_per_day) ?? 1,
        increasePercent: number(plan.increase_percent) ?? 10,
        increaseEveryDays: number(plan.increase_every_days) ?? 7,
        trialDays, goal: goalTitles.get(plan.goal_id) ?? null,
      };
    });
}

/** Treatments (active, paused, then stopped) and routines with the days of the last week ticked. */
export function planTreatments({ treatments = [], routines = [], today = localDate() }) {
  const weekAgo = addDays(today, -6);
  return {
    treatments: [...treatments].sort((a, b) => (TREATMENT_ORDER[a.status ?? 'active'] ?? 3)
      - (TREATMENT_ORDER[b.status ?? 'active'] ?? 3) || byText('title')(a, b))
      .map((t) => ({
        id: t.id, title: t.title, kind: TREATMENT_KINDS[t.kind] ?? 'Other', status: t.status ?? 'active',
        statusLabel: TREATMENT_STATUSES[t.status ?? 'active'] ?? t.status, why: text(t.why),
        schedule: text(t.schedule), started_on: t.started_on ?? null, stopped_on: t.stopped_on ?? null,
        helpfulness: number(t.helpfulness), side_effects: text(t.side_effects),
      })),
    routines: [...routines].sort(byText('title')).map((r) => ({
      id: r.id, title: r.title, area: ROUTINE_AREAS[r.area] ?? 'Other',
      days: describeDays(Array.isArray(r.days) ? r.days : [0, 1, 2, 3, 4, 5, 6]),
      doneThisWeek: new Set((r.done_dates ?? []).filter((d) => d >= weekAgo && d <= today)).size,
    })),
  };
}

/** Shared decisions, the next review first (those without a review date last). */
export function planDecisions(decisions, { today = localDate() } = {}) {
  return [...decisions].sort((a, b) => String(a.review_on ?? '9999').localeCompare(String(b.review_on ?? '9999'))
    || byText('created_at')(a, b))
    .map((d) => ({
      id: d.id, question: d.question, choice: text(d.choice), decided_on: d.decided_on ?? null,
      review_on: d.review_on ?? null, reviewDue: Boolean(d.review_on) && d.review_on <= today,
      what_matters: text(d.what_matters), options: (d.options ?? []).map((o) => o.option).filter(Boolean),
      author: AUTHOR_ROLES[d.author_role] ?? null,
    }));
}

/** The newest flare plan's filled sections, in the flare screen's order; [] when none. */
export function planFlare(flarePlans, sections) {
  const plan = [...flarePlans].sort(newestFirst)[0];
  if (!plan) return [];
  return sections.map(([key, title]) => {
    const value = plan[key];
    const items = Array.isArray(value) ? value.map(text).filter(Boolean)
      : text(value).split('\n').map((line) => line.trim()).filter(Boolean);
    return { key, title, items };
  }).filter((section) => section.items.length > 0);
}

/**
 * The latest score of each questionnaire (PSFS first: function leads) with its date, and
 * for PSFS the `change` in the mean since the first answers, labelled against the minimal
 * detectable change; PHQ-2 and GAD-2 at 3 or more carry their gentle prompt as `note`, PGIC
 * its answer's wording. Then the latest result of each performance test, a timed up-and-go
 * of 12 seconds or more with its fall-risk note (design §5).
 */
export function latestScores({ responses = [], tests = [] }) {
  const rows = [];
  for (const instrument of SCORE_ORDER) {
    const own = byDay(responses.filter((r) => r.instrument === instrument && r.local_date))
      .filter((r) => responseScore(r) !== null);
    if (own.length === 0) continue;
    const latest = own[own.length - 1];
    const value = responseScore(latest);
    const [name, max, direction] = SCORE_NAMES[instrument];
    const row = { key: instrument, name, value, max, direction, date: latest.local_date, note: null, flag: false,
      change: null };
    if (instrument === 'psfs' && own.length > 1) {
      try {
        const change = psfsChange({ before: own[0].answers, after: latest.answers });
        if (change.mean_change !== null) {
          row.change = { value: change.mean_change, label: change.label, since: own[0].local_date,
            words: changeWords(change.label) };
        }
      } catch {
        row.change = null;
      }
    }
    if (PROMPTS[instrument] && value >= SCREEN_THRESHOLD) {
      row.flag = true;
      row.note = PROMPTS[instrument];
    }
    if (instrument === 'pgic') {
      row.note = INSTRUMENTS.pgic.items[0].anchors.find((a) => a.value === value)?.text ?? null;
    }
    rows.push(row);
  }
  const latestTests = new Map();
  for (const test of byDay(tests.filter((t) => t.local_date && number(t.value) !== null))) {
    latestTests.set(test.kind === 'custom' ? `custom:${text(test.label).toLowerCase()}` : test.kind, test);
  }
  for (const [key, test] of latestTests) {
    const known = PERFORMANCE_TESTS[test.kind];
    const [name, unit] = known ? [known.name, known.unit] : [text(test.label) || 'Other test', text(test.unit)];
    const risky = fallRisk(test.kind, test.value);
    rows.push({ key, name, value: test.value, max: null, unit: text(test.unit) || unit,
      date: test.local_date, flag: risky, test: true, change: null,
      note: risky ? 'Taking 12 seconds or longer suggests a higher risk of falling: show this to your care team, '
        + 'who can help with balance and strength. This is not a diagnosis (CDC STEADI).' : null });
  }
  return rows;
}

/** Care-team notes, newest first, with who wrote them. */
export function careNotes(notes) {
  return [...notes].sort((a, b) => String(b.created_at ?? '').localeCompare(String(a.created_at ?? '')))
    .map((n) => ({
      id: n.id, kind: NOTE_KINDS[n.kind] ?? 'Note', text: n.text ?? '', author: text(n.author_name),
      role: AUTHOR_ROLES[n.author_role] ?? null,
      date: n.created_at ? localDate(new Date(n.created_at)) : null,
    }));
}

/**
 * Every section of the plan in order, as {key, title, empty, data}. `records` holds each
 * entity's list (missing ones count as empty); `flareSections` the flare plan's
 * [key, title] pairs from the flare screen.
 */
export function shapePlan(records, { flareSections, today = localDate(), timezone = 'UTC' }) {
  const list = (entity) => records[entity] ?? [];
  const data = {
    values: planValues(list('value')),
    goals: planGoals({ goals: list('goal'), checkins: list('goal_checkin'), values: list('value'), today, timezone }),
    pacing: planPacing({ plans: list('pacing_plan'), sessions: list('pacing_session'), goals: list('goal') }),
    treatments: planTreatments({ treatments: list('treatment'), routines: list('routine'), today }),
    decisions: planDecisions(list('decision'), { today }),
    flare: planFlare(list('flare_plan'), flareSections),
    scores: latestScores({ responses: list('outcome_response'), tests: list('performance_test') }),
    notes: careNotes(list('care_note')),
  };
  const isEmpty = (key) => (key === 'treatments'
    ? data.treatments.treatments.length === 0 && data.treatments.routines.length === 0
    : data[key].length === 0);
  return PLAN_SECTIONS.map(([key, title]) => ({ key, title, empty: isEmpty(key), data: data[key] }));
}

/** The entities My plan reads. */
export const PLAN_ENTITIES = ['value', 'goal', 'goal_checkin', 'pacing_plan', 'pacing_session', 'treatment',
  'routine', 'decision', 'flare_plan', 'outcome_response', 'performance_test', 'care_note'];
