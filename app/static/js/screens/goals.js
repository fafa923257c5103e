// Goals: each goal's progress toward its target, a quick check-in (amount, ability 0–10),
// ticking steps off, and the full goal form (goal-form.js, shared with the plan builder)
// for a new goal or an edit.

import { localDate } from '../dates.js';
import { checkinsOf, formatAmount, latestOf, timeZone } from '../goals.js';
import { html, useState } from '../html.js';
import { GoalForm } from '../goal-form.js';
import { goalProgress } from '../rules/goals.js';
import { newId } from '../outbox.js';
import { Disclosure, Field, Scale, numberOrNull, useApp, useRecords, useUid } from '../ui.js';

const STATUS_LABELS = { active: 'Active', achieved: 'Achieved', paused: 'Paused', dropped: 'Dropped' };
const ORDER = { active: 0, paused: 1, achieved: 2, dropped: 3 };

export function GoalsScreen() {
  const { fix, clearFix } = useApp();
  const goals = useRecords('goal');
  const checkins = useRecords('goal_checkin');
  const fixing = fix?.mutation?.entity === 'goal' && fix.mutation.op === 'upsert' ? fix : null;
  const [notice, setNotice] = useState('');
  const [formKey, setFormKey] = useState(0);
  const sorted = [...(goals ?? [])].sort((a, b) => (ORDER[a.status ?? 'active'] - ORDER[b.status ?? 'active'])
    || String(a.created_at ?? '').localeCompare(String(b.created_at ?? '')));
  return html`
    <h1 tabindex="-1">Goals</h1>
    <p class="hint">A goal is something you want to be able to do. Progress counts what you did, step by step.</p>
    <p class="notice" aria-live="polite">${notice}</p>
    ${fixing && goals !== undefined && html`
      <section aria-labelledby="goal-fix-heading">
        <h2 id="goal-fix-heading">Fix a goal that could not sync</h2>
        <p class="error">The server said: ${fixing.detail || fixing.error}</p>
        <${GoalForm} key=${fixing.key} fixing=${fixing}
          goal=${goals.find((g) => g.id === fixing.mutation.record_id) ?? null} onCancel=${clearFix}
          onSaved=${(title) => setNotice(`Goal “${title}” saved.`)} />
      </section>`}
    ${goals === undefined ? html`<p class="hint">Loading…</p>`
      : sorted.length === 0 ? html`<p>No goals yet. What would you like to be able to do again?</p>`
      : sorted.map((goal) => html`<${GoalCard} key=${goal.id} goal=${goal} checkins=${checkins ?? []} onNotice=${setNotice} />`)}
    ${goals !== undefined && html`
      <${Disclosure} label="New goal" initiallyOpen=${goals.length === 0}>
        <${GoalForm} key=${formKey} onSaved=${(title) => {
          setFormKey((n) => n + 1);
          setNotice(`Goal “${title}” created.`);
        }} />
      <//>`}`;
}

function GoalCard({ goal, checkins, onNotice }) {
  const { store } = useApp();
  const headingId = useUid('goal');
  const own = checkinsOf(goal.id, checkins);
  const progress = goalProgress({ goal, checkins: own, today: localDate(), timezone: timeZone() });
  const latestAmount = progress.amount?.latest ?? latestOf(own, 'amount');
  const percent = progress.amount?.percent ?? null;
  const unit = goal.unit ? ` ${goal.unit}` : '';
  const status = goal.status ?? 'active';

  async function toggleStep(index, done) {
    const steps = (goal.steps ?? []).map((s, i) => (i === index ? { ...s, done } : s));
    await store.write('goal', goal.id, { steps });
    if (done) {
      await store.write('goal_checkin', newId(), { goal_id: goal.id, local_date: localDate(),
        step_done: steps[index].title });
      onNotice(`Step “${steps[index].title}” done.`);
    }
  }

  return html`
    <article class="card" aria-labelledby=${headingId}>
      <h2 id=${headingId}>${goal.title}</h2>
      ${status !== 'active' && html`<p class="badge">${STATUS_LABELS[status]}</p>`}
      ${goal.measure && html`<p class="goal-meta">Counting: ${goal.measure}${unit ? ` (${goal.unit})` : ''}</p>`}
      ${typeof goal.target === 'number' && html`
        <p>${latestAmount === null ? `Target: ${formatAmount(goal.target)}${unit}` : `Latest: ${formatAmount(latestAmount)} of ${formatAmount(goal.target)}${unit}`}${goal.target_date ? ` by ${goal.target_date}` : ''}${progress.amount?.reached ? ' — target reached!' : ''}</p>
        ${percent !== null && html`<progress max="100" value=${percent}
          aria-label=${`Progress toward the target of ${goal.title}`}>${percent}%</progress>`}
        ${progress.amount?.problem && html`<p class="hint">${progress.amount.problem}</p>`}`}
      ${progress.ability?.latest !== null && progress.ability?.latest !== undefined && html`<p>Ability now ${progress.ability.latest} out of 10${progress.ability.baseline !== null ? ` (at the start ${progress.ability.baseline})` : ''}.</p>`}
      ${progress.review_due && html`<p class="badge">Time to review this goal</p>`}
      ${progress.steps_total > 0 && html`
        <fieldset>
          <legend>Steps: ${progress.steps_done} of ${progress.steps_total} done</legend>
          ${(goal.steps ?? []).map((step, index) => html`
            <label class="check" key=${index}>
              <input type="checkbox" checked=${Boolean(step.done)} onChange=${(e) => toggleStep(index, e.currentTarget.checked)} />
              <span>${step.title}${step.due_date ? ` (by ${step.due_date})` : ''}</span>
            </label>`)}
        </fieldset>`}
      ${goal.contingency && html`<p><strong>On a bad day:</strong> ${goal.contingency}</p>`}
      ${goal.barriers?.length > 0 && html`
        <p><strong>If something gets in the way:</strong></p>
        <ul class="flare-list">${goal.barriers.map((b, i) => html`<li key=${i}>${b.barrier}${b.plan ? ` — ${b.plan}` : ''}</li>`)}</ul>`}
      <${Disclosure} label="Check in" ariaLabel=${`Check in on ${goal.title}`}>
        <${GoalCheckinForm} goal=${goal} onSaved=${() => onNotice(`Check-in saved for “${goal.title}”.`)} />
      <//>
      <${Disclosure} label="Manage" ariaLabel=${`Manage ${goal.title}`}>
        <${ManageGoal} goal=${goal} onNotice=${onNotice} />
      <//>
    </article>`;
}

