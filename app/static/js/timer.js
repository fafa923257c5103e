// Pacing session timer arithmetic. The session keeps its start time, never a ticking
// counter, so a locked screen or a backgrounded app loses nothing: every reading is
// recomputed from the start time and the clock.

/** Whole seconds between the ISO start time and `now` (ms since the epoch); never negative. */
export function elapsedSeconds(startedAt, now) {
  const start = Date.parse(startedAt);
  if (Number.isNaN(start)) return 0;
  return Math.max(0, Math.floor((now - start) / 1000));
}

/**
 * Where a session stands. Only a quota in minutes is timed; a quota in repetitions or
 * metres is counted by the person, so it is never "reached" by the clock.
 */
export function sessionProgress({ startedAt, now, unit, quota }) {
  const elapsed = elapsedSeconds(startedAt, now);
  const timed = unit === 'minutes' && typeof quota === 'number' && quota > 0;
  if (!timed) return { elapsed, timed, quotaSeconds: null, remaining: null, reached: false, fraction: null };
  const quotaSeconds = Math.round(quota * 60);
  const remaining = Math.max(0, quotaSeconds - elapsed);
  return {
    elapsed, timed, quotaSeconds, remaining,
    reached: elapsed >= quotaSeconds,
    fraction: Math.min(1, elapsed / quotaSeconds),
  };
}

/** Milliseconds from `now` until the quota is reached (0 if it already is; null if untimed). */
export function msUntilQuota({ startedAt, now, unit, quota }) {
  const progress = sessionProgress({ startedAt, now, unit, quota });
  if (!progress.timed) return null;
  const end = Date.parse(startedAt) + progress.quotaSeconds * 1000;
  return Math.max(0, end - now);
}

/** m:ss, or h:mm:ss from an hour up. */
export function formatClock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/** Elapsed seconds as minutes with one decimal, the `achieved` of a timed session. */
export function achievedMinutes(seconds) {
  return Math.round(seconds / 6) / 10;
}

/** A spoken form of a duration: "1 minute 5 seconds". */
export function spokenDuration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const m = Math.floor(s / 60);
  const parts = [];
  if (m) parts.push(`${m} ${m === 1 ? 'minute' : 'minutes'}`);
  if (s % 60 || !m) parts.push(`${s % 60} ${s % 60 === 1 ? 'second' : 'seconds'}`);
  return parts.join(' ');
}
