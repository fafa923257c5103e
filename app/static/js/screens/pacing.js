// Pacing: the patient's plans and a session timer that counts toward the quota and says
// stop at the quota, not at the pain. The running session is a record with its start time
// and no end, so a locked screen, a backgrounded app or a reload loses nothing. While a
// flare lasts, each plan's working quota is its flare level (design §5: the last comfortable
// level) and the timer stops there; the patient may also accept it as the plan's quota, so
// that after the flare it climbs again by the normal step.

import { localDate } from '../dates.js';
import { timeZone } from '../goals.js';
import { html, useEffect, useRef, useState } from '../html.js';
import { newId } from '../outbox.js';
import { amountText, flareDays, pacingBaseline, suggestQuota } from '../rules/pacing.js';
import {
  achievedMinutes, formatClock, msUntilQuota, sessionProgress, spokenDuration,
} from '../timer.js';
import { Disclosure, Field, Scale, numberOrNull, useApp, useRecords, useUid } from '../ui.js';

const UNITS = { minutes: 'minutes', repetitions: 'repetitions', metres: 'metres' };
const STOP_REASONS = [
  ['quota_reached', 'I reached the quota'],
  ['pain', 'Pain'],
  ['fatigue', 'Tiredness'],
  ['interrupted', 'I was interrupted'],
  ['other', 'Something else'],
];

export function PacingScreen() {
  const plans = useRecords('pacing_plan');
  const sessions = useRecords('pacing_session');
  const flares = useRecords('flare');
  const diary = useRecords('diary_entry');
  const [notice, setNotice] = useState('');
  const context = { flares: flares ?? [], diary: diary ?? [] };
  const running = (sessions ?? []).filter((s) => !s.ended_at)
    .sort((a, b) => String(b.started_at).localeCompare(String(a.started_at)))[0];
  const active = (plans ?? []).filter((p) => p.active !== false);
  const inactive = (plans ?? []).filter((p) => p.active === false);
  const inFlare = flares !== undefined && diary !== undefined
    && flareDays({ ...context, today: localDate(), timezone: timeZone() }).now;
  return html`
    <h1 tabindex="-1">Pacing</h1>
    <p class="hint">Do the planned amount on good days and bad days alike, then rest. The timer decides when to stop, not the pain.</p>
    ${inFlare && html`<p class="callout flare-on">You are in a flare-up. Each quota below is at its
      flare level, your last comfortable level, until you end flare mode on the
      <a href="#flare-plan">Flare plan</a> screen. Then build up again step by step.</p>`}
    <p class="notice" aria-live="polite">${notice}</p>
    ${running && html`<${RunningSession} key=${running.id} session=${running}
      plan=${(plans ?? []).find((p) => p.id === running.plan_id)} onNotice=${setNotice} />`}
    ${plans === undefined ? html`<p class="hint">Loading…</p>`
      : active.length === 0 ? html`<p>No pacing plans yet. Pick an activity you want to build up gradually.</p>`
      : active.map((plan) => html`<${PlanCard} key=${plan.id} plan=${plan} sessions=${sessions ?? []}
          busy=${Boolean(running)} onNotice=${setNotice} context=${context} />`)}
    ${inactive.length > 0 && html`<h2>Paused plans</h2>
      ${inactive.map((plan) => html`<${PlanCard} key=${plan.id} plan=${plan} sessions=${sessions ?? []} busy=${true} onNotice=${setNotice} />`)}`}
    ${plans !== undefined && html`
      <${Disclosure} label="New pacing plan" initiallyOpen=${plans.length === 0}>
        <${NewPlanForm} onCreated=${(activity) => setNotice(`Plan for “${activity}” created.`)} />
      <//>`}`;
}

/**
 * What the shared pacing rules say about a plan today (also read by the weekly review):
 * `action` baseline (a starting quota from tolerance trials), advance, step_back, hold or
 * none; `quota`, the quota offered (null when there is nothing to accept); `reason` in
 * plain words; `metDays` of the last 7; and `working`, the quota to do today — in a flare
 * the flare level, never above the plan's quota. Null when the plan cannot be read.
 */
