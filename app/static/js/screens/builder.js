// Build my plan: seven short steps a tired person can do one at a time and come back to.
// Each step saves a complete record on its own "Save"; which step is open and which are
// done is read from the stored records (builder-rules.js), so leaving and returning
// resumes where the plan stands. Everything works offline.

import {
  STEPS, VALUE_SUGGESTIONS, TRIAL_DAYS_NEEDED, latestPsfs, planProgress, psfsFromForm,
  reviewReminderFromForm, valueFromForm,
} from '../builder-rules.js';
import { WEEKDAY_NAMES, describeDays, localDate, shortDate } from '../dates.js';
import { GoalForm, NotSaved, ScaleField, TextField, focusFirstProblem } from '../goal-form.js';
import { formatAmount, timeZone } from '../goals.js';
import { html, useEffect, useRef, useState } from '../html.js';
import { newId } from '../outbox.js';
import { INSTRUMENTS } from '../rules/instruments.js';
import { amountText } from '../rules/pacing.js';
import { scoreAnswers } from '../rules/scoring.js';
import { Check, useApp, useData, useUid } from '../ui.js';

const ENTITIES = ['value', 'outcome_response', 'goal', 'performance_test', 'pacing_session',
  'pacing_plan', 'flare_plan', 'reminder'];
const PSFS = INSTRUMENTS.psfs;
const PERFORMANCE_TESTS = [['chair_stand_30s', '30-second chair stand'],
  ['timed_up_and_go', 'Timed up-and-go'], ['six_minute_walk', '6-minute walk']];
const BASELINE_QUESTIONNAIRES = ['peg', 'phq2', 'gad2'];

/** The step named in the address (#builder/goals), if any. */
function stepInAddress() {
  const key = decodeURIComponent(location.hash).split('/')[1];
  return STEPS.some((step) => step.key === key) ? key : null;
}

/** A refused change of a value, from the "could not sync" list, to fix in step 1. */
function valueFix(fix) {
  return fix?.mutation?.entity === 'value' && fix.mutation.op === 'upsert' ? fix : null;
}

export function BuilderScreen() {
  const { store, fix } = useApp();
  const data = useData(async () => {
    const lists = await Promise.all(ENTITIES.map((entity) => store.list(entity)));
    return Object.fromEntries(ENTITIES.map((entity, i) => [entity, lists[i]]));
  });
  const [chosen, setChosen] = useState(null);
  const [notice, setNotice] = useState('');
  const headingRef = useRef(null);
  const moved = useRef(false);
  const progress = data ? planProgress(data, { timezone: timeZone() }) : null;

  useEffect(() => {
    if (progress && chosen === null) {
      setChosen(valueFix(fix) ? 'values' : stepInAddress() ?? progress.current);
    }
  }, [data]);
  useEffect(() => {
    if (moved.current) headingRef.current?.focus();
  }, [chosen]);

  const go = (key) => {
    moved.current = true;
    setNotice('');
    setChosen(key);
  };
  if (!data || chosen === null) {
    return html`<h1 tabindex="-1">Build my plan</h1><p class="hint">Loading…</p>`;
  }
  const index = STEPS.findIndex((step) => step.key === chosen);
  const step = STEPS[index];
  const doneCount = STEPS.filter((s) => progress[s.key]).length;
  return html`
    <h1 tabindex="-1">Build my plan</h1>
    <p class="hint">Seven short steps, one at a time. Each saves on its own, so you can stop
      whenever you like and carry on later. ${doneCount} of 7 done.</p>
    <p class="notice" aria-live="polite">${notice}</p>
    <section class="builder-step" aria-labelledby="builder-step-heading">
      <h2 id="builder-step-heading" tabindex="-1" ref=${headingRef}>
        <span class="subtitle">Step ${index + 1} of ${STEPS.length}</span> ${step.title}</h2>
      <${StepBody} key=${step.key} step=${step.key} data=${data} progress=${progress} onNotice=${setNotice} />
    </section>
    <div class="actions step-moves">
      ${index > 0 && html`<button type="button" class="secondary"
        onClick=${() => go(STEPS[index - 1].key)}>Back: ${STEPS[index - 1].title}</button>`}
      ${index < STEPS.length - 1 && html`<button type="button"
        onClick=${() => go(STEPS[index + 1].key)}>Next: ${STEPS[index + 1].title}</button>`}
    </div>
    <nav aria-labelledby="builder-steps-heading">
      <h2 id="builder-steps-heading">All steps</h2>
      <ol class="builder-steps">
        ${STEPS.map((s, i) => html`
          <li key=${s.key}>
            <button type="button" class=${`step-link${progress[s.key] ? ' done' : ''}`}
              aria-current=${s.key === chosen ? 'step' : undefined} onClick=${() => go(s.key)}>
              <span>${i + 1}. ${s.title}</span>
              <span class="step-state">${progress[s.key] ? '— done' : '— to do'}</span>
            </button>
          </li>`)}
      </ol>
    </nav>
    <p><a href="#plan">See my whole plan</a></p>`;
}

