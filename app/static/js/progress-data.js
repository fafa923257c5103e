// The numbers behind the Progress charts, their one-line summaries and their tables.
// Function comes first everywhere: it is what the plan is about. Pure: no DOM, no store.

import { addDays, localDate } from './dates.js';
import { gasTScore } from './rules/goals.js';
import {
  ACTIVITY_MDC, IMPROVED, MEAN_MDC, NO_REAL_CHANGE, NOT_COMPARABLE, WORSE, activityKey, psfsChange,
} from './rules/outcomes.js';
import { score } from './rules/scoring.js';

const mean = (values) => {
  const numbers = values.filter((v) => typeof v === 'number');
  return numbers.length ? numbers.reduce((a, b) => a + b, 0) / numbers.length : null;
};
export const round1 = (value) => (value === null ? null : Math.round(value * 10) / 10);

export const DIARY_KEYS = [['function', 'Function'], ['interference', 'Interference'], ['pain', 'Pain']];

/**
 * Daily means of function, interference and pain over the last `days` days (only days
 * with a check-in), oldest first.
 */
export function dailySeries(entries, { days = 90, today = localDate() } = {}) {
  const from = addDays(today, -(days - 1));
  const byDay = new Map();
  for (const entry of entries) {
    if (!entry.local_date || entry.local_date < from || entry.local_date > today) continue;
    if (!byDay.has(entry.local_date)) byDay.set(entry.local_date, []);
    byDay.get(entry.local_date).push(entry);
  }
  const dates = [...byDay.keys()].sort();
  const series = { dates };
  for (const [key] of DIARY_KEYS) {
    series[key] = dates.map((d) => round1(mean(byDay.get(d).map((e) => e[key]))));
  }
  return series;
}

/** "Last 7 days, on average: function 6.2, interference 3, pain 4 (the 7 days before: …)." */
export function diarySummary(entries, { today = localDate() } = {}) {
  const window = (fromDays, toDays) => entries.filter((e) =>
    e.local_date >= addDays(today, -fromDays) && e.local_date <= addDays(today, -toDays));
  const recent = window(6, 0);
  if (recent.length === 0) return 'No check-ins in the last 7 days.';
  const before = window(13, 7);
  const part = (list) => DIARY_KEYS
    .map(([key, label]) => [label.toLowerCase(), mean(list.map((e) => e[key]))])
    .filter(([, value]) => value !== null)
    .map(([label, value]) => `${label} ${round1(value)}`).join(', ');
  const earlier = before.length ? part(before) : '';
  return `Last 7 days, on average: ${part(recent)}${earlier ? ` (the 7 days before: ${earlier})` : ''}.`;
}

/** Finished pacing sessions, oldest first, as table rows. */
export function pacingRows(sessions) {
  return sessions.filter((s) => s.ended_at).sort((a, b) => String(a.started_at).localeCompare(String(b.started_at)))
    .map((s) => ({
      date: localDate(new Date(s.started_at)), activity: s.activity ?? '', unit: s.unit ?? '',
      plan_id: s.plan_id ?? null, kind: s.kind ?? null,
      planned: typeof s.planned === 'number' ? s.planned : null,
      achieved: typeof s.achieved === 'number' ? s.achieved : null,
      met: typeof s.planned === 'number' && typeof s.achieved === 'number' && s.achieved >= s.planned,
    }));
}

export function pacingSummary(rows, { today = localDate() } = {}) {
  const recent = rows.filter((r) => r.date >= addDays(today, -13) && r.planned !== null);
  if (rows.length === 0) return 'No pacing sessions yet.';
  if (recent.length === 0) return `${rows.length} ${rows.length === 1 ? 'session' : 'sessions'} in all; none with a quota in the last 14 days.`;
  const met = recent.filter((r) => r.met).length;
  return `Last 14 days: quota met in ${met} of ${recent.length} ${recent.length === 1 ? 'session' : 'sessions'}.`;
}

/** Unix seconds at local midnight of a YYYY-MM-DD day, uPlot's x values. */
export const daySeconds = (day) => {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y, m - 1, d).getTime() / 1000;
};

// -- function first: PSFS, goal ability, goal attainment, quotas ------------------------------