export function planOffer({ plan, sessions, flares = [], diary = [], today = localDate(),
  timezone = timeZone() }) {
  const unit = plan.unit ?? 'minutes';
  const own = sessions.filter((s) => s.plan_id === plan.id && s.ended_at);
  try {
    if (typeof plan.quota !== 'number') {
      const found = pacingBaseline({ sessions: own, unit, timezone });
      return { action: found.quota === null ? 'none' : 'baseline', quota: found.quota,
        baseline: found.baseline, reason: found.reason, metDays: 0, inFlare: false, working: null };
    }
    const found = suggestQuota({ plan, sessions: own, today, timezone, flares, diary });
    const inFlare = plan.active !== false && flareDays({ flares, diary, today, timezone }).now;
    return {
      action: found.action, reason: found.reason, metDays: found.met_days, inFlare,
      quota: ['advance', 'step_back'].includes(found.action) ? found.quota : null,
      working: inFlare && typeof found.quota === 'number' ? Math.min(found.quota, plan.quota) : plan.quota,
    };
  } catch (error) {
    console.warn('no pacing suggestion', error);
    return null;
  }
}

/** Make an offer the plan's quota (and baseline); returns what to tell the patient. */
export async function acceptOffer(store, plan, offer) {
  const fields = { quota: offer.quota };
  if (offer.baseline !== undefined && offer.baseline !== null) fields.baseline = offer.baseline;
  await store.write('pacing_plan', plan.id, fields);
  return `Quota for “${plan.activity}” is now ${amountText(offer.quota, plan.unit ?? 'minutes')}.`;
}

/** The offer on the plan's card: the reason, and a button to accept it. */
function Suggestion({ plan, offer, onNotice }) {
  const { store } = useApp();
  const unit = plan.unit ?? 'minutes';
  if (!offer) return null;
  const accept = async () => onNotice(await acceptOffer(store, plan, offer));
  return html`
    <div class="suggestion">
      <p class="hint">${offer.reason}</p>
      ${offer.quota !== null && html`<button type="button" class="secondary" onClick=${accept}>
        Set my quota to ${amountText(offer.quota, unit)}</button>`}
    </div>`;
}

function PlanCard({ plan, sessions, busy, onNotice, context = { flares: [], diary: [] } }) {
  const { store } = useApp();
  const headingId = useUid('plan');
  const [starting, setStarting] = useState(false);
  const [painBefore, setPainBefore] = useState(null);
  const today = localDate();
  const own = sessions.filter((s) => s.plan_id === plan.id && s.ended_at);
  const doneToday = own.filter((s) => localDate(new Date(s.started_at)) === today).length;
  const unit = plan.unit ?? 'minutes';
  const trial = typeof plan.quota !== 'number';
  const offer = planOffer({ plan, sessions, ...context, today });
  // In a flare the session is planned, and the timer stops, at the flare level.
  const working = trial ? null : offer?.working ?? plan.quota;
  const flareLevel = !trial && offer?.inFlare && working < plan.quota;

  async function start() {
    await store.write('pacing_session', newId(), {
      plan_id: plan.id, kind: trial ? 'trial' : 'quota', activity: plan.activity,
      started_at: new Date().toISOString(), planned: working, unit,
      pain_before: painBefore,
    });
    store.persistOnce();
    setStarting(false);
    onNotice(`Session started: ${plan.activity}.`);
  }

  return html`
    <article class="card" aria-labelledby=${headingId}>
      <h2 id=${headingId}>${plan.activity}</h2>
      <p>${trial ? 'No quota yet: start with tolerance trials on three different days.'
        : flareLevel ? `Flare quota: ${amountText(working, unit)} until the flare ends (usual quota ${amountText(plan.quota, unit)})`
        : `Quota: ${amountText(plan.quota, unit)}`}${plan.rest_minutes ? `, then rest ${amountText(plan.rest_minutes, 'minutes')}` : ''}.</p>
      <p>${doneToday} of ${plan.sessions_per_day ?? 1} ${(plan.sessions_per_day ?? 1) === 1 ? 'session' : 'sessions'} done today.</p>
      <${Suggestion} plan=${plan} offer=${offer} onNotice=${onNotice} />
      ${!busy && !starting && html`<button type="button" aria-label=${`Start session: ${plan.activity}`}
        onClick=${() => setStarting(true)}>Start session</button>`}
      ${starting && html`
        <div class="card">
          <${Scale} name="pain_before" label="Pain before" value=${painBefore} onChange=${setPainBefore}
            hint="Optional" anchors=${['0 = no pain', '10 = worst imaginable']} />
          <p class="hint">${trial ? 'Tolerance trial: go at a comfortable pace until you would normally stop, then stop.'
            : `Stop at ${amountText(working, unit)}, even if you feel you could do more.`}</p>
          <div class="actions">
            <button type="button" onClick=${start}>Start timer</button>
            <button type="button" class="secondary" onClick=${() => setStarting(false)}>Cancel</button>
          </div>
        </div>`}
      <${Disclosure} label="Change plan" ariaLabel=${`Change plan: ${plan.activity}`}>
        <${EditPlan} plan=${plan} onNotice=${onNotice} />
      <//>
    </article>`;
}