function StepBody({ step, data, progress, onNotice }) {
  switch (step) {
    case 'values': return html`<${ValuesStep} values=${data.value} onNotice=${onNotice} />`;
    case 'psfs': return html`<${PsfsStep} responses=${data.outcome_response} onNotice=${onNotice} />`;
    case 'goals': return html`<${GoalsStep} goals=${data.goal} responses=${data.outcome_response} onNotice=${onNotice} />`;
    case 'baseline': return html`<${BaselineStep} data=${data} done=${progress.baseline} />`;
    case 'pacing': return html`<${PacingStep} data=${data} progress=${progress} />`;
    case 'flare': return html`<${FlareStep} done=${progress.flare} />`;
    default: return html`<${ReviewStep} reminders=${data.reminder} onNotice=${onNotice} />`;
  }
}

// --- 1. What matters ------------------------------------------------------------------

function ValuesStep({ values, onNotice }) {
  const { store, fix, clearFix } = useApp();
  const fixing = valueFix(fix);
  const [editing, setEditing] = useState(null);
  const [confirm, setConfirm] = useState(null);
  const [formKey, setFormKey] = useState(0);
  const sorted = [...values].sort((a, b) => (b.importance ?? -1) - (a.importance ?? -1)
    || String(a.title).localeCompare(String(b.title)));
  const target = sorted.find((v) => v.id === editing) ?? null;
  const remove = async (value) => {
    await store.remove('value', value.id);
    setConfirm(null);
    onNotice(`“${value.title}” deleted.`);
  };
  return html`
    <p>What matters most in your life? Goals work best when they serve something you care about.</p>
    ${sorted.length > 0 && html`
      <ul class="entries">
        ${sorted.map((value) => html`
          <li key=${value.id}>
            <p id=${`value-${value.id}`}><strong>${value.title}</strong>${typeof value.importance === 'number'
              ? ` — importance ${value.importance} of 10` : ''}${value.pending ? ' (not synced yet)' : ''}</p>
            ${value.description && html`<p class="hint">${value.description}</p>`}
            ${confirm === value.id ? html`
              <div class="danger-zone">
                <p>Delete “${value.title}”?</p>
                <button type="button" class="danger" onClick=${() => remove(value)}>Yes, delete it</button>
                <button type="button" class="secondary" onClick=${() => setConfirm(null)}>Keep it</button>
              </div>`
            : html`
              <div class="actions">
                <button type="button" class="secondary" aria-describedby=${`value-${value.id}`}
                  onClick=${() => { setEditing(value.id); onNotice(''); }}>Edit value</button>
                <button type="button" class="secondary" aria-describedby=${`value-${value.id}`}
                  onClick=${() => setConfirm(value.id)}>Delete value</button>
              </div>`}
          </li>`)}
      </ul>`}
    ${fixing && html`<p class="error">A change to “${fixing.mutation.fields?.title ?? 'a value'}” could not
      sync. The server said: ${fixing.detail || fixing.error}</p>`}
    <${ValueForm} key=${fixing ? `fix-${fixing.key}` : target ? target.id : `new-${formKey}`}
      value=${fixing ? values.find((v) => v.id === fixing.mutation.record_id) ?? null : target}
      fixing=${fixing} onCancel=${fixing ? clearFix : null}
      taken=${new Set(values.map((v) => String(v.title).toLowerCase()))}
      onDone=${(message) => {
        setEditing(null);
        setFormKey((n) => n + 1);
        if (message) onNotice(message);
      }} />`;
}

