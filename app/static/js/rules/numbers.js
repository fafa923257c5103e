// Shared arithmetic and checks of the domain rules, mirrored line for line by
// app/services/scoring.py (round2, shown, whole_number) and pacing.py (the day helpers), so
// the phone and the server give identical answers for every vector in tests/vectors/.

/**
 * Round to 2 decimals, halves away from zero. Python's round() rounds halves to even and
 * Math.round() rounds them up; both sides use this one formula instead. The 1e-9 forgives
 * binary noise such as 1.005 * 100 = 100.49999999999999.
 */
export function round2(value) {
  const rounded = Math.floor(Math.abs(value) * 100 + 0.5 + 1e-9) / 100;
  return rounded === 0 ? 0 : Math.sign(value) * rounded;
}

/** A value as an error message shows it, exactly as the Python rules show it. */
export function shown(value) {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (value === undefined) return 'null';
  const text = JSON.stringify(value) ?? String(value);
  return text.length <= 60 ? text : `${text.slice(0, 57)}…`;
}

/** `value` as a whole number from `low` to `high`, or throw naming `name` and the value. */
export function wholeNumber(value, { name, low, high }) {
  if (value === undefined || value === null) throw new Error(`${name} is required`);
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`${name} ${shown(value)} is not a number`);
  }
  if (!Number.isInteger(value)) throw new Error(`${name} ${shown(value)} is not a whole number`);
  if (value < low || value > high) {
    throw new Error(`${name} ${shown(value)} is outside ${shown(low)}–${shown(high)}`);
  }
  return value;
}

/** A field of a wire record, null when absent. */
export function field(record, name) {
  const value = record?.[name];
  return value === undefined ? null : value;
}

const DAY_MS = 86400000;

/** A YYYY-MM-DD calendar day as a whole number of days, for arithmetic. */
export function dayNumber(day) {
  const [y, m, d] = String(day).slice(0, 10).split('-').map(Number);
  return Date.UTC(y, m - 1, d) / DAY_MS;
}

/** The YYYY-MM-DD text of a day number. */
export function dayText(number) {
  return new Date(number * DAY_MS).toISOString().slice(0, 10);
}

/** Milliseconds since 1970 of an ISO moment; one without a zone is taken as UTC. */
export function momentMs(moment) {
  if (moment instanceof Date) return moment.getTime();
  const text = String(moment);
  const zoned = /(?:[zZ]|[+-]\d\d:?\d\d)$/.test(text) || !text.includes('T');
  return Date.parse(zoned ? text : `${text}Z`);
}

const formats = new Map();

/** The day number of a moment on the patient's calendar in `timezone` (an IANA name). */
export function localDay(moment, timezone = 'UTC') {
  let format = formats.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit',
    });
    formats.set(timezone, format);
  }
  const parts = Object.fromEntries(
    format.formatToParts(new Date(momentMs(moment))).map((part) => [part.type, part.value]),
  );
  return dayNumber(`${parts.year}-${parts.month}-${parts.day}`);
}