/** Records of a dated kind oldest first: by `local_date`, then by when they were made. */
export const byDay = (records) => [...records].sort((a, b) =>
  String(a.local_date).localeCompare(String(b.local_date))
  || String(a.created_at ?? '').localeCompare(String(b.created_at ?? '')));

/**
 * A questionnaire response's score: the server's when it has one, otherwise scored here
 * with the shared rule (a response made offline); null when its answers cannot be scored.
 */
export function responseScore(response) {
  if (typeof response.score === 'number') return response.score;
  try {
    return score(response.instrument, response.answers);
  } catch {
    return null;
  }
}

const psfsOf = (responses) => byDay(responses.filter((r) => r.instrument === 'psfs' && r.local_date))
  .map((r) => ({ response: r, score: responseScore(r) }))
  .filter(({ score: value }) => value !== null);

/**
 * PSFS over time, oldest first: the mean and each activity's score (null where a response
 * did not rate it; activities matched by name, case and spacing ignored), the real-change
 * band around the first mean (± the 2-point minimal detectable change, Stratford 1995) and
 * the change from the first response to the latest, labelled by the shared rule.
 */
export function psfsSeries(responses) {
  const rated = psfsOf(responses);
  const activities = [];
  const index = new Map();
  for (const { response } of rated) {
    for (const item of response.answers?.activities ?? []) {
      const key = activityKey(item.activity);
      if (!index.has(key)) {
        index.set(key, activities.length);
        activities.push({ key, name: item.activity, scores: [] });
      }
    }
  }
  for (const { response } of rated) {
    const scores = new Map((response.answers?.activities ?? []).map((item) => [activityKey(item.activity), item.score]));
    for (const activity of activities) activity.scores.push(scores.has(activity.key) ? scores.get(activity.key) : null);
  }
  const first = rated[0] ?? null;
  const last = rated.length > 1 ? rated[rated.length - 1] : null;
  let change = null;
  if (first && last) {
    try {
      change = psfsChange({ before: first.response.answers, after: last.response.answers });
    } catch {
      change = null;
    }
  }
  return {
    dates: rated.map(({ response }) => response.local_date),
    mean: rated.map(({ score: value }) => value),
    activities,
    band: first ? [Math.max(0, first.score - MEAN_MDC), Math.min(10, first.score + MEAN_MDC)] : null,
    change,
  };
}

const signed = (value) => (value > 0 ? `up ${value}` : value < 0 ? `down ${-value}` : 'no change');

/** What a change means against the minimal detectable change, in words. */
export function changeWords(label) {
  if (label === IMPROVED) return 'a real change for the better';
  if (label === WORSE) return 'a real change for the worse';
  if (label === NO_REAL_CHANGE) return 'within measurement noise, not yet a real change';
  return 'not comparable: different activities';
}

/** The PSFS chart's one line: latest mean, and the change from the first score in words. */
export function psfsSummary(series) {
  const count = series.dates.length;
  if (count === 0) return 'No PSFS answers yet.';
  const latest = `${series.mean[count - 1]} of 10 on ${series.dates[count - 1]}`;
  if (count === 1) {
    return `Your first PSFS mean: ${latest}. A change of ${MEAN_MDC} points or more from it will be a real change.`;
  }
  const change = series.change;
  if (!change || change.label === NOT_COMPARABLE) {
    return `Latest PSFS mean ${latest}; it shares no activity with the first answers, so the change cannot be judged.`;
  }
  return `Latest PSFS mean ${latest}: ${signed(change.mean_change)} since the first (${series.dates[0]}), `
    + `${changeWords(change.label)} (a real change is ${MEAN_MDC} points in the mean or ${ACTIVITY_MDC} in one activity).`;
}

/** Each activity's change from the first to the latest PSFS answers, in words. */
export function psfsActivityLines(series) {
  return (series.change?.activities ?? []).map((row) => `${row.activity}: ${row.before} → ${row.after}, `
    + `${row.change === 0 ? 'no change' : `${signed(row.change)} ${Math.abs(row.change) === 1 ? 'point' : 'points'}`}, ${changeWords(row.label)}`);
}

/**
 * Goal ability (0–10) over time: the days with a rated check-in, and one series per goal
 * (the day's last rating; null on days without one). Goals without ratings are left out.
 */
