// Quota-based pacing for the offline phone (design §5): the baseline from tolerance trials
// and the quota suggestion (advance, hold, step back). Mirrors app/services/pacing.py, whose
// docstring sets out every choice and its source; both are checked against
// tests/vectors/pacing_baseline.json and pacing_suggestion.json. The app suggests; the
// patient or clinician accepts: nothing here changes a plan.
//
// Inputs are wire records; moments become the patient's local days through `timezone`.

import { dayNumber, field, localDay, momentMs, round2, shown } from './numbers.js';

export const UNIT_STEPS = { minutes: 1, repetitions: 1, metres: 10 };
export const BASELINE_SHARE = 0.8;
export const TRIAL_DAYS_NEEDED = 3;
export const WINDOW_DAYS = 7;
export const MET_DAYS_NEEDED = 5;
export const SETTLES_WITHIN_MINUTES = 60;
export const DEFAULT_INCREASE_PERCENT = 10;
export const DEFAULT_INCREASE_EVERY_DAYS = 7;
const SLACK = 1e-9; // forgives binary noise such as 20 * 1.15 = 22.999999999999996

/** The smallest change of a quota in `unit`; throws for an unknown unit. */
export function unitStep(unit) {
  if (!Object.prototype.hasOwnProperty.call(UNIT_STEPS, unit)) {
    throw new Error(`unit ${shown(unit)} is not one of minutes, repetitions, metres`);
  }
  return UNIT_STEPS[unit];
}

/** Round down to a whole unit: a minute, a repetition, or 10 metres. */
export function roundDown(amount, unit) {
  const step = unitStep(unit);
  return Math.floor(amount / step + SLACK) * step;
}

/** '9 minutes', '1 repetition', '12.5 minutes', '250 metres'. */
export function amountText(amount, unit) {
  const number = round2(amount);
  return `${number} ${number === 1 ? unit.slice(0, -1) : unit}`;
}

/** The baseline and first quota from tolerance trials, or null ones with the reason. */
export function pacingBaseline({ sessions, unit, timezone = 'UTC' }) {
  unitStep(unit);
  const byDay = new Map();
  for (const session of sessions) {
    const achieved = field(session, 'achieved');
    const sessionUnit = field(session, 'unit');
    if (field(session, 'kind') !== 'trial' || achieved === null
        || (sessionUnit !== null && sessionUnit !== unit)) continue;
    const day = localDay(field(session, 'started_at'), timezone);
    if (!byDay.has(day)) byDay.set(day, []);
    byDay.get(day).push(achieved);
  }
  const days = byDay.size;
  if (days < TRIAL_DAYS_NEEDED) {
    let reason = `${days} of ${TRIAL_DAYS_NEEDED} trials done`;
    const trials = [...byDay.values()].reduce((sum, amounts) => sum + amounts.length, 0);
    if (trials > days) reason += ' (trials on the same day count once)';
    return { baseline: null, quota: null, trial_days: days, mean: null, reason };
  }
  const dayMeans = [...byDay.keys()].sort((a, b) => a - b).map((day) => {
    const amounts = byDay.get(day);
    return amounts.reduce((a, b) => a + b, 0) / amounts.length;
  });
  const mean = dayMeans.reduce((a, b) => a + b, 0) / days;
  const baseline = roundDown(mean * BASELINE_SHARE, unit);
  if (baseline <= 0) {
    return { baseline: null, quota: null, trial_days: days, mean: round2(mean),
      reason: `Your trials averaged ${amountText(mean, unit)}: too little to set a quota from. `
        + 'Talk it through with your clinician.' };
  }
  return {
    baseline,
    quota: baseline,
    trial_days: days,
    mean: round2(mean),
    reason: `You managed ${amountText(mean, unit)} on average over ${days} days. Your starting `
      + `quota is 80% of that, rounded down: ${amountText(baseline, unit)}.`,
  };
}

/**
 * The local days (day numbers) touched by a flare up to today, and whether one is on now.
 * An episode that ended within an hour of starting is soreness that settled: not a flare.
 */
export function flareDays({ flares = [], diary = [], today, timezone = 'UTC' }) {
  const todayNumber = dayNumber(today);
  const days = new Set();
  let now = false;
  for (const flare of flares) {
    const started = field(flare, 'started_at');
    const ended = field(flare, 'ended_at');
    if (started === null) continue;
    const first = localDay(started, timezone);
    let last;
    if (ended === null) {
      last = todayNumber;
      now = now || first <= todayNumber;
    } else {
      if ((momentMs(ended) - momentMs(started)) / 60000 < SETTLES_WITHIN_MINUTES) continue;
      const ends = localDay(ended, timezone);
      last = Math.min(ends, todayNumber);
      now = now || (first <= todayNumber && todayNumber < ends);
    }
    for (let day = first; day <= last; day += 1) days.add(day);
  }
  for (const entry of diary) {
    if (field(entry, 'flare') !== true) continue;
    const day = dayNumber(field(entry, 'local_date'));
    if (day <= todayNumber) {
      days.add(day);
      now = now || day === todayNumber;
    }
  }
  return { days, now };
}

function suggestion(action, quota, reason, metDays) {
  return { action, quota, reason, met_days: metDays };
}

/** Quota sessions by local day: [{ms, planned, achieved}]. */
function quotaSessions(sessions, unit, timezone) {
  const done = new Map();
  for (const session of sessions) {
    const achieved = field(session, 'achieved');
    const started = field(session, 'started_at');
    const sessionUnit = field(session, 'unit');
    if (field(session, 'kind') !== 'quota' || achieved === null || started === null
        || (sessionUnit !== null && sessionUnit !== unit)) continue;
    const day = localDay(started, timezone);
    if (!done.has(day)) done.set(day, []);
    done.get(day).push({ ms: momentMs(started), planned: field(session, 'planned'), achieved });
  }
  return done;
}

