import assert from 'node:assert/strict';
import { test } from 'node:test';

import { BODY_AREAS, areaLabel, entrySummary, entryToForm, formToEntry } from '../../app/static/js/diary.js';

test('pain alone makes a check-in; everything else may stay empty', () => {
  const { fields } = formToEntry({ ...entryToForm(), pain: 3 });
  assert.equal(fields.pain, 3);
  assert.equal(fields.function, null);
  assert.equal(fields.activities, null);
  assert.equal(fields.flare, null);
});

test('a check-in without pain is refused with a reason', () => {
  const result = formToEntry(entryToForm());
  assert.equal(result.field, 'pain');
  assert.match(result.error, /pain/i);
});

test('sleep hours must lie within 0–24', () => {
  assert.equal(formToEntry({ ...entryToForm(), pain: 1, sleep_hours: '25' }).field, 'sleep_hours');
  assert.equal(formToEntry({ ...entryToForm(), pain: 1, sleep_hours: '6,5' }).fields.sleep_hours, 6.5);
});

test('an entry survives a round trip through the form', () => {
  const entry = { pain: 4, interference: 3, function: 6, mood: 7, fatigue: 2, sleep_hours: 7.5,
    sleep_quality: 6, flare: true, body_areas: ['knee_left', 'neck'], activities: ['walk', 'cooking'],
    medications: 'ibuprofen', notes: 'a good day' };
  const { fields } = formToEntry(entryToForm(entry));
  assert.deepEqual(fields, { ...entry, body_areas: ['neck', 'knee_left'] });
});

test('the summary puts function first and pain beside it', () => {
  assert.equal(entrySummary({ pain: 4, interference: 3, function: 6 }), 'Function 6 · Interference 3 · Pain 4');
  assert.equal(entrySummary({ pain: 0 }), 'Pain 0');
});

test('body areas: sided regions have left and right, plus widespread', () => {
  assert.ok(BODY_AREAS.includes('widespread'));
  assert.ok(BODY_AREAS.includes('knee_left') && BODY_AREAS.includes('knee_right'));
  assert.equal(new Set(BODY_AREAS).size, BODY_AREAS.length);
  assert.equal(areaLabel('ankle_foot_right'), 'Ankle and foot (right)');
  assert.equal(areaLabel('lower_back'), 'Lower back');
});
