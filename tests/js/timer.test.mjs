import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  achievedMinutes, elapsedSeconds, formatClock, msUntilQuota, sessionProgress, spokenDuration,
} from '../../app/static/js/timer.js';

const start = '2026-11-27T09:00:00.000Z';
const at = (seconds) => Date.parse(start) + seconds * 1000;

test('elapsed time comes from the start time, so a frozen page loses nothing', () => {
  // Nothing ticked while the screen was locked for 7 minutes: the reading is still right.
  assert.equal(elapsedSeconds(start, at(7 * 60 + 5)), 425);
  assert.equal(elapsedSeconds(start, at(-30)), 0, 'a clock set back never gives negative time');
  assert.equal(elapsedSeconds('not a date', at(10)), 0);
});

test('a timed quota is reached at the quota, not before', () => {
  const before = sessionProgress({ startedAt: start, now: at(599), unit: 'minutes', quota: 10 });
  assert.equal(before.reached, false);
  assert.equal(before.remaining, 1);
  const reached = sessionProgress({ startedAt: start, now: at(600), unit: 'minutes', quota: 10 });
  assert.equal(reached.reached, true);
  assert.equal(reached.fraction, 1);
  const past = sessionProgress({ startedAt: start, now: at(900), unit: 'minutes', quota: 10 });
  assert.equal(past.remaining, 0);
  assert.equal(past.fraction, 1);
});

test('repetitions and metres are counted by the person, never reached by the clock', () => {
  for (const unit of ['repetitions', 'metres']) {
    const progress = sessionProgress({ startedAt: start, now: at(5000), unit, quota: 10 });
    assert.equal(progress.timed, false);
    assert.equal(progress.reached, false);
    assert.equal(progress.elapsed, 5000);
  }
  assert.equal(sessionProgress({ startedAt: start, now: at(50), unit: 'minutes', quota: null }).timed, false);
});

test('msUntilQuota counts down to the quota from the start time', () => {
  assert.equal(msUntilQuota({ startedAt: start, now: at(0), unit: 'minutes', quota: 2.5 }), 150_000);
  assert.equal(msUntilQuota({ startedAt: start, now: at(200), unit: 'minutes', quota: 2.5 }), 0);
  assert.equal(msUntilQuota({ startedAt: start, now: at(0), unit: 'metres', quota: 100 }), null);
});

test('clock and spoken formats', () => {
  assert.equal(formatClock(0), '0:00');
  assert.equal(formatClock(65), '1:05');
  assert.equal(formatClock(3725), '1:02:05');
  assert.equal(spokenDuration(65), '1 minute 5 seconds');
  assert.equal(spokenDuration(120), '2 minutes');
  assert.equal(spokenDuration(1), '1 second');
  assert.equal(achievedMinutes(125), 2.1);
  assert.equal(achievedMinutes(600), 10);
});
