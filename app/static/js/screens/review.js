// Weekly review: once a week, a short look back — function, pacing, goal steps, flare-ups
// over the last 7 days — then what went well, what was hard, the next step, what to change
// and how confident the patient feels, and the pacing rules' quota suggestions to accept or
// leave for now. One review per week (week_start, the Monday): opening it again edits it.

import { addDays, localDate, shortDate } from '../dates.js';
import { timeZone } from '../goals.js';
import { html, useState } from '../html.js';
import { newId } from '../outbox.js';
import { weekStart } from '../review-data.js';
import { dayNumber } from '../rules/numbers.js';
import { amountText, flareDays } from '../rules/pacing.js';
import { Scale, useApp, useRecords, useUid } from '../ui.js';
import { acceptOffer, planOffer } from './pacing.js';

export const TEXT_MAX = 2000;
export const ANSWERS = [
  ['went_well', 'What went well'],
  ['was_hard', 'What was hard'],
  ['next_step', 'My next step'],
  ['changes', 'What I will change'],
];
const HINTS = {
  went_well: 'Big or small: a walk, a good night, a step done.',
  was_hard: 'What got in the way?',
  next_step: 'One small, concrete thing for the coming week.',
  changes: 'In your plan, your quotas or your routine. Leave empty if nothing.',
};
const byWeek = (a, b) => (a.week_start < b.week_start ? 1 : a.week_start > b.week_start ? -1 : 0)
  || String(b.updated_at ?? b.created_at ?? '').localeCompare(String(a.updated_at ?? a.created_at ?? ''));

// -- the week's numbers and the check of the answers (pure; tests/js/review.test.mjs) ---

const inRange = (day, from, to) => typeof day === 'string' && day >= from && day <= to;
const round1 = (value) => Math.round(value * 10) / 10;

/** Function (0–10) from `from` to `to`: the mean of the daily means, and on how many days. */
export function functionMean(entries, { from, to }) {
  const byDay = new Map();
  for (const entry of entries) {
    if (!inRange(entry.local_date, from, to) || typeof entry.function !== 'number') continue;
    byDay.set(entry.local_date, [...(byDay.get(entry.local_date) ?? []), entry.function]);
  }
  if (byDay.size === 0) return null;
  const means = [...byDay.values()].map((values) => values.reduce((a, b) => a + b, 0) / values.length);
  return { mean: round1(means.reduce((a, b) => a + b, 0) / means.length), days: byDay.size };
}

/**
 * Goal steps done from `from` to `to`, each step once: check-ins that ticked a step off on
 * those days, and steps marked done whose due date falls in them. [{goal, step, day}]
 */
export function stepsDone({ goals = [], checkins = [], from, to }) {
  const titles = new Map(goals.map((goal) => [goal.id, goal.title]));
  const found = new Map();
  for (const checkin of checkins) {
    if (!checkin.step_done || !inRange(checkin.local_date, from, to)) continue;
    const key = `${checkin.goal_id}\n${checkin.step_done}`;
    if (!found.has(key)) {
      found.set(key, { goal: titles.get(checkin.goal_id) ?? '', step: checkin.step_done, day: checkin.local_date });
    }
  }
  for (const goal of goals) {
    for (const step of goal.steps ?? []) {
      const key = `${goal.id}\n${step.title}`;
      if (step.done && inRange(step.due_date, from, to) && !found.has(key)) {
        found.set(key, { goal: goal.title, step: step.title, day: step.due_date });
      }
    }
  }
  return [...found.values()].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
}

/** The latest PSFS from `from` to `to` as {score, day}, or null. */
export function latestPsfs(responses, { from, to }) {
  const latest = responses.filter((r) => r.instrument === 'psfs' && inRange(r.local_date, from, to))
    .sort((a, b) => (a.local_date < b.local_date ? -1 : a.local_date > b.local_date ? 1 : 0)).at(-1);
  if (!latest) return null;
  let score = latest.score;
  if (typeof score !== 'number') {
    const scores = (latest.answers?.activities ?? []).map((a) => a.score).filter((s) => typeof s === 'number');
    if (scores.length === 0) return null;
    score = scores.reduce((a, b) => a + b, 0) / scores.length;
  }
  return { score: round1(score), day: latest.local_date };
}

/**
 * The review form's answers as record fields, or {errors} keyed by field. Empty answers
 * are stored as null; a review needs at least one answer or a confidence.
 */
export function checkReview(form) {
  const fields = {};
  const errors = {};
  for (const [key, label] of ANSWERS) {
    const text = String(form[key] ?? '').trim();
    if (text.length > TEXT_MAX) {
      errors[key] = `${label} is ${text.length} characters long: keep it to ${TEXT_MAX}.`;
    }
    fields[key] = text || null;
  }
  const confidence = form.confidence ?? null;
  if (confidence !== null && !(Number.isInteger(confidence) && confidence >= 0 && confidence <= 10)) {
    errors.confidence = `Confidence ${confidence} is not a whole number from 0 to 10.`;
  }
  fields.confidence = confidence;
  if (Object.keys(errors).length) return { errors };
  if (ANSWERS.every(([key]) => fields[key] === null) && confidence === null) {
    return { errors: { went_well: 'Write at least one answer, or choose your confidence, before saving.' } };
  }
  return { fields };
}