function GoalCheckinForm({ goal, onSaved }) {
  const { store } = useApp();
  const [amount, setAmount] = useState('');
  const [ability, setAbility] = useState(null);
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  async function save(event) {
    event.preventDefault();
    const value = numberOrNull(amount);
    if (Number.isNaN(value)) return setError(`Amount ${amount} is not a number.`);
    if (value === null && ability === null && !note.trim()) {
      return setError('Give an amount, your ability or a note.');
    }
    setError('');
    await store.write('goal_checkin', newId(), { goal_id: goal.id, local_date: localDate(),
      amount: value, ability, note: note.trim() || null });
    store.persistOnce();
    setAmount(''); setAbility(null); setNote('');
    onSaved();
  }
  return html`
    <form aria-label=${`Check in on ${goal.title}`} noValidate onSubmit=${save}>
      <${Field} label=${`Amount${goal.unit ? ` (${goal.unit})` : ''}`} inputMode="decimal" value=${amount}
        onInput=${setAmount} hint=${goal.measure ? `How much today: ${goal.measure}` : 'How much you did today'} />
      <${Scale} name="ability" label="Ability" value=${ability} onChange=${setAbility}
        hint="How well can you do this now?" anchors=${['0 = not at all', '10 = fully']} />
      <${Field} label="Note" value=${note} onInput=${setNote} maxLength="2000" />
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <button type="submit">Save goal check-in</button>
    </form>`;
}

function ManageGoal({ goal, onNotice }) {
  const { store } = useApp();
  const [confirm, setConfirm] = useState(false);
  const [editing, setEditing] = useState(false);
  const setStatus = async (status) => {
    await store.write('goal', goal.id, { status });
    onNotice(`“${goal.title}” is now ${STATUS_LABELS[status].toLowerCase()}.`);
  };
  const id = useUid('status');
  if (editing) {
    return html`<${GoalForm} goal=${goal} onCancel=${() => setEditing(false)}
      onSaved=${(title) => { setEditing(false); onNotice(`Goal “${title}” saved.`); }} />`;
  }
  return html`
    <button type="button" class="secondary" onClick=${() => setEditing(true)}>Edit goal</button>
    <div class="field">
      <label for=${id}>Status</label>
      <select id=${id} value=${goal.status ?? 'active'} onChange=${(e) => setStatus(e.currentTarget.value)}>
        ${Object.entries(STATUS_LABELS).map(([value, label]) => html`<option key=${value} value=${value}>${label}</option>`)}
      </select>
    </div>
    <div class="danger-zone">
      ${confirm ? html`
        <p>Delete this goal and keep its check-ins out of view?</p>
        <button type="button" class="danger" onClick=${async () => { await store.remove('goal', goal.id); onNotice('Goal deleted.'); }}>Yes, delete the goal</button>
        <button type="button" class="secondary" onClick=${() => setConfirm(false)}>Keep it</button>`
      : html`<button type="button" class="link-button" onClick=${() => setConfirm(true)}>Delete goal</button>`}
    </div>`;
}
