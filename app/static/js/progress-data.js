// The numbers behind the Progress charts, their one-line summaries and their tables.
// Function comes first everywhere: it is what the plan is about.

import { addDays, localDate } from './dates.js';

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
