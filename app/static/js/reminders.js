// Which reminders are due: the app shows them when it opens and notifies while it is open.

import { clockTime, localDate, weekdayOf } from './dates.js';

export const REMINDER_KINDS = {
  daily_log: 'Log today’s check-in',
  pacing: 'Time for a pacing session',
  review: 'Time for your weekly review',
  custom: 'Reminder',
};

export function reminderText(reminder) {
  const message = (reminder.message ?? '').trim();
  return message || REMINDER_KINDS[reminder.kind] || 'Reminder';
}

/**
 * Enabled reminders set for today whose time has come, that the person has not yet seen
 * today. `seen` maps a reminder id to the last local day it was shown.
 */
export function dueReminders(reminders, now, seen = {}) {
  const today = localDate(now);
  const weekday = weekdayOf(now);
  const time = clockTime(now);
  return reminders
    .filter((r) => r.enabled !== false && (r.days ?? [0, 1, 2, 3, 4, 5, 6]).includes(weekday))
    .filter((r) => typeof r.time === 'string' && r.time <= time && seen[r.id] !== today)
    .sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
}