const byMomentThenLevel = (a, b) => a.ms - b.ms || a.planned - b.planned;

/** The first day of the latest unbroken run of sessions planned at `quota` (see pacing.py). */
function quotaSince(done, quota) {
  const planned = [];
  for (const [day, items] of done) {
    for (const item of items) if (item.planned !== null) planned.push({ ...item, day });
  }
  planned.sort((a, b) => byMomentThenLevel(a, b) || a.day - b.day);
  let since = null;
  for (const item of planned.reverse()) {
    if (Math.abs(item.planned - quota) > SLACK) break;
    since = item.day;
  }
  return since;
}

/** The quota to step back to in the flare that is on today (see pacing.py). */
function comfortableLevel(plan, done, flared, today, met, step) {
  let start = today;
  while (flared.has(start - 1)) start -= 1;
  const before = [];
  for (const [day, items] of done) {
    if (day >= start) continue;
    for (const item of items) if (item.planned !== null) before.push(item);
  }
  before.sort(byMomentThenLevel);
  const previous = before.length ? before[before.length - 1].planned : field(plan, 'quota');
  const baseline = field(plan, 'baseline');
  const days = [...done.keys()].filter((day) => day < start).sort((a, b) => a - b);
  const levels = [...new Set(before.map((item) => item.planned)
    .filter((level) => level < previous - SLACK))].sort((a, b) => b - a);
  for (const level of levels) {
    const metDays = days.filter((day) => met(day, level));
    const steady = metDays.some((day) => metDays.filter(
      (other) => other - day >= 0 && other - day < WINDOW_DAYS).length >= MET_DAYS_NEEDED);
    if (steady) return baseline === null ? level : Math.max(level, baseline);
  }
  if (baseline !== null) return baseline;
  const unit = field(plan, 'unit') || 'minutes';
  return Math.min(previous, Math.max(step, roundDown(previous * BASELINE_SHARE, unit)));
}

/** Suggest the next quota: advance, hold or step back, with the reason in plain words. */
export function suggestQuota({
  plan, sessions = [], today, flares = [], diary = [], timezone = 'UTC',
}) {
  const quota = field(plan, 'quota');
  const unit = field(plan, 'unit') || 'minutes';
  const step = unitStep(unit);
  if (field(plan, 'active') === false) {
    return suggestion('none', quota, 'This pacing plan is paused.', 0);
  }
  if (quota === null || quota <= 0) {
    return suggestion('none', null,
      'Do three tolerance trials on separate days to set your starting quota.', 0);
  }
  const todayNumber = dayNumber(today);
  const { days: flared, now: inFlare } = flareDays({ flares, diary, today, timezone });
  const done = quotaSessions(sessions, unit, timezone);
  const perDay = field(plan, 'sessions_per_day') || 1;
  const met = (day, level) => {
    const reached = (done.get(day) ?? []).filter((item) => item.achieved >= level - SLACK);
    return !flared.has(day) && reached.length >= perDay;
  };
  let metDays = 0;
  for (let back = 1; back <= WINDOW_DAYS; back += 1) {
    if (met(todayNumber - back, quota)) metDays += 1;
  }
  const now = amountText(quota, unit);
  const hold = (reason) => suggestion('hold', quota, reason, metDays);
  if (inFlare) {
    const target = comfortableLevel(plan, done, flared, todayNumber, met, step);
    if (quota <= target + SLACK) {
      return hold(`You are in a flare. Keep to ${now}, on good days and bad, until it settles. `
        + 'Then build up again step by step.');
    }
    return suggestion('step_back', target, `You are in a flare. Step back to `
      + `${amountText(target, unit)}, your last comfortable level, until it settles. Then build `
      + 'up again step by step.', metDays);
  }
  const percent = field(plan, 'increase_percent') ?? DEFAULT_INCREASE_PERCENT;
  const every = field(plan, 'increase_every_days') || DEFAULT_INCREASE_EVERY_DAYS;
  if (percent <= 0) return hold(`Your plan has no increase set, so your quota stays at ${now}.`);
  if ([...flared].some((day) => todayNumber - WINDOW_DAYS <= day && day <= todayNumber)) {
    return hold(`You had a flare in the last ${WINDOW_DAYS} days. Keep to ${now} until you have `
      + `had ${WINDOW_DAYS} days without one.`);
  }
  const given = field(plan, 'quota_since');
  const since = given !== null ? dayNumber(given) : quotaSince(done, quota);
  const daysSince = since !== null ? todayNumber - since : 0;
  if (daysSince < every) {
    const started = daysSince <= 0 ? 'is new'
      : `started ${daysSince} day${daysSince > 1 ? 's' : ''} ago`;
    return hold(`Your quota of ${now} ${started}. It can rise after ${every} days.`);
  }
  if (metDays < MET_DAYS_NEEDED) {
    return hold(`You met your quota of ${now} on ${metDays} of the last ${WINDOW_DAYS} days. `
      + `It can rise once you meet it on ${MET_DAYS_NEEDED} of ${WINDOW_DAYS}.`);
  }
  const raised = Math.max(roundDown(quota * (100 + percent) / 100, unit),
    roundDown(quota, unit) + step);
  return suggestion('advance', raised, `You met your quota of ${now} on ${metDays} of the last `
    + `${WINDOW_DAYS} days without a flare. You could step up to ${amountText(raised, unit)}.`,
  metDays);
}