export function abilitySeries(goals, checkins) {
  const rated = byDay(checkins.filter((c) => typeof c.ability === 'number' && c.local_date));
  const dates = [...new Set(rated.map((c) => c.local_date))].sort();
  const series = [];
  for (const goal of goals) {
    const own = rated.filter((c) => c.goal_id === goal.id);
    if (own.length === 0) continue;
    const byDate = new Map(own.map((c) => [c.local_date, c.ability]));
    series.push({ goal, values: dates.map((d) => (byDate.has(d) ? byDate.get(d) : null)),
      first: typeof goal.ability_baseline === 'number' ? goal.ability_baseline : own[0].ability,
      latest: own[own.length - 1].ability });
  }
  return { dates, series };
}

export function abilitySummary({ series }) {
  if (series.length === 0) return 'No ability ratings yet: rate how well you can do a goal when you check in on it.';
  return `${series.map((s) => `${s.goal.title}: ${s.first === s.latest ? `${s.latest} of 10`
    : `${s.first} → ${s.latest} of 10`}`).join('; ')}.`;
}

/**
 * The Goal Attainment Scaling T-score (design §5) over time: on each day a goal was rated,
 * the T-score of every scaled goal's latest level up to that day. Only goals with their
 * five levels written count; 50 means the goals are met as expected.
 */
export function gasSeries(goals, checkins) {
  const scaled = goals.filter((g) => Array.isArray(g.gas_levels) && g.gas_levels.length === 5);
  const ids = new Set(scaled.map((g) => g.id));
  const rated = byDay(checkins.filter((c) => ids.has(c.goal_id) && typeof c.gas_level === 'number' && c.local_date));
  const dates = [...new Set(rated.map((c) => c.local_date))].sort();
  const scores = dates.map((day) => {
    const levels = new Map();
    for (const c of rated) if (c.local_date <= day) levels.set(c.goal_id, c.gas_level);
    try {
      return gasTScore(scaled.map((g) => ({ level: levels.get(g.id) ?? null,
        weight: typeof g.gas_weight === 'number' ? g.gas_weight : null })));
    } catch {
      return null;
    }
  });
  const kept = dates.map((d, i) => [d, scores[i]]).filter(([, s]) => s !== null);
  return { dates: kept.map(([d]) => d), scores: kept.map(([, s]) => s), goals: scaled.length };
}

export function gasSummary({ dates, scores }) {
  if (dates.length === 0) return null;
  const latest = scores[scores.length - 1];
  const where = latest > 50 ? 'better than expected' : latest < 50 ? 'not yet where expected' : 'as expected';
  return `Goal attainment T-score ${latest} on ${dates[dates.length - 1]} (50 = goals met as expected; ${where})`
    + `${dates.length > 1 ? `, ${scores[0]} on ${dates[0]}` : ''}.`;
}

/**
 * Each pacing plan's quota over time: its paced sessions oldest first with the quota they
 * were planned at and what was achieved; tolerance trials show as achieved only.
 */
export function quotaSeries(plans, sessions) {
  return plans.map((plan) => {
    const rows = pacingRows(sessions.filter((s) => s.plan_id === plan.id));
    return { plan, rows, current: typeof plan.quota === 'number' ? plan.quota : null };
  });
}

export function quotaSummary({ plan, rows, current }, { today = localDate() } = {}) {
  const unit = plan.unit ?? 'minutes';
  const amount = (value) => `${formatNumber(value)} ${unit}`;
  const quotas = rows.filter((r) => r.planned !== null);
  const parts = [];
  if (current === null) parts.push('No quota yet: tolerance trials first');
  else if (quotas.length && quotas[0].planned !== current) parts.push(`Quota ${amount(quotas[0].planned)} on ${quotas[0].date}, now ${amount(current)}`);
  else parts.push(`Quota ${amount(current)}`);
  if (rows.length === 0) parts.push('no sessions yet');
  else parts.push(pacingSummary(rows, { today }).replace(/\.$/, '').replace(/^L/, 'l'));
  return `${parts.join('; ')}.`;
}

const formatNumber = (value) => (Number.isInteger(value) ? String(value) : String(Math.round(value * 10) / 10));