function notifyQuota(activity) {
  if (globalThis.Notification?.permission !== 'granted') return;
  navigator.serviceWorker?.getRegistration().then((registration) => registration?.showNotification(
    'Pacewise', { body: `Quota reached for ${activity}: stop now and rest.`, tag: 'pacing-quota' },
  )).catch(() => {});
}

function RunningSession({ session, plan, onNotice }) {
  const { store } = useApp();
  const [now, setNow] = useState(Date.now());
  const [stopping, setStopping] = useState(false);
  const announced = useRef(false);
  const unit = session.unit ?? plan?.unit ?? 'minutes';
  const quota = session.planned ?? null;
  const progress = sessionProgress({ startedAt: session.started_at, now, unit, quota });
  const activity = session.activity ?? plan?.activity ?? 'Activity';

  useEffect(() => {
    // The display is recomputed from the start time: the interval only repaints it.
    const repaint = () => setNow(Date.now());
    const timer = setInterval(repaint, 1000);
    document.addEventListener('visibilitychange', repaint);
    const wait = msUntilQuota({ startedAt: session.started_at, now: Date.now(), unit, quota });
    const alarm = wait !== null && wait > 0 ? setTimeout(() => {
      navigator.vibrate?.([300, 150, 300]);
      if (document.visibilityState !== 'visible') notifyQuota(activity);
    }, wait) : null;
    return () => {
      clearInterval(timer);
      clearTimeout(alarm);
      document.removeEventListener('visibilitychange', repaint);
    };
  }, [session.started_at]);

  useEffect(() => {
    if (progress.reached && !announced.current) {
      announced.current = true;
      onNotice(`Quota reached: stop now${plan?.rest_minutes ? ` and rest ${amountText(plan.rest_minutes, 'minutes')}` : ''}.`);
    }
  }, [progress.reached]);

  const kindText = session.kind === 'trial' ? 'Tolerance trial' : 'Paced session';
  return html`
    <section class="card" aria-labelledby="running-session">
      <h2 id="running-session">${kindText}: ${activity}</h2>
      <p class="timer" aria-hidden="true">${formatClock(progress.elapsed)}</p>
      <p class="sr-only">${spokenDuration(progress.elapsed)} so far</p>
      ${progress.timed && html`
        <progress max=${progress.quotaSeconds} value=${Math.min(progress.elapsed, progress.quotaSeconds)}
          aria-label=${`Time toward the quota of ${amountText(quota, 'minutes')}`}></progress>
        ${progress.reached
          ? html`<p class="timer-done">Quota reached — stop now${plan?.rest_minutes ? ` and rest ${amountText(plan.rest_minutes, 'minutes')}` : ''}.</p>`
          : html`<p class="timer-note">Keep a steady pace. Stop at ${amountText(quota, 'minutes')}, even if you feel fine; ${formatClock(progress.remaining)} to go.</p>`}`}
      ${!progress.timed && quota && html`<p class="timer-note">Stop at ${amountText(quota, unit)}, even if you feel fine.</p>`}
      ${session.kind === 'trial' && html`<p class="timer-note">Go until you would normally stop, then press Stop.</p>`}
      ${stopping ? html`<${StopForm} session=${session} progress=${progress} unit=${unit}
          onSaved=${() => onNotice('Session saved. Well done for pacing it.')} onCancel=${() => setStopping(false)} />`
        : html`<button type="button" onClick=${() => setStopping(true)}>Stop</button>`}
      <p><button type="button" class="link-button" onClick=${async () => { await store.remove('pacing_session', session.id); onNotice('Session discarded.'); }}>
        Discard this session</button></p>
    </section>`;
}

