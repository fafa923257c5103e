// Calendar days in the person's own time zone, as the wire's YYYY-MM-DD `local_date`.

const pad = (n) => String(n).padStart(2, '0');

/** The local calendar day of `when` as YYYY-MM-DD. */
export function localDate(when = new Date()) {
  return `${when.getFullYear()}-${pad(when.getMonth() + 1)}-${pad(when.getDate())}`;
}

/** Midnight, local time, at the start of a YYYY-MM-DD day. */
export function parseLocalDate(day) {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y, m - 1, d);
}

export function addDays(day, count) {
  const date = parseLocalDate(day);
  date.setDate(date.getDate() + count);
  return localDate(date);
}

/** 0 = Monday … 6 = Sunday, as reminders store weekdays. */
export function weekdayOf(when) {
  return (when.getDay() + 6) % 7;
}

/** HH:MM of a Date in local time. */
export function clockTime(when) {
  return `${pad(when.getHours())}:${pad(when.getMinutes())}`;
}

const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
export const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday',
  'Saturday', 'Sunday'];

/** "every day", "Mon–Fri", or "Mon, Wed, Fri" for a list of weekday numbers. */
export function describeDays(days) {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  if (sorted.length === 7) return 'every day';
  if (sorted.length === 0) return 'no days';
  if (sorted.join() === '0,1,2,3,4') return 'Mon–Fri';
  if (sorted.join() === '5,6') return 'weekends';
  return sorted.map((d) => DAY_NAMES[d]).join(', ');
}

/** A short readable date: "Fri 27 Nov" (or with the year when it is not this year). */
export function shortDate(day, today = localDate()) {
  const date = parseLocalDate(day);
  const options = { weekday: 'short', day: 'numeric', month: 'short' };
  if (day.slice(0, 4) !== today.slice(0, 4)) options.year = 'numeric';
  return date.toLocaleDateString(undefined, options);
}

// The first load formats dates by hand: the first Intl call of a page costs 20–70 ms (the
// browser loads its locale data), one long task before Today can answer a tap. The app
// speaks English; US English puts the month first and tells time on a 12-hour clock.
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
  'September', 'October', 'November', 'December'];
const usEnglish = (language) => /^en(-US)?$/i.test(language ?? '');
const browserLanguage = () => globalThis.navigator?.language;

/** "Friday, November 27" in US English, "Friday 27 November" otherwise. */
export function dayHeading(when = new Date(), language = browserLanguage()) {
  const weekday = WEEKDAY_NAMES[weekdayOf(when)];
  const month = MONTH_NAMES[when.getMonth()];
  return usEnglish(language) ? `${weekday}, ${month} ${when.getDate()}`
    : `${weekday} ${when.getDate()} ${month}`;
}

/** "09:05 AM" in US English, "09:05" otherwise. */
export function clockLabel(when, language = browserLanguage()) {
  if (!usEnglish(language)) return clockTime(when);
  const hours = when.getHours() % 12 || 12;
  return `${pad(hours)}:${pad(when.getMinutes())} ${when.getHours() < 12 ? 'AM' : 'PM'}`;
}
