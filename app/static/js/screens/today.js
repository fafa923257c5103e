// Today: the daily check-in (open, set pain, save: three interactions), today's entries,
// and what else is due today. Part of the first load; everything else is loaded lazily.

import { entrySummary, entryToForm, formToEntry, MIDLINE_AREAS, SIDED_AREAS } from '../diary.js';
import { clockLabel, dayHeading, localDate } from '../dates.js';
import { html, useEffect, useRef, useState } from '../html.js';
import { newId } from '../outbox.js';
import { reviewDue } from '../review-data.js';
import {
  Check, Disclosure, Field, Scale, useApp, useData, useFirstRenderSteps, useRecords, useUid,
} from '../ui.js';

const timeOf = (iso) => (iso ? clockLabel(new Date(iso)) : '');
// ISO timestamps sort as plain strings; localeCompare would wake Intl (see dates.js).
const byCreated = (a, b) => {
  const [x, y] = [String(a.created_at ?? ''), String(b.created_at ?? '')];
  return x < y ? -1 : x > y ? 1 : 0;
};

// Opening the app, Today comes in three parts: the check-in's pain scale, its other two
// scales, then the rest of the screen (see useFirstRenderSteps).
const STEPS = 2;

export function TodayScreen() {
  const { fix } = useApp();
  const step = useFirstRenderSteps(STEPS);
  const entries = useRecords('diary_entry');
  const [editing, setEditing] = useState(null);
  const [notice, setNotice] = useState('');
  const today = localDate();
  const todays = (entries ?? []).filter((e) => e.local_date === today).sort(byCreated);
  const fixing = fix?.mutation?.entity === 'diary_entry' ? fix : null;

  const target = fixing
    ? { id: fixing.mutation.record_id, entry: (entries ?? []).find((e) => e.id === fixing.mutation.record_id) ?? null }
    : editing ? { id: editing, entry: todays.find((e) => e.id === editing) ?? null } : null;

  return html`
    <h1 tabindex="-1">Today <span class="subtitle">${dayHeading()}</span></h1>
    <${CheckinForm} key=${target ? `edit-${target.id}` : 'new'} target=${target} fixing=${fixing}
      step=${step} onSaved=${(message) => { setNotice(message); setEditing(null); }}
      onCancel=${() => setEditing(null)} />
    ${step >= STEPS && html`<${TodayRest} notice=${notice} entries=${entries} todays=${todays}
      today=${today} onEdit=${(id) => { setNotice(''); setEditing(id); }} />`}
  `;
}

function TodayRest({ notice, entries, todays, today, onEdit }) {
  return html`
    <p class="notice" aria-live="polite">${notice}</p>
    <section class="card" aria-labelledby="todays-entries">
      <h2 id="todays-entries">Today’s check-ins</h2>
      ${entries === undefined ? html`<p class="hint">Loading…</p>`
        : todays.length === 0 ? html`<p class="hint">No check-ins yet today. Several a day are fine.</p>`
        : html`<ul class="entries">
          ${todays.map((entry) => html`
            <li key=${entry.id}>
              <p id=${`entry-${entry.id}`}>
                <strong>${timeOf(entry.created_at)}</strong> ${entrySummary(entry)}
                ${entry.pending && html` <span class="badge">not synced yet</span>`}
              </p>
              <button type="button" class="secondary" aria-describedby=${`entry-${entry.id}`}
                onClick=${() => onEdit(entry.id)}>Edit check-in</button>
            </li>`)}
        </ul>`}
    </section>
    <${DueToday} today=${today} diary=${entries} />
    <${YourPlan} today=${today} />
  `;
}