function StopForm({ session, progress, unit, onSaved, onCancel }) {
  const { store } = useApp();
  const [endedAt] = useState(() => new Date().toISOString());
  const [achieved, setAchieved] = useState(() => (unit === 'minutes' ? String(achievedMinutes(progress.elapsed)) : ''));
  const [painAfter, setPainAfter] = useState(null);
  const [effort, setEffort] = useState(null);
  const [reason, setReason] = useState(progress.reached ? 'quota_reached' : null);
  const [notes, setNotes] = useState('');
  const [error, setError] = useState('');
  const reasonName = useUid('reason');
  async function save(event) {
    event.preventDefault();
    const amount = numberOrNull(achieved);
    if (Number.isNaN(amount) || (amount !== null && (amount < 0 || amount > 100000))) {
      return setError(`Achieved ${achieved} is not a number from 0 to 100000.`);
    }
    setError('');
    await store.write('pacing_session', session.id, {
      ended_at: endedAt, achieved: amount, pain_after: painAfter, effort,
      stopped_because: reason, notes: notes.trim() || null,
    });
    onSaved();
  }
  return html`
    <form aria-label="Finish the session" noValidate onSubmit=${save}>
      <${Field} label=${`Achieved (${unit})`} inputMode="decimal" value=${achieved} onInput=${setAchieved} />
      <${Scale} name="pain_after" label="Pain after" value=${painAfter} onChange=${setPainAfter}
        hint="Soreness that settles within an hour is expected and is not a flare." />
      <${Scale} name="effort" label="Effort" value=${effort} onChange=${setEffort}
        anchors=${['0 = no effort', '10 = maximal']} />
      <fieldset>
        <legend>Why did you stop?</legend>
        ${STOP_REASONS.map(([value, label]) => html`
          <label class="check" key=${value}>
            <input type="radio" name=${reasonName} value=${value} checked=${reason === value}
              onChange=${() => setReason(value)} />
            <span>${label}</span>
          </label>`)}
      </fieldset>
      <${Field} label="Notes" value=${notes} onInput=${setNotes} multiline maxLength="2000" />
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <div class="actions">
        <button type="submit">Save session</button>
        <button type="button" class="secondary" onClick=${onCancel}>Keep going</button>
      </div>
    </form>`;
}

function planForm(plan = {}) {
  return {
    activity: plan.activity ?? '', unit: plan.unit ?? 'minutes',
    quota: plan.quota === null || plan.quota === undefined ? '' : String(plan.quota),
    rest_minutes: plan.rest_minutes === null || plan.rest_minutes === undefined ? '' : String(plan.rest_minutes),
    sessions_per_day: String(plan.sessions_per_day ?? 1),
  };
}

