// Goal progress and Goal Attainment Scaling for the offline phone (design §5). Mirrors
// app/services/goals.py, where the sources and choices are set out; both are checked
// against tests/vectors/gas.json, goal_progress.json and goal_problems.json.

import { dayNumber, dayText, field, localDay, round2, shown, wholeNumber } from './numbers.js';
import { activityKey } from './outcomes.js';

export const GAS_RHO = 0.3;

/** The GAS T-score of goals rated {level, weight}; null when nothing is rated. */
export function gasTScore(goals) {
  const rated = [];
  goals.forEach((goal, index) => {
    let level = field(goal, 'level');
    if (level === null) return; // a goal not rated yet does not count
    level = wholeNumber(level, { name: `goals[${index}].gas_level`, low: -2, high: 2 });
    let weight = field(goal, 'weight');
    weight = weight === null ? 1 : weight;
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0 || weight > 100) {
      throw new Error(`goals[${index}].gas_weight ${shown(weight)} is outside 0–100`);
    }
    rated.push([level, weight]);
  });
  const total = rated.reduce((sum, [, weight]) => sum + weight, 0);
  if (rated.length === 0 || total === 0) return null;
  const weighted = rated.reduce((sum, [level, weight]) => sum + weight * level, 0);
  const squares = rated.reduce((sum, [, weight]) => sum + weight * weight, 0);
  const spread = Math.sqrt((1 - GAS_RHO) * squares + GAS_RHO * total * total);
  return round2(50 + 10 * weighted / spread);
}

function latest(checkins, name) {
  for (let index = checkins.length - 1; index >= 0; index -= 1) {
    const value = field(checkins[index], name);
    if (value !== null) return value;
  }
  return null;
}

/** The words shown when a goal's target equals its baseline. */
export function targetProblem(baseline) {
  return `The target is the same as the baseline (${shown(baseline)}): `
    + 'choose where you want to get to.';
}

function amount(goal, last) {
  const baseline = field(goal, 'baseline');
  const target = field(goal, 'target');
  if (baseline === null || target === null) return null;
  const shape = { baseline, target, latest: last, percent: null, reached: false, problem: null };
  if (target === baseline) {
    shape.problem = targetProblem(baseline);
    return shape;
  }
  if (last !== null) {
    const percent = (last - baseline) / (target - baseline) * 100;
    shape.percent = round2(Math.min(100, Math.max(0, percent)));
    shape.reached = percent >= 100;
  }
  return shape;
}

function ability(goal, last) {
  const baseline = field(goal, 'ability_baseline');
  if (baseline === null && last === null) return null;
  const change = baseline !== null && last !== null ? last - baseline : null;
  return { baseline, latest: last, change };
}

/**
 * A goal's progress: steps done, amount against target, ability, review due. Check-ins are
 * read in date order, two on one day in the order given; a step counts as done when it is
 * ticked or a check-in names it; only an active goal is due for review.
 */
export function goalProgress({ goal, checkins = [], today, timezone = 'UTC' }) {
  const todayNumber = dayNumber(today);
  const ordered = [...checkins].sort(
    (a, b) => dayNumber(field(a, 'local_date')) - dayNumber(field(b, 'local_date')));
  const steps = field(goal, 'steps') ?? [];
  const ticked = new Set(
    ordered.map((c) => field(c, 'step_done')).filter(Boolean).map(activityKey));
  const stepsDone = steps.filter((step) => field(step, 'done') === true
    || ticked.has(activityKey(field(step, 'title') ?? ''))).length;
  const latestDay = ordered.length
    ? dayNumber(field(ordered[ordered.length - 1], 'local_date')) : null;
  const created = field(goal, 'created_at');
  const known = [latestDay, created ? localDay(created, timezone) : null]
    .filter((day) => day !== null);
  const since = known.length ? Math.max(...known) : null;
  const every = field(goal, 'review_every_days');
  const dueOn = since !== null && every ? since + every : null;
  const status = field(goal, 'status') || 'active';
  return {
    steps_done: stepsDone,
    steps_total: steps.length,
    amount: amount(goal, latest(ordered, 'amount')),
    ability: ability(goal, latest(ordered, 'ability')),
    gas_level: latest(ordered, 'gas_level'),
    last_checkin: latestDay !== null ? dayText(latestDay) : null,
    review_due_on: dueOn !== null ? dayText(dueOn) : null,
    review_due: dueOn !== null && status === 'active' && todayNumber >= dueOn,
  };
}

const blank = (text) => typeof text !== 'string' || !text.trim();

/**
 * What the plan builder must explain next to each field, by field; {} when nothing.
 * `start` is the day the goal starts: today for a new goal, its first day for an edit.
 */
export function goalProblems(goal, { start }) {
  const startNumber = dayNumber(start);
  const startText = dayText(startNumber);
  const problems = {};
  if (blank(field(goal, 'title'))) {
    problems.title = 'Give the goal a title: a task you want to be able to do.';
  }
  const baseline = field(goal, 'baseline');
  const target = field(goal, 'target');
  if (baseline !== null && target !== null && baseline === target) {
    problems.target = targetProblem(baseline);
  }
  const targetDate = field(goal, 'target_date');
  if (targetDate !== null && dayNumber(targetDate) < startNumber) {
    problems.target_date = `The target date ${dayText(dayNumber(targetDate))} is before the `
      + `start, ${startText}.`;
  }
  (field(goal, 'steps') ?? []).forEach((step, index) => {
    if (blank(field(step, 'title'))) {
      problems[`steps[${index}].title`] = `Give step ${index + 1} a title.`;
    }
    const due = field(step, 'due_date');
    if (due !== null && dayNumber(due) < startNumber) {
      problems[`steps[${index}].due_date`] = `Step ${index + 1} is due on `
        + `${dayText(dayNumber(due))}, before the start, ${startText}.`;
    }
  });
  const levels = field(goal, 'gas_levels');
  if (levels !== null && (levels.length !== 5 || levels.some(blank))) {
    problems.gas_levels = 'Goal Attainment Scaling needs all five levels, −2 to +2.';
  }
  return problems;
}
