// The full goal form (design §3 `goal`), used by the plan builder and the Goals screen, and
// the labelled controls with a message beside them that the builder's forms share. The
// rules (what is complete, what is explained) are builder-rules.js; nothing is written
// until every field is right, so nothing half-saved ever reaches the outbox.

import { blankGoalForm, goalFromForm, goalToForm, MAX_BARRIERS, MAX_STEPS } from './builder-rules.js';
import { localDate } from './dates.js';
import { timeZone } from './goals.js';
import { html, useEffect, useRef, useState } from './html.js';
import { newId } from './outbox.js';
import { dayText, localDay } from './rules/numbers.js';
import { Check, Disclosure, Scale, useApp, useRecords, useUid } from './ui.js';

/** A labelled input with an optional hint and, when `error` is set, the message beside it. */
export function TextField({ label, hint, value, onInput, error, type = 'text', multiline = false,
  className = '', ...rest }) {
  const id = useUid('in');
  const describedBy = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined;
  const props = { id, value: value ?? '', 'aria-describedby': describedBy,
    'aria-invalid': error ? 'true' : undefined,
    onInput: (event) => onInput(event.currentTarget.value), ...rest };
  return html`
    <div class=${`field${className ? ` ${className}` : ''}${error ? ' invalid' : ''}`}>
      <label for=${id}>${label}</label>
      ${hint && html`<p class="hint" id=${`${id}-hint`}>${hint}</p>`}
      ${multiline ? html`<textarea ...${props} rows="3"></textarea>` : html`<input type=${type} ...${props} />`}
      ${error && html`<p class="error field-error" id=${`${id}-error`}>${error}</p>`}
    </div>`;
}

/** A 0–10 scale with its message beside it. */
export function ScaleField({ error, ...props }) {
  const errorId = useUid('scale-error');
  return html`
    <div class=${error ? 'invalid' : ''}>
      <${Scale} ...${props} invalid=${Boolean(error)} errorId=${errorId} />
      ${error && html`<p class="error field-error" id=${errorId}>${error}</p>`}
    </div>`;
}

/** After a refused save, focus the first control marked invalid in `form`. */
export function focusFirstProblem(form) {
  const marked = form?.querySelector('[aria-invalid="true"]');
  const control = marked?.matches('input, textarea, select') ? marked : marked?.querySelector('input');
  control?.focus();
}

/** The line above a form's button that says why nothing was saved (announced). */
export function NotSaved({ problems }) {
  const open = Object.keys(problems ?? {}).length > 0;
  return html`<p class="error not-saved" role="alert">${open ? 'Not saved yet: fix what is marked above.' : ''}</p>`;
}

/** A stored goal's first day, on the person's calendar: the start its dates must follow. */
function startOf(goal) {
  if (!goal?.created_at) return localDate();
  return dayText(localDay(goal.created_at, timeZone()));
}

const GAS_LEVELS = [
  ['−2', 'much less than expected'], ['−1', 'somewhat less than expected'],
  ['0', 'the expected outcome'], ['+1', 'somewhat more than expected'],
  ['+2', 'much more than expected'],
];

/**
 * A new goal (`initial` prefills it, e.g. {title} from a PSFS activity) or an edit of
 * `goal`; with `fixing` (an item of the "could not sync" list), the refused change laid
 * over it. Calls onSaved(title, id) after the one complete write.
 */
