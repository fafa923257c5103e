// Reading a goal's check-ins for display. The progress rule itself (steps, amount against
// target, ability) is rules/goals.js, checked against the shared vectors.

/** Check-ins of one goal, oldest first (by day, then by when they were made). */
export function checkinsOf(goalId, checkins) {
  return checkins.filter((c) => c.goal_id === goalId).sort((a, b) =>
    String(a.local_date).localeCompare(String(b.local_date))
    || String(a.created_at ?? '').localeCompare(String(b.created_at ?? '')));
}

/** The latest value of `name` among check-ins given oldest first, or null. */
export function latestOf(checkins, name) {
  for (let i = checkins.length - 1; i >= 0; i -= 1) {
    if (typeof checkins[i][name] === 'number') return checkins[i][name];
  }
  return null;
}

/** The person's time zone, as the shared rules want it. */
export const timeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** Numbers without trailing zeros: 12, 12.5. */
export const formatAmount = (value) => (value === null || value === undefined ? '–'
  : Number.isInteger(value) ? String(value) : String(Math.round(value * 10) / 10));
