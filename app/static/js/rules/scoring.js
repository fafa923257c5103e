// Questionnaire scoring for the offline phone (design §5): PEG, PSFS, PHQ-2, GAD-2, PGIC.
// Mirrors app/services/scoring.py, where the sources and licences are set out; both are
// checked against tests/vectors/{peg,psfs,phq2,gad2,pgic}.json, so change them together.

import { INSTRUMENTS, PROMPTS } from './instruments.js';
import { round2, shown, wholeNumber } from './numbers.js';

export const SCREEN_THRESHOLD = 3; // PHQ-2 and GAD-2: 3 or more prompts a talk with the team
export const PSFS_MAX_ACTIVITIES = 5;

const SCALE_ITEMS = {
  peg: [['pain', 0, 10], ['enjoyment', 0, 10], ['activity', 0, 10]],
  phq2: [['interest', 0, 3], ['mood', 0, 3]],
  gad2: [['nervous', 0, 3], ['worry', 0, 3]],
  pgic: [['change', 1, 7]],
};

const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);
const has = (object, key) => Object.prototype.hasOwnProperty.call(object, key);

/** The answers in canonical form, or throw an Error naming the bad item and value. */
export function validateAnswers(instrument, answers) {
  if (!has(INSTRUMENTS, instrument)) throw new Error(`unknown instrument ${shown(instrument)}`);
  if (!isObject(answers)) throw new Error(`${instrument} answers must be an object`);
  const known = instrument === 'psfs' ? ['activities'] : SCALE_ITEMS[instrument].map(([k]) => k);
  for (const key of Object.keys(answers)) {
    if (!known.includes(key)) {
      throw new Error(`${instrument} ${shown(key)} is not an item of ${instrument}`);
    }
  }
  if (instrument === 'psfs') return { activities: psfsActivities(answers.activities, 'psfs') };
  const valid = {};
  for (const [key, low, high] of SCALE_ITEMS[instrument]) {
    valid[key] = wholeNumber(answers[key], { name: `${instrument} ${key}`, low, high });
  }
  return valid;
}

/** PSFS activities checked one by one, or throw naming the bad one. */
export function psfsActivities(activities, name) {
  if (activities === undefined || activities === null) {
    throw new Error(`${name} activities is required`);
  }
  if (!Array.isArray(activities)) throw new Error(`${name} activities must be a list`);
  if (activities.length < 1 || activities.length > PSFS_MAX_ACTIVITIES) {
    throw new Error(
      `${name} needs 1 to ${PSFS_MAX_ACTIVITIES} activities, got ${activities.length}`);
  }
  return activities.map((item, index) => {
    const where = `${name} activities[${index}]`;
    if (!isObject(item)) throw new Error(`${where} must be an object`);
    if (typeof item.activity !== 'string' || !item.activity) {
      throw new Error(`${where}.activity is required`);
    }
    const score = wholeNumber(item.score, { name: `${where}.score`, low: 0, high: 10 });
    return { activity: item.activity, score };
  });
}

/** The score of a set of answers; throws for a missing or bad answer. */
export function score(instrument, answers) {
  const valid = validateAnswers(instrument, answers);
  if (instrument === 'psfs') {
    const scores = valid.activities.map((item) => item.score);
    return round2(scores.reduce((a, b) => a + b, 0) / scores.length);
  }
  const values = SCALE_ITEMS[instrument].map(([key]) => valid[key]);
  const total = values.reduce((a, b) => a + b, 0);
  return instrument === 'peg' ? round2(total / values.length) : total;
}

/**
 * The score with what the patient sees beside it: `flag` for a PHQ-2 or GAD-2 sum of 3 or
 * more, with its gentle `prompt`; `label`, PGIC's answer wording.
 */
export function scoreAnswers(instrument, answers) {
  const value = score(instrument, answers);
  const flag = has(PROMPTS, instrument) && value >= SCREEN_THRESHOLD;
  const label = instrument === 'pgic'
    ? INSTRUMENTS.pgic.items[0].anchors.find((anchor) => anchor.value === value).text
    : null;
  return { score: value, flag, prompt: flag ? PROMPTS[instrument] : null, label };
}
