// Real change between two PSFS responses (design §5). Mirrors app/services/outcomes.py,
// where the choices are explained; both are checked against tests/vectors/psfs_change.json.
// Minimal detectable change: 2 points for the mean, 3 for one activity (Stratford 1995).

import { round2 } from './numbers.js';
import { psfsActivities } from './scoring.js';

export const MEAN_MDC = 2;
export const ACTIVITY_MDC = 3;
export const IMPROVED = 'improved';
export const WORSE = 'worse';
export const NO_REAL_CHANGE = 'no real change';
export const NOT_COMPARABLE = 'not comparable';

/** The name two PSFS responses are matched on: case and spacing ignored. */
export function activityKey(name) {
  return name.split(/\s+/).filter(Boolean).join(' ').toLowerCase();
}

/** Label a change against a minimal detectable change. */
export function changeLabel(change, threshold) {
  if (change >= threshold) return IMPROVED;
  if (change <= -threshold) return WORSE;
  return NO_REAL_CHANGE;
}

function answers(value, which) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`psfs ${which} answers must be an object`);
  }
  return psfsActivities(value.activities, `psfs ${which}`);
}

function byName(activities) {
  const named = new Map();
  for (const item of activities) {
    const key = activityKey(item.activity);
    if (!named.has(key)) named.set(key, [item.activity, item.score]);
  }
  return named;
}

/** Compare two PSFS answers: mean and per-activity change, each labelled real or not. */
export function psfsChange({ before, after }) {
  const earlier = byName(answers(before, 'before'));
  const later = byName(answers(after, 'after'));
  const rows = [];
  for (const [key, [name, score]] of later) {
    if (!earlier.has(key)) continue;
    const change = score - earlier.get(key)[1];
    rows.push({ activity: name, before: earlier.get(key)[1], after: score, change,
      label: changeLabel(change, ACTIVITY_MDC) });
  }
  const added = [...later].filter(([key]) => !earlier.has(key)).map(([, [name]]) => name);
  const dropped = [...earlier].filter(([key]) => !later.has(key)).map(([, [name]]) => name);
  if (rows.length === 0) {
    return { label: NOT_COMPARABLE, mean_before: null, mean_after: null, mean_change: null,
      activities: [], added, dropped };
  }
  const count = rows.length;
  const totalBefore = rows.reduce((sum, row) => sum + row.before, 0);
  const totalAfter = rows.reduce((sum, row) => sum + row.after, 0);
  const meanChange = round2((totalAfter - totalBefore) / count);
  return {
    label: changeLabel(meanChange, MEAN_MDC),
    mean_before: round2(totalBefore / count),
    mean_after: round2(totalAfter / count),
    mean_change: meanChange,
    activities: rows,
    added,
    dropped,
  };
}
