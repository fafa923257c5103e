// When the weekly review is due, and the week a review belongs to. Today asks, so this
// module is part of the first load: it stays small and imports only dates.js. The week's
// numbers and the check of the answers live with the screen (screens/review.js).

import { addDays, localDate, parseLocalDate } from './dates.js';

/** From this day of the week on (0 = Monday … 4 = Friday) a week without a review has one due. */
export const DUE_FROM_WEEKDAY = 4;
/** …and earlier in the week too, once the last review is this many days old. */
export const REVIEW_EVERY_DAYS = 7;

const daysBetween = (from, to) => Math.round((parseLocalDate(to) - parseLocalDate(from)) / 86400000);

/** The Monday (YYYY-MM-DD) of the week that `day` falls in. */
export function weekStart(day) {
  return addDays(day, -((parseLocalDate(day).getDay() + 6) % 7));
}

/** The local day a review was made: when it was created, else the Sunday of its week. */
function reviewDay(review) {
  if (review.created_at) return localDate(new Date(review.created_at));
  return review.week_start ? addDays(review.week_start, 6) : null;
}

/**
 * Whether Today marks the weekly review as due: no review for this week yet, and either it
 * is Friday or later, or the last review is at least a week old.
 */
export function reviewDue({ today, reviews = [] }) {
  const thisWeek = weekStart(today);
  if (reviews.some((review) => review.week_start === thisWeek)) return false;
  if (daysBetween(thisWeek, today) >= DUE_FROM_WEEKDAY) return true;
  const last = reviews.map(reviewDay).filter((day) => day && day <= today).sort().at(-1);
  return last !== undefined && daysBetween(last, today) >= REVIEW_EVERY_DAYS;
}