export function GoalForm({ goal = null, initial = {}, fixing = null, onSaved, onCancel }) {
  const { store, resolveFix } = useApp();
  const values = useRecords('value');
  const [form, setForm] = useState(() => (goal || fixing
    ? goalToForm({ ...(goal ?? {}), ...(fixing?.mutation.fields ?? {}) }) : blankGoalForm(initial)));
  const [problems, setProblems] = useState({});
  const [tries, setTries] = useState(0);
  const formRef = useRef(null);
  // A field's message goes once it is edited; the next save checks everything again.
  const settle = (key) => setProblems((old) => {
    if (!(key in old)) return old;
    const { [key]: _gone, ...rest } = old;
    return rest;
  });
  const set = (key) => (value) => {
    settle(key);
    setForm((old) => ({ ...old, [key]: value }));
  };
  const setRow = (list, index, key) => (value) => {
    settle(`${list}[${index}].${key}`);
    setForm((old) => ({
      ...old, [list]: old[list].map((row, i) => (i === index ? { ...row, [key]: value } : row)) }));
  };
  const addRow = (list, row) => setForm((old) => ({ ...old, [list]: [...old[list], row] }));
  const removeRow = (list, index) => {
    // Rows after it move up, so their messages would sit on the wrong row: check again on save.
    setProblems((old) => Object.fromEntries(Object.entries(old).filter(([key]) => !key.startsWith(`${list}[`))));
    setForm((old) => ({ ...old, [list]: old[list].filter((_, i) => i !== index) }));
  };
  const toggleValue = (id) => (on) => set('value_ids')(on ? [...form.value_ids, id]
    : form.value_ids.filter((v) => v !== id));

  useEffect(() => { if (tries) focusFirstProblem(formRef.current); }, [tries]);

  async function save(event) {
    event.preventDefault();
    const result = goalFromForm(form, { start: goal ? startOf(goal) : localDate() });
    setProblems(result.problems);
    if (Object.keys(result.problems).length) {
      setTries((n) => n + 1);
      return;
    }
    const id = goal?.id ?? fixing?.mutation.record_id ?? newId();
    await store.write('goal', id, goal ? result.fields
      : { ...result.fields, status: fixing?.mutation.fields?.status ?? 'active' });
    if (fixing) await resolveFix(fixing);
    store.persistOnce();
    onSaved?.(result.fields.title, id);
  }

  const p = problems;
  const known = values ?? [];
  const gasOpen = form.gas_levels.some((level) => level.trim()) || Boolean(form.gas_weight)
    || Boolean(p.gas_levels || p.gas_weight);
  return html`
    <form class="card goal-form" aria-label=${goal ? `Edit goal ${goal.title}` : 'New goal'} noValidate
      onSubmit=${save} ref=${formRef}>
      <${TextField} label="What do you want to be able to do?" value=${form.title} onInput=${set('title')}
        maxLength="200" error=${p.title} hint="Something concrete, like: walk to the mailbox" />
      <fieldset>
        <legend>What matters that it serves</legend>
        ${known.length === 0 ? html`<p class="hint">Nothing listed under “What matters” yet: add it in <a href="#builder">Build my plan</a>, step 1.</p>`
          : html`<div class="area-grid">${known.map((value) => html`
              <${Check} key=${value.id} label=${value.title} checked=${form.value_ids.includes(value.id)}
                onChange=${toggleValue(value.id)} />`)}</div>`}
      </fieldset>
      <${TextField} label="Why it matters to you" value=${form.why} onInput=${set('why')} multiline
        maxLength="2000" error=${p.why} />
      <${TextField} label="What you will count" value=${form.measure} onInput=${set('measure')}
        maxLength="200" hint="For example: minutes of walking" error=${p.measure} />
      <${TextField} label="Unit" value=${form.unit} onInput=${set('unit')} maxLength="40"
        hint="For example: minutes" error=${p.unit} />
      <div class="pair">
        <${TextField} label="Where you are now" value=${form.baseline} onInput=${set('baseline')}
          inputMode="decimal" error=${p.baseline} />
        <${TextField} label="Target" value=${form.target} onInput=${set('target')} inputMode="decimal"
          error=${p.target} />
      </div>
      <${TextField} label="Target date" type="date" value=${form.target_date} onInput=${set('target_date')}
        error=${p.target_date} />
      <${ScaleField} name="ability_baseline" label="How well can you do it now?" value=${form.ability_baseline}
        onChange=${set('ability_baseline')} anchors=${['0 = not at all', '10 = fully']} error=${p.ability_baseline} />

      <h3>Steps</h3>
      <p class="hint">Small steps toward the goal, easiest first, each with a date if you like.</p>
      ${p.steps && html`<p class="error">${p.steps}</p>`}
      ${form.steps.map((step, index) => html`
        <div class="row-group" key=${index}>
          <${TextField} label=${`Step ${index + 1}`} value=${step.title} onInput=${setRow('steps', index, 'title')}
            maxLength="200" error=${p[`steps[${index}].title`]} />
          <div class="pair">
            <${TextField} label=${`Step ${index + 1} amount`} value=${step.target} inputMode="decimal"
              onInput=${setRow('steps', index, 'target')} error=${p[`steps[${index}].target`]} />
            <${TextField} label=${`Step ${index + 1} due date`} type="date" value=${step.due_date}
              onInput=${setRow('steps', index, 'due_date')} error=${p[`steps[${index}].due_date`]} />
          </div>
          <button type="button" class="link-button" onClick=${() => removeRow('steps', index)}>Remove step ${index + 1}</button>
        </div>`)}
      ${form.steps.length < MAX_STEPS && html`
        <button type="button" class="secondary" onClick=${() => addRow('steps', { title: '', target: '', due_date: '', done: false })}>Add a step</button>`}

      <h3>Barriers</h3>
      <p class="hint">What might get in the way, and what you will do then.</p>
      ${p.barriers && html`<p class="error">${p.barriers}</p>`}
      ${form.barriers.map((barrier, index) => html`
        <div class="row-group" key=${index}>
          <${TextField} label=${`Barrier ${index + 1}`} value=${barrier.barrier} maxLength="200"
            onInput=${setRow('barriers', index, 'barrier')} error=${p[`barriers[${index}].barrier`]} />
          <${TextField} label=${`Plan for barrier ${index + 1}`} value=${barrier.plan} multiline maxLength="2000"
            onInput=${setRow('barriers', index, 'plan')} error=${p[`barriers[${index}].plan`]} />
          <button type="button" class="link-button" onClick=${() => removeRow('barriers', index)}>Remove barrier ${index + 1}</button>
        </div>`)}
      ${form.barriers.length < MAX_BARRIERS && html`
        <button type="button" class="secondary" onClick=${() => addRow('barriers', { barrier: '', plan: '' })}>Add a barrier</button>`}

      <${TextField} label="What I’ll do on a bad day" value=${form.contingency} onInput=${set('contingency')}
        multiline maxLength="2000" error=${p.contingency} />
      <${TextField} label="Review every (days)" value=${form.review_every_days} inputMode="numeric"
        onInput=${set('review_every_days')} hint="How often to look at this goal again: 7 is once a week"
        error=${p.review_every_days} />
      <${Disclosure} label="Goal Attainment Scaling (optional)" initiallyOpen=${gasOpen}>
        <${GasFields} form=${form} set=${set} problems=${p} />
      <//>
      <${NotSaved} problems=${p} />
      <div class="actions">
        <button type="submit">${goal ? 'Save goal' : 'Create goal'}</button>
        ${onCancel && html`<button type="button" class="secondary" onClick=${onCancel}>Cancel</button>`}
      </div>
    </form>`;
}