function ValueForm({ value, fixing, taken, onDone, onCancel }) {
  const { store, resolveFix } = useApp();
  const [form, setForm] = useState(() => {
    const start = { ...(value ?? {}), ...(fixing?.mutation.fields ?? {}) };
    return { title: start.title ?? '', description: start.description ?? '', importance: start.importance ?? null };
  });
  const [problems, setProblems] = useState({});
  const [tries, setTries] = useState(0);
  const formRef = useRef(null);
  const set = (key) => (next) => {
    setProblems((old) => ({ ...old, [key]: undefined }));
    setForm((old) => ({ ...old, [key]: next }));
  };
  useEffect(() => { if (tries) focusFirstProblem(formRef.current); }, [tries]);
  const shown = Object.fromEntries(Object.entries(problems).filter(([, m]) => m));
  async function save(event) {
    event.preventDefault();
    const result = valueFromForm(form);
    setProblems(result.problems);
    if (Object.keys(result.problems).length) {
      setTries((n) => n + 1);
      return;
    }
    await store.write('value', value?.id ?? fixing?.mutation.record_id ?? newId(), result.fields);
    if (fixing) await resolveFix(fixing);
    store.persistOnce();
    onDone(`Saved “${result.fields.title}”.${value ? '' : ' Add another, or go on to the next step.'}`);
  }
  const suggestions = VALUE_SUGGESTIONS.filter((s) => !taken.has(s.toLowerCase()) || s === value?.title);
  return html`
    <form class="card" aria-label=${value ? `Edit value ${value.title}` : 'Add what matters'} noValidate
      onSubmit=${save} ref=${formRef}>
      ${!value && !fixing && suggestions.length > 0 && html`
        <div class="chips" role="group" aria-label="Suggestions">
          ${suggestions.map((s) => html`
            <button type="button" key=${s} class="chip" aria-pressed=${form.title === s ? 'true' : 'false'}
              onClick=${() => set('title')(s)}>${s}</button>`)}
        </div>`}
      <${TextField} label="What matters to you" value=${form.title} onInput=${set('title')} maxLength="80"
        hint=${value ? undefined : 'Tap a suggestion or use your own words'} error=${shown.title} />
      <${TextField} label="What it means to you" value=${form.description} onInput=${set('description')}
        multiline maxLength="2000" hint="Optional" error=${shown.description} />
      <${ScaleField} name="importance" label="Importance" value=${form.importance} onChange=${set('importance')}
        anchors=${['0 = not important', '10 = matters most']} error=${shown.importance} />
      <${NotSaved} problems=${shown} />
      <div class="actions">
        <button type="submit">Save value</button>
        ${(value || fixing) && html`<button type="button" class="secondary"
          onClick=${() => (onCancel ? onCancel() : onDone(null))}>Cancel</button>`}
      </div>
    </form>`;
}

// --- 2. What is hard now (PSFS) --------------------------------------------------------

function PsfsStep({ responses, onNotice }) {
  const latest = latestPsfs(responses);
  const activities = latest?.answers?.activities ?? [];
  const item = PSFS.items[0];
  return html`
    <p>${PSFS.title} (PSFS). ${PSFS.instructions}</p>
    ${latest && html`
      <div class="card">
        <p><strong>Last rated ${shortDate(latest.local_date)}:</strong> score ${formatAmount(latest.score
          ?? scoreAnswers('psfs', latest.answers).score)} of 10${latest.pending ? ' (not synced yet)' : ''}</p>
        <ul class="plain">${activities.map((a, i) => html`<li key=${i}>${a.activity}: ${a.score} of 10</li>`)}</ul>
      </div>`}
    <${PsfsForm} key=${latest?.id ?? 'new'} latest=${latest} item=${item} onNotice=${onNotice} />
    <p class="hint source">${PSFS.scoring}</p>
    <p class="hint source">Source: ${PSFS.source} ${PSFS.licence}</p>`;
}