function CheckinForm({ target, fixing, step, onSaved, onCancel }) {
  const { store, resolveFix } = useApp();
  const editing = Boolean(target);
  const [form, setForm] = useState(() => entryToForm({ ...(target?.entry ?? {}), ...(fixing?.mutation?.fields ?? {}) }));
  const [error, setError] = useState(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const headingRef = useRef(null);
  const errorId = useUid('checkin-error');
  const set = (key) => (value) => setForm((old) => ({ ...old, [key]: value }));

  useEffect(() => {
    if (editing && headingRef.current) {
      headingRef.current.scrollIntoView?.({ block: 'start' });
      headingRef.current.focus();
    }
  }, []);

  async function save(event) {
    event.preventDefault();
    const result = formToEntry(form);
    if (result.error) {
      setError(result);
      const first = event.currentTarget.querySelector(result.field === 'pain' ? '.scale input' : `[name="${result.field}"]`);
      first?.focus();
      return;
    }
    setError(null);
    if (editing) {
      const values = target.entry ? result.fields
        : { local_date: fixing?.mutation?.fields?.local_date ?? localDate(), ...result.fields };
      await store.write('diary_entry', target.id, values);
      if (fixing) await resolveFix(fixing);
      onSaved('Changes saved.');
    } else {
      await store.write('diary_entry', newId(), { local_date: localDate(), ...result.fields });
      setForm(entryToForm());
      onSaved('Check-in saved.');
    }
    store.persistOnce();
  }

  async function remove() {
    await store.remove('diary_entry', target.id);
    if (fixing) await resolveFix(fixing);
    onSaved('Check-in deleted.');
  }

  const invalid = (field) => error?.field === field;
  return html`
    <form class="card checkin" aria-labelledby="checkin-title" noValidate onSubmit=${save}
      aria-describedby=${error ? errorId : undefined}>
      <h2 id="checkin-title" tabindex="-1" ref=${headingRef}>Daily check-in</h2>
      ${editing && html`<p class="hint">${target.entry ? `Editing your check-in from ${timeOf(target.entry.created_at)}.` : 'Fixing a check-in the server could not take.'}</p>`}
      ${fixing && html`<p class="error">The server said: ${fixing.detail || fixing.error}</p>`}
      <${Scale} name="pain" label="Pain" required value=${form.pain} onChange=${set('pain')}
        anchors=${['0 = no pain', '10 = worst imaginable']} invalid=${invalid('pain')} errorId=${errorId} />
      ${step >= 1 && html`
        <${Scale} name="interference" label="Interference" value=${form.interference}
          onChange=${set('interference')} hint="How much pain got in the way of what you wanted to do"
          anchors=${['0 = not at all', '10 = completely']} />
        <${Scale} name="function" label="Function" value=${form.function} onChange=${set('function')}
          hint="How well you could do what you needed to do" anchors=${['0 = unable', '10 = as well as ever']} />`}
      ${step >= 2 && html`<${FormEnd} editing=${editing} target=${target} fixing=${fixing} form=${form}
        set=${set} error=${error} errorId=${errorId} onCancel=${onCancel} remove=${remove}
        confirmDelete=${confirmDelete} setConfirmDelete=${setConfirmDelete} />`}
    </form>`;
}

function FormEnd({ editing, target, fixing, form, set, error, errorId, onCancel, remove,
  confirmDelete, setConfirmDelete }) {
  return html`
      <${Disclosure} label="More details" initiallyOpen=${Boolean(fixing)}>
        <${MoreDetails} form=${form} set=${set} />
      <//>
      ${error && html`<p class="error" id=${errorId} role="alert">${error.error}</p>`}
      <div class="actions">
        <button type="submit">${editing ? 'Save changes' : 'Save check-in'}</button>
        ${editing && html`<button type="button" class="secondary" onClick=${() => onCancel()}>Cancel</button>`}
      </div>
      ${editing && target.entry && html`
        <div class="danger-zone">
          ${confirmDelete
            ? html`<p>Delete this check-in?</p>
                <button type="button" class="danger" onClick=${remove}>Yes, delete it</button>
                <button type="button" class="secondary" onClick=${() => setConfirmDelete(false)}>Keep it</button>`
            : html`<button type="button" class="link-button" onClick=${() => setConfirmDelete(true)}>Delete check-in</button>`}
        </div>`}`;
}

function MoreDetails({ form, set }) {
  const toggleArea = (code) => (on) => set('body_areas')(on
    ? [...form.body_areas, code] : form.body_areas.filter((c) => c !== code));
  return html`
    <${Scale} name="mood" label="Mood" value=${form.mood} onChange=${set('mood')}
      anchors=${['0 = very low', '10 = very good']} />
    <${Scale} name="fatigue" label="Fatigue" value=${form.fatigue} onChange=${set('fatigue')}
      anchors=${['0 = none', '10 = exhausted']} />
    <${Field} label="Sleep hours" name="sleep_hours" type="text" inputMode="decimal"
      value=${form.sleep_hours} onInput=${set('sleep_hours')} hint="Last night, for example 6.5" />
    <${Scale} name="sleep_quality" label="Sleep quality" value=${form.sleep_quality}
      onChange=${set('sleep_quality')} anchors=${['0 = very poor', '10 = very good']} />
    <${Check} label="I’m in a flare-up" checked=${form.flare} onChange=${set('flare')} />
    <fieldset class="areas">
      <legend>Where it hurts</legend>
      <div class="area-grid">
        ${MIDLINE_AREAS.map((area) => html`
          <${Check} key=${area.code} label=${area.label} checked=${form.body_areas.includes(area.code)}
            onChange=${toggleArea(area.code)} />`)}
      </div>
      <ul class="sided">
        ${SIDED_AREAS.map((area) => html`
          <li key=${area.code}>
            <span aria-hidden="true">${area.label}</span>
            <${Check} label="Left" aria-label=${`${area.label} (left)`}
              checked=${form.body_areas.includes(area.left)} onChange=${toggleArea(area.left)} />
            <${Check} label="Right" aria-label=${`${area.label} (right)`}
              checked=${form.body_areas.includes(area.right)} onChange=${toggleArea(area.right)} />
          </li>`)}
      </ul>
    </fieldset>
    <${Field} label="Activities" name="activities" value=${form.activities}
      onInput=${set('activities')} hint="Separate them with commas, for example: walk, cooking" />
    <${Field} label="Medications" name="medications" multiline value=${form.medications}
      onInput=${set('medications')} maxLength="2000" />
    <${Field} label="Notes" name="notes" multiline value=${form.notes} onInput=${set('notes')}
      maxLength="2000" />`;
}

function DueToday({ today, diary }) {
  const goals = useRecords('goal');
  const plans = useRecords('pacing_plan');
  const sessions = useRecords('pacing_session');
  const flarePlans = useRecords('flare_plan');
  const flareLevels = useFlareLevels({ plans, sessions, diary, today });
  if (goals === undefined || plans === undefined || sessions === undefined) return null;
  const steps = goals.filter((g) => (g.status ?? 'active') === 'active').flatMap((goal) => {
    const next = (goal.steps ?? []).find((s) => !s.done);
    return next && (!next.due_date || next.due_date <= today) ? [{ goal, step: next }] : [];
  });
  const pacing = plans.filter((p) => p.active !== false).map((plan) => {
    const done = sessions.filter((s) => s.plan_id === plan.id && s.ended_at
      && localDate(new Date(s.started_at)) === today).length;
    return { plan, done, wanted: plan.sessions_per_day ?? 1 };
  }).filter(({ done, wanted }) => done < wanted);
  return html`
    <section class="card" aria-labelledby="due-today">
      <h2 id="due-today">Also today</h2>
      ${steps.length === 0 && pacing.length === 0 && html`<p class="hint">No goal steps or pacing sessions due today.</p>`}
      ${steps.length > 0 && html`<ul class="plain">${steps.map(({ goal, step }) => html`
        <li key=${goal.id}>Goal step for <strong>${goal.title}</strong>: ${step.title}${step.due_date ? ` (due ${step.due_date})` : ''}</li>`)}
      </ul>`}
      ${pacing.length > 0 && html`<ul class="plain">${pacing.map(({ plan, done, wanted }) => html`
        <li key=${plan.id}>Pacing: <strong>${plan.activity}</strong>, ${done} of ${wanted} ${wanted === 1 ? 'session' : 'sessions'} done${quotaText(plan, flareLevels?.get(plan.id))}.</li>`)}
      </ul>`}
      <p class="links">
        ${steps.length > 0 || goals.length > 0 ? html`<a href="#goals">Open goals</a>` : html`<a href="#goals">Set your first goal</a>`}
        ${pacing.length > 0 || plans.length > 0 ? html`<a href="#pacing">Open pacing</a>` : html`<a href="#pacing">Plan a paced activity</a>`}
        ${flarePlans !== undefined && flarePlans.length === 0 && html`<a href="#flare-plan">Write your flare plan</a>`}
      </p>
    </section>`;
}

function quotaText(plan, flareLevel) {
  const unit = plan.unit ?? 'minutes';
  if (typeof flareLevel === 'number') {
    return `, ${flareLevel} ${unit} each while the flare lasts (usually ${plan.quota})`;
  }
  return plan.quota ? `, ${plan.quota} ${unit} each` : '';
}

/**
 * In a flare each plan's quota for today is its flare level, as on the Pacing screen
 * (design §5): plan id → level, for the plans whose level is below their quota. The pacing
 * rules are loaded only when a flare could be on, so Today's first load stays light.
 */
function useFlareLevels({ plans, sessions, diary, today }) {
  const flares = useRecords('flare');
  const maybeFlaring = (flares ?? []).some((f) => !f.ended_at || f.ended_at.slice(0, 10) >= today)
    || (diary ?? []).some((e) => e.flare === true && e.local_date === today);
  return useData(async () => {
    const levels = new Map();
    if (!maybeFlaring || !plans?.length || sessions === undefined) return levels;
    const { planOffer } = await import('./pacing.js');
    for (const plan of plans) {
      if (plan.active === false || typeof plan.quota !== 'number') continue;
      const offer = planOffer({ plan, sessions, flares, diary: diary ?? [], today });
      if (offer?.inFlare && typeof offer.working === 'number' && offer.working < plan.quota) {
        levels.set(plan.id, offer.working);
      }
    }
    return levels;
  }, [maybeFlaring, plans, sessions, flares, diary, today]);
}

/** The rest of the plan, one tap away; the weekly review is marked when it is due. */
function YourPlan({ today }) {
  const reviews = useRecords('weekly_review');
  const due = reviews !== undefined && reviewDue({ today, reviews });
  return html`
    <section class="card your-plan" aria-labelledby="your-plan">
      <h2 id="your-plan">Your plan</h2>
      <ul class="plain">
        <li><a href="#review">Weekly review${due && html` <span class="badge">due</span>`}</a></li>
        <li><a href="#builder">Build my plan</a></li>
        <li><a href="#checkup">Questionnaires and tests</a></li>
        <li><a href="#plan">My plan</a></li>
        <li><a href="#learn">Learn</a></li>
        <li><a href="#care-team">Care team</a></li>
      </ul>
    </section>`;
}
