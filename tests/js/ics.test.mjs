import assert from 'node:assert/strict';
import { test } from 'node:test';

import { escapeText, firstOccurrence, foldLine, remindersToIcs } from '../../app/static/js/ics.js';

const now = new Date(2026, 10, 27, 8, 30); // Friday 27 November 2026, local time
const reminder = (fields) => ({ id: 'r1', kind: 'daily_log', time: '09:00', days: [0, 1, 2, 3, 4, 5, 6], enabled: true, ...fields });
const unfold = (text) => text.replace(/\r\n /g, '');

test('a weekly rule on the reminder weekdays at its local time', () => {
  const ics = remindersToIcs([reminder({ days: [0, 2, 4], time: '18:45' })], { now });
  const text = unfold(ics);
  assert.match(text, /\r\nRRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR\r\n/);
  assert.match(text, /\r\nDTSTART:20261127T184500\r\n/, 'floating local time on the first matching day');
  assert.match(text, /\r\nUID:r1@pacewise\r\n/);
  assert.match(text, /\r\nSUMMARY:Pacewise: Log today’s check-in\r\n/);
  assert.match(text, /BEGIN:VALARM\r\nACTION:DISPLAY\r\n/);
  assert.ok(ics.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n'));
  assert.ok(ics.endsWith('END:VCALENDAR\r\n'));
  assert.equal(ics.split('\r\n').filter((l) => l === 'BEGIN:VEVENT').length, 1);
});

test('the first occurrence is the next day on the rule', () => {
  assert.equal(firstOccurrence('2026-11-27', [0]), '2026-11-30'); // Friday -> Monday
  assert.equal(firstOccurrence('2026-11-27', [4]), '2026-11-27');
  assert.equal(firstOccurrence('2026-11-27', []), null);
  const ics = unfold(remindersToIcs([reminder({ days: [6] })], { now }));
  assert.match(ics, /DTSTART:20261129T090000/);
});

test('disabled reminders and reminders without days are left out', () => {
  const ics = remindersToIcs([reminder({ enabled: false }), reminder({ id: 'r2', days: [] })], { now });
  assert.equal(ics.includes('BEGIN:VEVENT'), false);
});

test('text is escaped and long lines are folded at 75 octets', () => {
  assert.equal(escapeText('a;b,c\\d\ne'), 'a\\;b\\,c\\\\d\\ne');
  const message = 'Stretch, then walk; slowly — ünïcödé '.repeat(5);
  const ics = remindersToIcs([reminder({ kind: 'custom', message })], { now });
  for (const line of ics.split('\r\n')) {
    assert.ok(new TextEncoder().encode(line).length <= 75, `line too long: ${line}`);
  }
  assert.ok(unfold(ics).includes(`SUMMARY:Pacewise: ${escapeText(message.trim())}`));
  assert.equal(foldLine('short'), 'short');
});
