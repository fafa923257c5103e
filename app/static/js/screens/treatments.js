// Treatments and routines: what the plan uses besides pacing (exercise programme,
// physiotherapy, medication plan, aids…) with why and how it is going, and the daily
// routines the patient picked (sleep, ergonomics, energy planning, footwear, hydration),
// each ticked off day by day. All writes go to the local store, so it works offline.

import { WEEKDAY_NAMES, describeDays, localDate, shortDate } from '../dates.js';
import { html, useState } from '../html.js';
import { TextField } from '../goal-form.js';
import { newId } from '../outbox.js';
import {
  ROUTINE_AREAS, ROUTINE_SUGGESTIONS, SUGGESTION_SOURCES, TREATMENT_KINDS, TREATMENT_STATUSES,
  hasRoutine, isDoneOn, statusChange, toggleDate, validateRoutine, validateTreatment, weekTicks,
} from '../plan-records.js';
import { Check, Disclosure, Scale, useApp, useRecords, useUid } from '../ui.js';

const STATUS_ORDER = { active: 0, paused: 1, stopped: 2 };
const DAY_SHORT = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** A labelled input whose error, when there is one, sits right under it and is announced with it. */
export const CheckedField = (props) => TextField({ ...props, className: 'checked-field' });

/** A labelled <select> of `choices` ({value: label}), with its error under it. */
export function CheckedSelect({ label, choices, value, onChange, error, placeholder }) {
  const id = useUid('sel');
  return html`
    <div class="field checked-field">
      <label for=${id}>${label}</label>
      <select id=${id} value=${value ?? ''} aria-invalid=${error ? 'true' : undefined}
        aria-describedby=${error ? `${id}-error` : undefined}
        onChange=${(event) => onChange(event.currentTarget.value)}>
        ${placeholder && html`<option value="">${placeholder}</option>`}
        ${Object.entries(choices).map(([key, text]) => html`<option key=${key} value=${key}>${text}</option>`)}
      </select>
      ${error && html`<p class="error" id=${`${id}-error`}>${error}</p>`}
    </div>`;
}

/** After a refused save, move focus to the first field marked invalid (once it is drawn). */
export function focusFirstInvalid(form) {
  setTimeout(() => form?.querySelector('[aria-invalid="true"]')?.focus());
}

/** The rejected change the "could not sync" list sent the person here to fix, if it is one of `entities`. */
export function useFixing(...entities) {
  const { fix } = useApp();
  return fix && entities.includes(fix.mutation?.entity) ? fix : null;
}

/**
 * The server refused a change: say why, and offer the record's form with the refused
 * values in it (saving resolves it) or discarding the change.
 */
export function FixCard({ fixing, what, children, onNotice }) {
  const { resolveFix } = useApp();
  const discard = async () => {
    await resolveFix(fixing);
    onNotice(`The refused change to a ${what} was discarded.`);
  };
  return html`
    <section class="card fix-card" aria-labelledby="fix-heading">
      <h2 id="fix-heading">Could not sync this ${what}</h2>
      ${fixing.error === 'deleted' || fixing.error === 'not_found'
        ? html`<p>It had been deleted, perhaps on another device. To keep it, fill in what is missing
            and save it as a new ${what}; or discard the change.</p>`
        : html`<p>The server refused it: ${fixing.detail || fixing.error}.</p>`}
      ${fixing.mutation.op === 'delete' ? html`<p>The ${what} was not deleted on the server.</p>` : children}
      <button type="button" class="secondary" onClick=${discard}>Discard this change</button>
    </section>`;
}

/** The values to show when fixing: the record as it stands with the refused change over it. */
export const fixValues = (record, fixing) => ({ ...(record ?? {}), ...(fixing?.mutation?.fields ?? {}) });