function GasFields({ form, set, problems }) {
  const setLevel = (index) => (value) => set('gas_levels')(
    form.gas_levels.map((level, i) => (i === index ? value : level)));
  const describe = useUid('gas');
  return html`
    <fieldset aria-describedby=${describe}>
      <legend>Goal Attainment Scaling levels</legend>
      <p class="hint" id=${describe}>Describe five outcomes, from much less to much more than
        expected; “0” is what you expect to reach. Kiresuk and Sherman, 1968; Turner-Stokes, 2009.</p>
      ${problems.gas_levels && html`<p class="error">${problems.gas_levels}</p>`}
      ${GAS_LEVELS.map(([level, meaning], index) => html`
        <${TextField} key=${level} label=${`Level ${level}: ${meaning}`} value=${form.gas_levels[index]}
          onInput=${setLevel(index)} maxLength="200"
          error=${problems[`gas_levels[${index}]`] ?? (problems.gas_levels && !form.gas_levels[index].trim() ? 'Describe this level.' : undefined)} />`)}
      <${TextField} label="Weight" value=${form.gas_weight} onInput=${set('gas_weight')} inputMode="decimal"
        hint="How much this goal counts beside your others, 0–100; empty counts as 1" error=${problems.gas_weight} />
    </fieldset>`;
}