// -- the screen -------------------------------------------------------------------------

export function ReviewScreen() {
  const reviews = useRecords('weekly_review');
  const [notice, setNotice] = useState('');
  const today = localDate();
  const thisWeek = weekStart(today);
  const sorted = [...(reviews ?? [])].sort(byWeek);
  const current = sorted.find((review) => review.week_start === thisWeek) ?? null;
  const past = sorted.filter((review) => review !== current);
  const offers = useOffers(today); // read once, shown in the summary and the quota offers
  return html`
    <h1 tabindex="-1">Weekly review</h1>
    <p class="hint">A few minutes once a week: look back at the last 7 days, then choose your next step.</p>
    <p class="notice" aria-live="polite">${notice}</p>
    <${WeekSummary} today=${today} offers=${offers} />
    <${QuotaOffers} offers=${offers} onNotice=${setNotice} />
    ${reviews === undefined ? html`<p class="hint">Loading…</p>`
      : html`<${ReviewForm} key=${current?.id ?? 'new'} review=${current} week=${thisWeek}
          onSaved=${setNotice} />`}
    ${past.length > 0 && html`
      <section aria-labelledby="past-reviews">
        <h2 id="past-reviews">Past reviews</h2>
        ${past.map((review) => html`<${PastReview} key=${review.id} review=${review} today=${today} />`)}
      </section>`}`;
}

function WeekSummary({ today, offers }) {
  const diary = useRecords('diary_entry');
  const goals = useRecords('goal');
  const checkins = useRecords('goal_checkin');
  const responses = useRecords('outcome_response');
  const flares = useRecords('flare');
  if ([diary, goals, checkins, responses, flares].includes(undefined)) return null;
  const from = addDays(today, -6);
  const fn = functionMean(diary, { from, to: today });
  const before = functionMean(diary, { from: addDays(today, -13), to: addDays(today, -7) });
  const psfs = latestPsfs(responses, { from, to: today });
  const steps = stepsDone({ goals, checkins, from, to: today });
  let flareCount = 0;
  try {
    const { days } = flareDays({ flares, diary, today, timezone: timeZone() });
    flareCount = [...days].filter((day) => day >= dayNumber(from)).length;
  } catch (error) {
    console.warn('flare days unreadable', error);
  }
  return html`
    <section class="card" aria-labelledby="week-summary">
      <h2 id="week-summary">Your last 7 days</h2>
      <ul class="plain">
        <li><strong>Function:</strong> ${fn ? `${fn.mean} out of 10 on average, over ${fn.days} ${fn.days === 1 ? 'day' : 'days'} with a check-in`
          : 'no check-ins with function this week'}${fn && before ? ` (the week before: ${before.mean})` : ''}.</li>
        ${psfs && html`<li><strong>Activities you rated (PSFS):</strong> ${psfs.score} out of 10 on ${shortDate(psfs.day, today)}.</li>`}
        <li><strong>Goal steps done:</strong> ${steps.length === 0 ? 'none this week' : steps.map((s) => s.step).join('; ')}.</li>
        <li><strong>Flare-ups:</strong> ${flareCount === 0 ? 'none' : `${flareCount} ${flareCount === 1 ? 'day' : 'days'}`}.</li>
      </ul>
      <${PacingAdherence} offers=${offers} />
    </section>`;
}

/** Each active plan's offer from the shared pacing rules, or null while loading. */
function useOffers(today) {
  const plans = useRecords('pacing_plan');
  const sessions = useRecords('pacing_session');
  const flares = useRecords('flare');
  const diary = useRecords('diary_entry');
  if ([plans, sessions, flares, diary].includes(undefined)) return null;
  return plans.filter((plan) => plan.active !== false).map((plan) => ({
    plan, offer: planOffer({ plan, sessions, flares, diary, today, timezone: timeZone() }),
  })).filter(({ offer }) => offer);
}

function PacingAdherence({ offers }) {
  if (!offers || offers.length === 0) return null;
  return html`
    <h3>Pacing</h3>
    <ul class="plain">
      ${offers.map(({ plan, offer }) => html`<li key=${plan.id}><strong>${plan.activity}:</strong> ${
        typeof plan.quota !== 'number' ? 'no quota yet (tolerance trials)'
          : `quota of ${amountText(plan.quota, plan.unit ?? 'minutes')} met on ${offer.metDays} of the 7 days before today`}.</li>`)}
    </ul>`;
}