export function TreatmentsScreen() {
  const [notice, setNotice] = useState('');
  const fixing = useFixing('treatment', 'routine');
  const treatments = useRecords('treatment');
  const routines = useRecords('routine');
  const fixed = (message) => setNotice(message);
  const recordOf = (list) => (list ?? []).find((r) => r.id === fixing?.mutation.record_id);
  return html`
    <h1 tabindex="-1">Treatments and routines</h1>
    <p class="hint">What your plan uses besides pacing, and the small daily habits that support it.
      Pacewise does not recommend or change treatments: decide with your care team before you start,
      change or stop one, especially a medicine.</p>
    <p class="notice" aria-live="polite">${notice}</p>
    ${fixing && treatments !== undefined && routines !== undefined && (fixing.mutation.entity === 'treatment'
      ? html`<${FixCard} fixing=${fixing} what="treatment" onNotice=${setNotice}>
          <${TreatmentForm} key=${fixing.key} treatment=${recordOf(treatments)} fixing=${fixing}
            onDone=${(title) => fixed(`Treatment “${title}” saved.`)} /><//>`
      : html`<${FixCard} fixing=${fixing} what="routine" onNotice=${setNotice}>
          <${RoutineForm} key=${fixing.key} routine=${recordOf(routines)} fixing=${fixing}
            onDone=${(title) => fixed(`Routine “${title}” saved.`)} /><//>`)}
    <${Treatments} onNotice=${setNotice} />
    <${Routines} onNotice=${setNotice} />
    <p class="links"><a href="#decisions">Decisions</a><a href="#learn">Learn</a></p>`;
}

// -- treatments ---------------------------------------------------------------------------

function Treatments({ onNotice }) {
  const treatments = useRecords('treatment');
  const sorted = [...(treatments ?? [])].sort((a, b) =>
    (STATUS_ORDER[a.status ?? 'active'] - STATUS_ORDER[b.status ?? 'active'])
    || String(a.created_at ?? '').localeCompare(String(b.created_at ?? '')));
  return html`
    <section aria-labelledby="treatments-heading">
      <h2 id="treatments-heading">Treatments</h2>
      ${treatments === undefined ? html`<p class="hint">Loading…</p>`
        : sorted.length === 0 ? html`<p>No treatments yet. Add the exercise programme, therapy, medication plan or aid you use.</p>`
        : sorted.map((t) => html`<${TreatmentCard} key=${t.id} treatment=${t} onNotice=${onNotice} />`)}
      ${treatments !== undefined && html`
        <${Disclosure} label="Add a treatment" initiallyOpen=${false}>
          <${TreatmentForm} onDone=${(title) => onNotice(`Treatment “${title}” added.`)} />
        <//>`}
    </section>`;
}

function TreatmentCard({ treatment, onNotice }) {
  const { store } = useApp();
  const headingId = useUid('treatment');
  const statusId = useUid('status');
  const status = treatment.status ?? 'active';
  const setStatus = async (next) => {
    await store.write('treatment', treatment.id, statusChange(treatment, next, localDate()));
    onNotice(`“${treatment.title}” is now ${TREATMENT_STATUSES[next].toLowerCase()}.`);
  };
  const dates = [treatment.started_on && `since ${shortDate(treatment.started_on)}`,
    treatment.stopped_on && `stopped ${shortDate(treatment.stopped_on)}`].filter(Boolean).join(', ');
  return html`
    <article class="card tr-card" aria-labelledby=${headingId}>
      <h3 id=${headingId}>${treatment.title}</h3>
      <p class="goal-meta">${TREATMENT_KINDS[treatment.kind] ?? 'Other'}${dates ? ` · ${dates}` : ''}
        ${status !== 'active' && html` <span class="badge">${TREATMENT_STATUSES[status]}</span>`}</p>
      ${treatment.schedule && html`<p><strong>When:</strong> ${treatment.schedule}</p>`}
      ${treatment.why && html`<p><strong>Why:</strong> ${treatment.why}</p>`}
      ${typeof treatment.helpfulness === 'number' && html`<p><strong>How helpful:</strong> ${treatment.helpfulness} out of 10</p>`}
      ${treatment.side_effects && html`<p><strong>Side effects:</strong> ${treatment.side_effects}</p>`}
      <div class="field">
        <label for=${statusId}>Status</label>
        <select id=${statusId} value=${status} onChange=${(e) => setStatus(e.currentTarget.value)}>
          ${Object.entries(TREATMENT_STATUSES).map(([value, label]) => html`<option key=${value} value=${value}>${label}</option>`)}
        </select>
      </div>
      <${Disclosure} label="How is it going?" ariaLabel=${`How is it going? ${treatment.title}`}>
        <${HowItIsGoing} treatment=${treatment} onNotice=${onNotice} />
      <//>
      <${Disclosure} label="Edit" ariaLabel=${`Edit ${treatment.title}`}>
        <${TreatmentForm} treatment=${treatment} onDone=${(title) => onNotice(`Treatment “${title}” saved.`)} />
      <//>
    </article>`;
}

function HowItIsGoing({ treatment, onNotice }) {
  const { store } = useApp();
  const [helpfulness, setHelpfulness] = useState(treatment.helpfulness ?? null);
  const [sideEffects, setSideEffects] = useState(treatment.side_effects ?? '');
  const [errors, setErrors] = useState({});
  async function save(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const { fields, errors: found } = validateTreatment({ ...treatment, helpfulness, side_effects: sideEffects });
    setErrors(found);
    if (!fields) return focusFirstInvalid(form);
    await store.write('treatment', treatment.id, { helpfulness: fields.helpfulness, side_effects: fields.side_effects });
    onNotice(`Noted how “${treatment.title}” is going.`);
  }
  const errorId = useUid('help-error');
  return html`
    <form aria-label=${`How ${treatment.title} is going`} noValidate onSubmit=${save}>
      <${Scale} name="helpfulness" label="How helpful is it?" value=${helpfulness} onChange=${setHelpfulness}
        anchors=${['0 = not at all', '10 = very helpful']} invalid=${Boolean(errors.helpfulness)} errorId=${errorId} />
      ${errors.helpfulness && html`<p class="error" id=${errorId}>${errors.helpfulness}</p>`}
      <${CheckedField} label="Side effects or problems" value=${sideEffects} onInput=${setSideEffects}
        multiline maxLength="2000" error=${errors.side_effects} />
      <button type="submit">Save how it is going</button>
    </form>`;
}

const blankTreatment = () => ({ kind: '', title: '', why: '', schedule: '', started_on: '', stopped_on: '',
  status: 'active', helpfulness: null, side_effects: '' });

function TreatmentForm({ treatment, fixing, onDone }) {
  const { store, resolveFix } = useApp();
  const [form, setForm] = useState(() => ({ ...blankTreatment(), ...fixValues(treatment, fixing) }));
  const [errors, setErrors] = useState({});
  const [confirm, setConfirm] = useState(false);
  const set = (key) => (value) => setForm((old) => ({ ...old, [key]: value }));
  const helpErrorId = useUid('help-error');
  async function save(event) {
    event.preventDefault();
    const element = event.currentTarget;
    const { fields, errors: found } = validateTreatment(form);
    setErrors(found);
    if (!fields) return focusFirstInvalid(element);
    await store.write('treatment', treatment?.id ?? newId(), fields);
    store.persistOnce();
    if (fixing) await resolveFix(fixing);
    else if (!treatment) setForm(blankTreatment());
    onDone(fields.title);
  }
  const remove = async () => {
    await store.remove('treatment', treatment.id);
    onDone(treatment.title);
  };
  return html`
    <form class=${treatment || fixing ? '' : 'card'} noValidate onSubmit=${save}
      aria-label=${fixing ? 'Fix treatment' : treatment ? `Edit ${treatment.title}` : 'New treatment'}>
      <${CheckedSelect} label="Kind" choices=${TREATMENT_KINDS} value=${form.kind} onChange=${set('kind')}
        placeholder="Choose a kind" error=${errors.kind} />
      <${CheckedField} label="What is it?" value=${form.title} onInput=${set('title')} required maxLength="200"
        hint="For example: home exercises from my physio, a walking stick" error=${errors.title} />
      <${CheckedField} label="Why I use it" value=${form.why} onInput=${set('why')} multiline maxLength="2000"
        hint="What it is meant to help with, as agreed with your care team" error=${errors.why} />
      <${CheckedField} label="When and how often" value=${form.schedule} onInput=${set('schedule')} maxLength="200"
        hint="For example: 15 minutes every morning" error=${errors.schedule} />
      <${CheckedField} label="Started on" type="date" value=${form.started_on} onInput=${set('started_on')}
        error=${errors.started_on} />
      <${CheckedField} label="Stopped on" type="date" value=${form.stopped_on} onInput=${set('stopped_on')}
        error=${errors.stopped_on} />
      <${CheckedSelect} label="Status" choices=${TREATMENT_STATUSES} value=${form.status} onChange=${set('status')}
        error=${errors.status} />
      <${Scale} name="helpfulness" label="How helpful is it?" value=${form.helpfulness} onChange=${set('helpfulness')}
        anchors=${['0 = not at all', '10 = very helpful']} invalid=${Boolean(errors.helpfulness)} errorId=${helpErrorId} />
      ${errors.helpfulness && html`<p class="error" id=${helpErrorId}>${errors.helpfulness}</p>`}
      <${CheckedField} label="Side effects or problems" value=${form.side_effects} onInput=${set('side_effects')}
        multiline maxLength="2000" error=${errors.side_effects} />
      <button type="submit">${treatment || fixing ? 'Save changes' : 'Add treatment'}</button>
      ${treatment && !fixing && html`
        <div class="danger-zone">
          ${confirm ? html`
            <p>Delete “${treatment.title}”?</p>
            <button type="button" class="danger" onClick=${remove}>Yes, delete it</button>
            <button type="button" class="secondary" onClick=${() => setConfirm(false)}>Keep it</button>`
          : html`<button type="button" class="link-button" onClick=${() => setConfirm(true)}>Delete treatment</button>`}
        </div>`}
    </form>`;
}

// -- routines -----------------------------------------------------------------------------

function Routines({ onNotice }) {
  const { store } = useApp();
  const routines = useRecords('routine');
  const sorted = [...(routines ?? [])].sort((a, b) => String(a.created_at ?? '').localeCompare(String(b.created_at ?? '')));
  const today = localDate();
  const pick = async (suggestion) => {
    await store.write('routine', newId(), { title: suggestion.title, area: suggestion.area, days: suggestion.days });
    store.persistOnce();
    onNotice(`Routine “${suggestion.title}” added.`);
  };
  const open = ROUTINE_SUGGESTIONS.filter((s) => !hasRoutine(routines, s.title));
  return html`
    <section aria-labelledby="routines-heading">
      <h2 id="routines-heading">Daily routines</h2>
      ${routines === undefined ? html`<p class="hint">Loading…</p>`
        : sorted.length === 0 ? html`<p>No routines yet. Pick one below in one tap, or add your own.</p>`
        : html`<ul class="plain routines">${sorted.map((r) => html`
            <li key=${r.id}><${RoutineCard} routine=${r} today=${today} onNotice=${onNotice} /></li>`)}</ul>`}
      ${routines !== undefined && html`
        <h3 id="suggestions-heading">Pick a routine</h3>
        ${open.length === 0 ? html`<p class="hint">You have picked every suggestion.</p>` : html`
          <ul class="plain suggestions" aria-labelledby="suggestions-heading">
            ${open.map((s) => html`
              <li key=${s.title}>
                <div><strong>${s.title}</strong><p class="hint">${s.hint}</p></div>
                <button type="button" class="secondary small" aria-label=${`Add ${s.title}`}
                  onClick=${() => pick(s)}>Add</button>
              </li>`)}
          </ul>`}
        <${SuggestionSources} />
        <${Disclosure} label="Add your own routine">
          <${RoutineForm} onDone=${(title) => onNotice(`Routine “${title}” added.`)} />
        <//>`}
    </section>`;
}

function SuggestionSources() {
  const used = [...new Set(ROUTINE_SUGGESTIONS.map((s) => s.source))];
  return html`
    <details class="sources-note">
      <summary>Where these suggestions come from</summary>
      <ul>${used.map((key) => html`<li key=${key}>${SUGGESTION_SOURCES[key]}</li>`)}</ul>
      <p class="hint">Paraphrased general advice, not a diagnosis or a prescription. More in <a href="#learn/sleep">Learn: sleep</a>.</p>
    </details>`;
}

function RoutineCard({ routine, today, onNotice }) {
  const { store } = useApp();
  const headingId = useUid('routine');
  const done = isDoneOn(routine, today);
  const week = weekTicks(routine, today);
  const plannedToday = week.days.find((d) => d.day === today)?.planned;
  const toggle = async () => {
    await store.write('routine', routine.id, { done_dates: toggleDate(routine.done_dates, today) });
    onNotice(done ? `“${routine.title}” unticked for today.` : `“${routine.title}” done today.`);
  };
  return html`
    <article class="card tr-card" aria-labelledby=${headingId}>
      <h3 id=${headingId}>${routine.title}</h3>
      <p class="goal-meta">${ROUTINE_AREAS[routine.area] ?? 'Other'} · ${describeDays(routine.days ?? [0, 1, 2, 3, 4, 5, 6])}${plannedToday ? '' : ' · not planned today'}</p>
      <button type="button" class=${done ? 'tick done' : 'tick secondary'} aria-pressed=${done ? 'true' : 'false'}
        aria-label=${`Done today: ${routine.title}`} onClick=${toggle}>${done ? '✓ Done today' : 'Done today'}</button>
      <p class="hint week-summary">This week: done on ${week.doneCount} ${week.doneCount === 1 ? 'day' : 'days'}, ${week.plannedCount} planned.</p>
      <ol class="week-ticks" aria-label=${`This week, ${routine.title}`}>
        ${week.days.map((d) => html`
          <li key=${d.day} class=${[d.done && 'done', d.day === today && 'today', !d.planned && 'rest'].filter(Boolean).join(' ')}
            aria-current=${d.day === today ? 'date' : undefined}>
            <span aria-hidden="true">${DAY_SHORT[d.weekday]}</span>
            <span aria-hidden="true" class="mark">${d.done ? '✓' : d.planned ? '·' : '–'}</span>
            <span class="sr-only">${WEEKDAY_NAMES[d.weekday]}: ${d.done ? 'done' : d.future ? 'to come' : d.planned ? 'not done' : 'not planned'}</span>
          </li>`)}
      </ol>
      <${Disclosure} label="Change" ariaLabel=${`Change ${routine.title}`}>
        <${RoutineForm} routine=${routine} onDone=${(title, removed) => onNotice(removed ? `Routine “${title}” removed.` : `Routine “${title}” saved.`)} />
      <//>
    </article>`;
}

function RoutineForm({ routine, fixing, onDone }) {
  const { store, resolveFix } = useApp();
  const blank = { title: '', area: 'other', days: [0, 1, 2, 3, 4, 5, 6] };
  const [form, setForm] = useState(() => ({ ...blank, ...fixValues(routine, fixing) }));
  const [errors, setErrors] = useState({});
  const [confirm, setConfirm] = useState(false);
  const daysErrorId = useUid('days-error');
  const set = (key) => (value) => setForm((old) => ({ ...old, [key]: value }));
  const setDay = (day, on) => setForm((old) => ({ ...old,
    days: on ? [...new Set([...(old.days ?? []), day])] : (old.days ?? []).filter((d) => d !== day) }));
  async function save(event) {
    event.preventDefault();
    const element = event.currentTarget;
    const { fields, errors: found } = validateRoutine(form);
    setErrors(found);
    if (!fields) return focusFirstInvalid(element);
    // A fix also carries the refused ticks, if the change was a tick.
    const ticks = fixing?.mutation.fields?.done_dates;
    await store.write('routine', routine?.id ?? newId(), ticks ? { ...fields, done_dates: ticks } : fields);
    store.persistOnce();
    if (fixing) await resolveFix(fixing);
    else if (!routine) setForm(blank);
    onDone(fields.title, false);
  }
  const remove = async () => {
    await store.remove('routine', routine.id);
    onDone(routine.title, true);
  };
  return html`
    <form class=${routine || fixing ? '' : 'card'} noValidate onSubmit=${save}
      aria-label=${fixing ? 'Fix routine' : routine ? `Change ${routine.title}` : 'New routine'}>
      <${CheckedField} label="Routine" value=${form.title} onInput=${set('title')} required maxLength="200"
        hint="Something small you can do each day" error=${errors.title} />
      <${CheckedSelect} label="Area" choices=${ROUTINE_AREAS} value=${form.area} onChange=${set('area')} error=${errors.area} />
      <fieldset aria-describedby=${errors.days ? daysErrorId : undefined}>
        <legend>Days</legend>
        <div class="area-grid">
          ${WEEKDAY_NAMES.map((name, day) => html`
            <${Check} key=${day} label=${name} checked=${(form.days ?? []).includes(day)}
              aria-invalid=${errors.days ? 'true' : undefined} onChange=${(on) => setDay(day, on)} />`)}
        </div>
        ${errors.days && html`<p class="error" id=${daysErrorId}>${errors.days}</p>`}
      </fieldset>
      <button type="submit">${routine || fixing ? 'Save changes' : 'Add routine'}</button>
      ${routine && !fixing && html`
        <div class="danger-zone">
          ${confirm ? html`
            <p>Remove “${routine.title}” and its ticks?</p>
            <button type="button" class="danger" onClick=${remove}>Yes, remove it</button>
            <button type="button" class="secondary" onClick=${() => setConfirm(false)}>Keep it</button>`
          : html`<button type="button" class="link-button" onClick=${() => setConfirm(true)}>Remove routine</button>`}
        </div>`}
    </form>`;
}