function PsfsForm({ latest, item, onNotice }) {
  const { store } = useApp();
  const today = localDate();
  const todays = latest?.local_date === today ? latest : null;
  const [rows, setRows] = useState(() => {
    const previous = latest?.answers?.activities ?? [];
    if (todays) return previous.map((a) => ({ activity: a.activity, score: a.score }));
    if (previous.length) return previous.map((a) => ({ activity: a.activity, score: null }));
    return [{ activity: '', score: null }];
  });
  const [problems, setProblems] = useState({});
  const [tries, setTries] = useState(0);
  const formRef = useRef(null);
  useEffect(() => { if (tries) focusFirstProblem(formRef.current); }, [tries]);
  const setRow = (index, key) => (value) => {
    setProblems((old) => ({ ...old, [`activities[${index}].${key}`]: undefined }));
    setRows((old) => old.map((row, i) => (i === index ? { ...row, [key]: value } : row)));
  };
  const remove = (index) => {
    setProblems({});
    setRows((old) => old.filter((_, i) => i !== index));
  };
  const shown = Object.fromEntries(Object.entries(problems).filter(([, m]) => m));
  async function save(event) {
    event.preventDefault();
    const result = psfsFromForm(rows);
    setProblems(result.problems);
    if (Object.keys(result.problems).length) {
      setTries((n) => n + 1);
      return;
    }
    const { score } = scoreAnswers('psfs', result.answers);
    await store.write('outcome_response', todays?.id ?? newId(),
      { instrument: 'psfs', local_date: today, answers: result.answers, score });
    store.persistOnce();
    onNotice(`Saved. Your PSFS score today is ${formatAmount(score)} of 10 (the mean of your activities; higher is better).`);
  }
  const anchors = [`0 = ${item.anchors[0].text}`, `10 = ${item.anchors[1].text}`];
  return html`
    <form class="card" aria-label="What is hard now" noValidate onSubmit=${save} ref=${formRef}>
      ${todays && html`<p class="hint">You rated these today; saving changes today’s ratings.</p>`}
      ${!todays && latest && html`<p class="hint">Your activities from last time, to rate again for today.</p>`}
      ${rows.map((row, index) => html`
        <div class="row-group" key=${index}>
          <${TextField} label=${`Activity ${index + 1}`} value=${row.activity} onInput=${setRow(index, 'activity')}
            maxLength="200" hint=${index === 0 ? 'For example: walk to the park, lift my grandchild' : undefined}
            error=${shown[`activities[${index}].activity`]} />
          <${ScaleField} name=${`psfs-${index}`} label=${`Activity ${index + 1}: how able are you today?`} required
            value=${row.score} onChange=${setRow(index, 'score')} anchors=${anchors}
            error=${shown[`activities[${index}].score`]} />
          ${rows.length > 1 && html`<button type="button" class="link-button"
            onClick=${() => remove(index)}>Remove activity ${index + 1}</button>`}
        </div>`)}
      ${shown.activities && html`<p class="error">${shown.activities}</p>`}
      ${rows.length < item.max_count ? html`
        <button type="button" class="secondary" onClick=${() => setRows((old) => [...old, { activity: '', score: null }])}>Add an activity</button>`
        : html`<p class="hint">The PSFS takes up to ${item.max_count} activities.</p>`}
      <${NotSaved} problems=${shown} />
      <button type="submit">Save activities</button>
    </form>`;
}

// --- 3. Goals ------------------------------------------------------------------------

