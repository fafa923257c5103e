// An iCalendar (RFC 5545) file of the patient's reminders, made on the device, so that any
// calendar app can remind them without an outside service.

import { weekdayOf, localDate, parseLocalDate } from './dates.js';
import { reminderText } from './reminders.js';

const BYDAY = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];

/** Escape a TEXT value: backslash, semicolon, comma and line breaks. */
export function escapeText(text) {
  return String(text)
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n');
}

/** Fold a content line to at most 75 octets per line, continuing with CRLF and a space. */
export function foldLine(line) {
  const encoder = new TextEncoder();
  const out = [];
  let current = '';
  let size = 0;
  for (const char of line) {
    const bytes = encoder.encode(char).length;
    const limit = out.length === 0 ? 75 : 74; // continuation lines start with a space
    if (size + bytes > limit) {
      out.push(current);
      current = '';
      size = 0;
    }
    current += char;
    size += bytes;
  }
  out.push(current);
  return out.join('\r\n ');
}

const stamp = (when) => when.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

/** The first day on or after `from` (YYYY-MM-DD) whose weekday (0 = Monday) is in `days`. */
export function firstOccurrence(from, days) {
  let day = from;
  for (let i = 0; i < 7; i += 1) {
    if (days.includes(weekdayOf(parseLocalDate(day)))) return day;
    const next = parseLocalDate(day);
    next.setDate(next.getDate() + 1);
    day = localDate(next);
  }
  return null;
}

/**
 * One VEVENT per enabled reminder with at least one day: a weekly rule on its weekdays at
 * its local ("floating") time, with an alarm at that time.
 */
export function remindersToIcs(reminders, { now = new Date() } = {}) {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Pacewise//Reminders//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    'X-WR-CALNAME:Pacewise reminders',
  ];
  const today = localDate(now);
  for (const reminder of reminders) {
    const days = [...new Set(reminder.days ?? [0, 1, 2, 3, 4, 5, 6])].sort((a, b) => a - b);
    if (reminder.enabled === false || days.length === 0) continue;
    const first = firstOccurrence(today, days);
    const [hh, mm] = reminder.time.split(':');
    const text = reminderText(reminder);
    lines.push(
      'BEGIN:VEVENT',
      `UID:${reminder.id}@pacewise`,
      `DTSTAMP:${stamp(now)}`,
      `DTSTART:${first.replace(/-/g, '')}T${hh}${mm}00`,
      'DURATION:PT10M',
      `RRULE:FREQ=WEEKLY;BYDAY=${days.map((d) => BYDAY[d]).join(',')}`,
      `SUMMARY:${escapeText(`Pacewise: ${text}`)}`,
      'TRANSP:TRANSPARENT',
      'BEGIN:VALARM',
      'ACTION:DISPLAY',
      `DESCRIPTION:${escapeText(text)}`,
      'TRIGGER:PT0M',
      'END:VALARM',
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return lines.map(foldLine).join('\r\n') + '\r\n';
}
