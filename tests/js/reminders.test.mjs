import assert from 'node:assert/strict';
import { test } from 'node:test';

import { dueReminders, reminderText } from '../../app/static/js/reminders.js';

const friday0930 = new Date(2026, 10, 27, 9, 30);
const r = (id, fields) => ({ id, kind: 'daily_log', time: '09:00', days: [0, 1, 2, 3, 4, 5, 6], enabled: true, ...fields });

test('a reminder is due once its time has come on one of its days', () => {
  const due = dueReminders([r('a'), r('b', { time: '10:00' }), r('c', { days: [0] }), r('d', { enabled: false })], friday0930);
  assert.deepEqual(due.map((x) => x.id), ['a']);
});

test('a reminder seen today is not due again until tomorrow', () => {
  assert.deepEqual(dueReminders([r('a')], friday0930, { a: '2026-11-27' }), []);
  assert.deepEqual(dueReminders([r('a')], friday0930, { a: '2026-11-26' }).map((x) => x.id), ['a']);
});

test('due reminders come in time order; the message wins over the kind', () => {
  const due = dueReminders([r('late', { time: '09:15' }), r('early', { time: '07:00', message: ' Stretch ' })], friday0930);
  assert.deepEqual(due.map((x) => x.id), ['early', 'late']);
  assert.equal(reminderText(due[0]), 'Stretch');
  assert.equal(reminderText(due[1]), 'Log today’s check-in');
});