function checkPlan(form) {
  const activity = form.activity.trim();
  if (!activity) return { error: 'Name the activity.' };
  const quota = numberOrNull(form.quota);
  if (Number.isNaN(quota) || (quota !== null && (quota < 0 || quota > 100000))) return { error: `Quota ${form.quota} is not a number from 0 to 100000.` };
  const rest = numberOrNull(form.rest_minutes);
  if (Number.isNaN(rest) || (rest !== null && (!Number.isInteger(rest) || rest < 0 || rest > 1440))) return { error: `Rest ${form.rest_minutes} is not a whole number of minutes from 0 to 1440.` };
  const perDay = numberOrNull(form.sessions_per_day) ?? 1;
  if (!Number.isInteger(perDay) || perDay < 1 || perDay > 24) return { error: `Sessions a day ${form.sessions_per_day} is not a whole number from 1 to 24.` };
  return { fields: { activity, unit: form.unit, quota, rest_minutes: rest, sessions_per_day: perDay } };
}

function PlanFields({ form, set }) {
  const unitId = useUid('unit');
  return html`
    <${Field} label="Activity" value=${form.activity} onInput=${set('activity')} maxLength="200"
      hint="For example: walking, gardening, standing at the counter" />
    <div class="field">
      <label for=${unitId}>Unit</label>
      <select id=${unitId} value=${form.unit} onChange=${(e) => set('unit')(e.currentTarget.value)}>
        ${Object.entries(UNITS).map(([value, label]) => html`<option key=${value} value=${value}>${label}</option>`)}
      </select>
    </div>
    <${Field} label="Quota" value=${form.quota} onInput=${set('quota')} inputMode="decimal"
      hint="How much per session. Leave empty to start with tolerance trials." />
    <${Field} label="Rest afterwards (minutes)" value=${form.rest_minutes} onInput=${set('rest_minutes')} inputMode="numeric" />
    <${Field} label="Sessions a day" value=${form.sessions_per_day} onInput=${set('sessions_per_day')} inputMode="numeric" />`;
}

function NewPlanForm({ onCreated }) {
  const { store } = useApp();
  const [form, setForm] = useState(planForm());
  const [error, setError] = useState('');
  const set = (key) => (value) => setForm((old) => ({ ...old, [key]: value }));
  async function save(event) {
    event.preventDefault();
    const result = checkPlan(form);
    if (result.error) return setError(result.error);
    setError('');
    await store.write('pacing_plan', newId(), { ...result.fields, baseline: null, active: true });
    store.persistOnce();
    setForm(planForm());
    onCreated(result.fields.activity);
  }
  return html`
    <form class="card" aria-label="New pacing plan" noValidate onSubmit=${save}>
      <${PlanFields} form=${form} set=${set} />
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <button type="submit">Create plan</button>
    </form>`;
}

function EditPlan({ plan, onNotice }) {
  const { store } = useApp();
  const [form, setForm] = useState(planForm(plan));
  const [error, setError] = useState('');
  const set = (key) => (value) => setForm((old) => ({ ...old, [key]: value }));
  async function save(event) {
    event.preventDefault();
    const result = checkPlan(form);
    if (result.error) return setError(result.error);
    setError('');
    await store.write('pacing_plan', plan.id, result.fields);
    onNotice('Plan saved.');
  }
  const toggle = async () => {
    await store.write('pacing_plan', plan.id, { active: plan.active === false });
    onNotice(plan.active === false ? 'Plan resumed.' : 'Plan paused.');
  };
  return html`
    <form aria-label=${`Change plan: ${plan.activity}`} noValidate onSubmit=${save}>
      <${PlanFields} form=${form} set=${set} />
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <div class="actions">
        <button type="submit">Save plan</button>
        <button type="button" class="secondary" onClick=${toggle}>${plan.active === false ? 'Resume plan' : 'Pause plan'}</button>
      </div>
    </form>`;
}