function QuotaOffers({ offers, onNotice }) {
  const { store } = useApp();
  const [later, setLater] = useState(() => new Set());
  if (!offers || offers.length === 0) return null;
  const key = ({ plan, offer }) => `${plan.id}:${offer.action}:${offer.quota}`;
  const open = offers.filter((item) => item.offer.quota !== null);
  return html`
    <section class="card" aria-labelledby="quota-offers">
      <h2 id="quota-offers">Your pacing quotas</h2>
      <p class="hint">The app suggests; you decide. Quota-based pacing: Nielson WR et al., Clin J Pain 2013.</p>
      <ul class="plain">
        ${offers.map((item) => {
          const { plan, offer } = item;
          const reasonId = `offer-${plan.id}`;
          const amount = offer.quota !== null ? amountText(offer.quota, plan.unit ?? 'minutes') : '';
          return html`<li key=${plan.id}>
            <p id=${reasonId}><strong>${plan.activity}:</strong> ${offer.reason}</p>
            ${offer.quota !== null && (later.has(key(item))
              ? html`<p class="hint">Not now: your quota stays as it is. You can accept it later on the Pacing screen.</p>`
              : html`<div class="actions">
                  <button type="button" aria-label=${`Accept: set ${plan.activity} to ${amount}`}
                    onClick=${async () => onNotice(await acceptOffer(store, plan, offer))}>Accept</button>
                  <button type="button" class="secondary" aria-label=${`Not now: ${plan.activity}`}
                    onClick=${() => setLater(new Set([...later, key(item)]))}>Not now</button>
                </div>`)}
          </li>`;
        })}
      </ul>
      ${open.length === 0 && html`<p class="hint">No quota changes to decide this week.</p>`}
    </section>`;
}

function toForm(review) {
  return Object.fromEntries([...ANSWERS.map(([key]) => [key, review?.[key] ?? '']),
    ['confidence', review?.confidence ?? null]]);
}

function ReviewForm({ review, week, onSaved }) {
  const { store } = useApp();
  const [form, setForm] = useState(() => toForm(review));
  const [errors, setErrors] = useState({});
  const titleId = useUid('review-title');
  const errorIds = useUid('review-error');
  const set = (key) => (value) => setForm((old) => ({ ...old, [key]: value }));

  async function save(event) {
    event.preventDefault();
    const result = checkReview(form);
    if (result.errors) {
      setErrors(result.errors);
      const first = Object.keys(result.errors)[0];
      event.currentTarget.querySelector(first === 'confidence' ? '.scale input' : `[name="${first}"]`)?.focus();
      return;
    }
    setErrors({});
    await store.write('weekly_review', review?.id ?? newId(), { week_start: week, ...result.fields });
    store.persistOnce();
    onSaved(review ? 'Review updated.' : 'Review saved. See you next week.');
  }

  return html`
    <form class="card" aria-labelledby=${titleId} noValidate onSubmit=${save}>
      <h2 id=${titleId}>Review of the week of ${shortDate(week)}</h2>
      ${review && html`<p class="hint">You reviewed this week already; change anything you like.</p>`}
      ${ANSWERS.map(([key, label]) => {
        const id = `review-${key}`;
        const error = errors[key];
        return html`<div class="field" key=${key}>
          <label for=${id}>${label}</label>
          <p class="hint" id=${`${id}-hint`}>${HINTS[key]}</p>
          <textarea id=${id} name=${key} rows="3" maxLength="2000" value=${form[key]}
            aria-invalid=${error ? 'true' : undefined}
            aria-describedby=${[`${id}-hint`, error && `${errorIds}-${key}`].filter(Boolean).join(' ')}
            onInput=${(e) => set(key)(e.currentTarget.value)}></textarea>
          ${error && html`<p class="error" id=${`${errorIds}-${key}`}>${error}</p>`}
        </div>`;
      })}
      <${Scale} name="confidence" label="Confidence" value=${form.confidence} onChange=${set('confidence')}
        hint="How sure are you that you can do your next step? (a confidence ruler, as in motivational interviewing: Miller and Rollnick, 2013)"
        anchors=${['0 = not at all sure', '10 = completely sure']}
        invalid=${Boolean(errors.confidence)} errorId=${`${errorIds}-confidence`} />
      ${errors.confidence && html`<p class="error" id=${`${errorIds}-confidence`}>${errors.confidence}</p>`}
      <button type="submit">${review ? 'Save changes' : 'Save review'}</button>
    </form>`;
}

function PastReview({ review, today }) {
  const headingId = useUid('past');
  return html`
    <article class="card" aria-labelledby=${headingId}>
      <h3 id=${headingId}>Week of ${shortDate(review.week_start, today)}${review.pending ? html` <span class="badge">not synced yet</span>` : ''}</h3>
      <dl class="review-answers">
        ${ANSWERS.filter(([key]) => review[key]).map(([key, label]) => html`
          <div key=${key}><dt>${label}</dt><dd>${review[key]}</dd></div>`)}
        ${typeof review.confidence === 'number' && html`<div><dt>Confidence</dt><dd>${review.confidence} out of 10</dd></div>`}
      </dl>
    </article>`;
}