function GoalsStep({ goals, responses, onNotice }) {
  const [open, setOpen] = useState(null); // {goal} to edit, {initial} for a new one
  const latest = latestPsfs(responses);
  const titles = new Set(goals.map((g) => String(g.title).trim().toLowerCase()));
  const candidates = (latest?.answers?.activities ?? [])
    .filter((a) => !titles.has(a.activity.trim().toLowerCase()));
  const start = (next) => {
    onNotice('');
    setOpen(next);
  };
  return html`
    <p>Turn something that is hard now into a goal you can work towards: a concrete task, what
      you will count, small steps with dates, and a plan for what gets in the way.</p>
    ${goals.length > 0 && html`
      <ul class="entries">
        ${goals.map((goal) => html`
          <li key=${goal.id}>
            <p id=${`goal-${goal.id}`}><strong>${goal.title}</strong>${goal.target_date ? ` — by ${goal.target_date}` : ''}
              ${goal.steps?.length ? ` · ${goal.steps.length} step${goal.steps.length === 1 ? '' : 's'}` : ''}${goal.pending ? ' (not synced yet)' : ''}</p>
            ${!open && html`<button type="button" class="secondary" aria-describedby=${`goal-${goal.id}`}
              onClick=${() => start({ goal })}>Edit goal</button>`}
          </li>`)}
      </ul>`}
    ${open ? html`
      <${GoalForm} key=${open.goal?.id ?? open.initial?.title ?? 'new'} goal=${open.goal ?? null}
        initial=${open.initial ?? {}} onCancel=${() => setOpen(null)}
        onSaved=${(title) => { setOpen(null); onNotice(`Goal “${title}” saved.`); }} />`
    : html`
      ${candidates.length > 0 && html`
        <div class="chips" role="group" aria-labelledby="goal-from-psfs">
          <p id="goal-from-psfs" class="chips-label">Start from what is hard now:</p>
          ${candidates.map((a) => html`
            <button type="button" class="chip" key=${a.activity}
              onClick=${() => start({ initial: { title: a.activity } })}>Goal: ${a.activity}</button>`)}
        </div>`}
      <button type="button" onClick=${() => start({ initial: {} })}>New goal</button>`}`;
}

// --- 4–6. Cards that lead to their own screens -----------------------------------------

function BaselineStep({ data, done }) {
  const responses = data.outcome_response.filter((r) => BASELINE_QUESTIONNAIRES.includes(r.instrument));
  const latestOf = (list, key, value) => list.filter((r) => r[key] === value)
    .sort((a, b) => String(b.local_date).localeCompare(String(a.local_date)))[0];
  const questionnaires = BASELINE_QUESTIONNAIRES
    .map((id) => [INSTRUMENTS[id], latestOf(responses, 'instrument', id)])
    .filter(([instrument, last]) => instrument.id !== 'peg' || last); // PEG may be switched off
  return html`
    <p>Short questionnaires and simple tests give you a starting point, so that you and your care
      team can see change later. Each test starts with a short safety check.</p>
    <ul class="plain status-list">
      ${questionnaires.map(([instrument, last]) => html`
        <li key=${instrument.id}>${instrument.name} (${instrument.title}): ${last ? `done ${shortDate(last.local_date)}` : 'not yet'}</li>`)}
      ${PERFORMANCE_TESTS.map(([kind, label]) => {
        const last = latestOf(data.performance_test, 'kind', kind);
        return html`<li key=${kind}>${label}: ${last ? `done ${shortDate(last.local_date)}` : 'not yet'}</li>`;
      })}
    </ul>
    <p><a href="#checkup">${done ? 'Go to questionnaires and tests' : 'Start the questionnaires and tests'}</a></p>`;
}

