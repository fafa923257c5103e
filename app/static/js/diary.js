// The daily check-in's vocabulary: body-area codes (the one fixed list of
// app/schemas/diary.py) and how an entry reads in a list.

const MIDLINE = [
  ['head', 'Head'], ['neck', 'Neck'], ['upper_back', 'Upper back'], ['mid_back', 'Mid back'],
  ['lower_back', 'Lower back'], ['chest', 'Chest'], ['abdomen', 'Abdomen'], ['pelvis', 'Pelvis'],
  ['widespread', 'Widespread (all over)'],
];
const SIDED = [
  ['jaw', 'Jaw'], ['shoulder', 'Shoulder'], ['upper_arm', 'Upper arm'], ['elbow', 'Elbow'],
  ['forearm', 'Forearm'], ['wrist_hand', 'Wrist and hand'], ['hip', 'Hip'],
  ['buttock', 'Buttock'], ['thigh', 'Thigh'], ['knee', 'Knee'], ['lower_leg', 'Lower leg'],
  ['ankle_foot', 'Ankle and foot'],
];

export const MIDLINE_AREAS = MIDLINE.map(([code, label]) => ({ code, label }));
export const SIDED_AREAS = SIDED.map(([code, label]) => ({
  code, label, left: `${code}_left`, right: `${code}_right`,
}));
/** Every body-area code, in the server's order. */
export const BODY_AREAS = [
  ...MIDLINE.map(([code]) => code),
  ...SIDED.flatMap(([code]) => [`${code}_left`, `${code}_right`]),
];

export function areaLabel(code) {
  const midline = MIDLINE.find(([c]) => c === code);
  if (midline) return midline[1];
  const match = /^(.*)_(left|right)$/.exec(code);
  const sided = match && SIDED.find(([c]) => c === match[1]);
  return sided ? `${sided[1]} (${match[2]})` : code;
}

/** "Function 6 · Interference 3 · Pain 4": function first, pain beside it, never alone. */
export function entrySummary(entry) {
  const parts = [];
  if (entry.function !== null && entry.function !== undefined) parts.push(`Function ${entry.function}`);
  if (entry.interference !== null && entry.interference !== undefined) parts.push(`Interference ${entry.interference}`);
  if (entry.pain !== null && entry.pain !== undefined) parts.push(`Pain ${entry.pain}`);
  if (entry.flare) parts.push('flare-up');
  return parts.join(' · ');
}

const scaleOrNull = (v) => (v === null || v === undefined ? null : v);

/** The form's state for an entry (or a blank one). */
export function entryToForm(entry = {}) {
  return {
    pain: scaleOrNull(entry.pain),
    interference: scaleOrNull(entry.interference),
    function: scaleOrNull(entry.function),
    mood: scaleOrNull(entry.mood),
    fatigue: scaleOrNull(entry.fatigue),
    sleep_hours: entry.sleep_hours === null || entry.sleep_hours === undefined ? '' : String(entry.sleep_hours),
    sleep_quality: scaleOrNull(entry.sleep_quality),
    flare: Boolean(entry.flare),
    body_areas: [...(entry.body_areas ?? [])],
    activities: (entry.activities ?? []).join(', '),
    medications: entry.medications ?? '',
    notes: entry.notes ?? '',
  };
}

/**
 * The record fields for a form's state, or {error} naming the first problem.
 * Empty optional fields are null, so an edit can clear them.
 */
export function formToEntry(form) {
  if (form.pain === null || form.pain === undefined) {
    return { error: 'Choose your pain level, from 0 to 10.', field: 'pain' };
  }
  let sleep = null;
  const sleepText = String(form.sleep_hours ?? '').trim().replace(',', '.');
  if (sleepText !== '') {
    sleep = Number(sleepText);
    if (!Number.isFinite(sleep) || sleep < 0 || sleep > 24) {
      return { error: `Sleep hours ${sleepText} is outside 0–24.`, field: 'sleep_hours' };
    }
  }
  const activities = String(form.activities ?? '').split(/[,\n]/).map((s) => s.trim()).filter(Boolean);
  if (activities.length > 30) return { error: 'List at most 30 activities.', field: 'activities' };
  if (activities.some((a) => a.length > 200)) return { error: 'Keep each activity under 200 characters.', field: 'activities' };
  for (const [key, label] of [['notes', 'Notes'], ['medications', 'Medications']]) {
    if (String(form[key] ?? '').length > 2000) return { error: `${label} are longer than 2000 characters.`, field: key };
  }
  const text = (value) => (String(value ?? '').trim() === '' ? null : String(value).trim());
  return {
    fields: {
      pain: form.pain,
      interference: form.interference ?? null,
      function: form.function ?? null,
      mood: form.mood ?? null,
      fatigue: form.fatigue ?? null,
      sleep_hours: sleep,
      sleep_quality: form.sleep_quality ?? null,
      flare: form.flare ? true : null,
      body_areas: form.body_areas?.length ? [...form.body_areas].sort((a, b) => BODY_AREAS.indexOf(a) - BODY_AREAS.indexOf(b)) : null,
      activities: activities.length ? activities : null,
      medications: text(form.medications),
      notes: text(form.notes),
    },
  };
}