function PacingStep({ data, progress }) {
  const { sessions, days } = progress.trials;
  const plans = data.pacing_plan.filter((plan) => plan.active !== false);
  return html`
    <p>Pacing raises activity a little at a time. It starts with three tolerance trials on
      separate days: do the activity at a comfortable pace until you would normally stop. Pacewise
      then suggests a starting quota a little below your average, and you decide.</p>
    <p><strong>Trials done: ${sessions} session${sessions === 1 ? '' : 's'}, on ${days} of
      ${TRIAL_DAYS_NEEDED} separate days.</strong></p>
    ${plans.length > 0 && html`
      <ul class="plain">${plans.map((plan) => html`<li key=${plan.id}>${plan.activity}: ${typeof plan.quota === 'number'
        ? `quota ${plan.unit ? amountText(plan.quota, plan.unit) : formatAmount(plan.quota)}` : 'trials first'}</li>`)}</ul>`}
    <p><a href="#pacing">${plans.length ? 'Go to pacing' : 'Set up pacing'}</a></p>`;
}

function FlareStep({ done }) {
  return html`
    <p>A flare-up plan, written on a good day, says what to do on a bad one: the warning
      signs, the first 24 hours, how to scale back, who to tell and how to step back up.</p>
    <p><strong>${done ? 'Your flare-up plan is written.' : 'Not written yet.'}</strong></p>
    <p><a href="#flare-plan">${done ? 'See my flare-up plan' : 'Write my flare-up plan'}</a></p>`;
}

// --- 7. Review -----------------------------------------------------------------------

function ReviewStep({ reminders, onNotice }) {
  const { store } = useApp();
  const existing = reminders.filter((r) => r.kind === 'review')
    .sort((a, b) => String(a.created_at ?? '').localeCompare(String(b.created_at ?? '')))[0] ?? null;
  const [form, setForm] = useState({ time: existing?.time ?? '18:00', days: existing?.days ?? [6],
    enabled: existing?.enabled ?? true });
  const [problems, setProblems] = useState({});
  const [tries, setTries] = useState(0);
  const formRef = useRef(null);
  const daysId = useUid('days');
  useEffect(() => { if (tries) focusFirstProblem(formRef.current); }, [tries]);
  const set = (key) => (value) => {
    setProblems((old) => ({ ...old, [key]: undefined }));
    setForm((old) => ({ ...old, [key]: value }));
  };
  const toggleDay = (day) => (on) => set('days')(on ? [...form.days, day] : form.days.filter((d) => d !== day));
  const shown = Object.fromEntries(Object.entries(problems).filter(([, m]) => m));
  async function save(event) {
    event.preventDefault();
    const result = reviewReminderFromForm(form);
    setProblems(result.problems);
    if (Object.keys(result.problems).length) {
      setTries((n) => n + 1);
      return;
    }
    await store.write('reminder', existing?.id ?? newId(), result.fields);
    store.persistOnce();
    onNotice(`Review reminder saved: ${result.fields.time}, ${describeDays(result.fields.days)}.`);
  }
  return html`
    <p>When will you look at your plan again? A short weekly review — what went well, what was
      hard, the next step — keeps the plan yours. Pacewise reminds you when you open it.</p>
    ${existing && html`<p>Now: ${existing.time}, ${describeDays(existing.days ?? [])}${existing.enabled === false ? ' (off)' : ''}.</p>`}
    <form class="card" aria-label="Review reminder" noValidate onSubmit=${save} ref=${formRef}>
      <${TextField} label="Review time" type="time" value=${form.time} onInput=${set('time')} error=${shown.time} />
      <fieldset aria-describedby=${shown.days ? `${daysId}-error` : undefined}
        aria-invalid=${shown.days ? 'true' : undefined}>
        <legend>Review days</legend>
        <div class="area-grid">
          ${WEEKDAY_NAMES.map((name, day) => html`
            <${Check} key=${day} label=${name} checked=${form.days.includes(day)} onChange=${toggleDay(day)} />`)}
        </div>
        ${shown.days && html`<p class="error field-error" id=${`${daysId}-error`}>${shown.days}</p>`}
      </fieldset>
      <${Check} label="Remind me" checked=${form.enabled} onChange=${set('enabled')} />
      <${NotSaved} problems=${shown} />
      <button type="submit">Save review reminder</button>
    </form>
    <p class="hint">To add it to your calendar, use Settings. Each goal can also have its own “review every … days”.</p>
    <p><a href="#review">Open the weekly review</a></p>`;
}
