// Decisions: shared decisions with the care team — the question, each option with its
// benefits, burdens and what is uncertain, what matters to me, the choice and when to look
// at it again. "Discuss trade-offs openly", made concrete. The patient writes their own;
// a linked clinician may write one with them in a visit (the server stamps author_role),
// and the patient sees who. Works offline: writes go to the local store.

import { localDate, shortDate } from '../dates.js';
import { html, useState } from '../html.js';
import { newId } from '../outbox.js';
import { authorNote, reviewDue, sortDecisions, validateDecision } from '../plan-records.js';
import { Disclosure, useApp, useRecords, useUid } from '../ui.js';
import { CheckedField, FixCard, fixValues, focusFirstInvalid, useFixing } from './treatments.js';

const MAX_OPTIONS = 10;

export function DecisionsScreen() {
  const decisions = useRecords('decision');
  const [notice, setNotice] = useState('');
  const fixing = useFixing('decision');
  const today = localDate();
  const sorted = sortDecisions(decisions, today);
  const fixed = fixing && (decisions ?? []).find((d) => d.id === fixing.mutation.record_id);
  return html`
    <h1 tabindex="-1">Decisions</h1>
    <p class="hint">A shared decision puts the options side by side — what each could bring, what it
      costs you and what nobody knows yet — next to what matters to you, so that you and your care
      team can talk the trade-offs through openly.</p>
    <p class="notice" aria-live="polite">${notice}</p>
    ${fixing && decisions !== undefined && html`
      <${FixCard} fixing=${fixing} what="decision" onNotice=${setNotice}>
        <${DecisionForm} key=${fixing.key} decision=${fixed} fixing=${fixing}
          onDone=${(question) => setNotice(`Decision “${question}” saved.`)} />
      <//>`}
    ${decisions === undefined ? html`<p class="hint">Loading…</p>`
      : sorted.length === 0 ? html`<p>No decisions yet. Is there a choice about your care you are weighing up?</p>`
      : sorted.map((d) => html`<${DecisionCard} key=${d.id} decision=${d} today=${today} onNotice=${setNotice} />`)}
    ${decisions !== undefined && html`
      <${Disclosure} label="New decision">
        <${DecisionForm} onDone=${(question) => setNotice(`Decision “${question}” saved.`)} />
      <//>`}
    <p class="links"><a href="#treatments">Treatments and routines</a><a href="#learn">Learn</a></p>`;
}

function DecisionCard({ decision, today, onNotice }) {
  const headingId = useUid('decision');
  const due = reviewDue(decision, today);
  const author = authorNote(decision);
  return html`
    <article class="card tr-card" aria-labelledby=${headingId}>
      <h2 id=${headingId}>${decision.question}</h2>
      <p class="goal-meta">${author ?? 'Written by you'}</p>
      ${due && html`<p class="badge due">Review due${decision.review_on < today ? ` since ${shortDate(decision.review_on)}` : ' today'}</p>`}
      ${decision.what_matters && html`<p><strong>What matters to me:</strong> ${decision.what_matters}</p>`}
      <ul class="plain options">
        ${(decision.options ?? []).map((option, i) => html`
          <li key=${i} class=${decision.choice === option.option ? 'chosen' : ''}>
            <h3>${option.option}${decision.choice === option.option ? html` <span class="badge">Chosen</span>` : ''}</h3>
            <dl class="option-facts">
              ${option.benefits && html`<dt>Benefits</dt><dd>${option.benefits}</dd>`}
              ${option.burdens && html`<dt>Burdens</dt><dd>${option.burdens}</dd>`}
              ${option.uncertainty && html`<dt>Uncertain</dt><dd>${option.uncertainty}</dd>`}
            </dl>
          </li>`)}
      </ul>
      <p>${decision.choice ? html`<strong>Choice:</strong> ${decision.choice}${decision.decided_on ? ` (decided ${shortDate(decision.decided_on)})` : ''}`
        : 'Not decided yet.'}</p>
      ${decision.review_on && !due && html`<p>Review on ${shortDate(decision.review_on)}.</p>`}
      <${Disclosure} label="Edit" ariaLabel=${`Edit ${decision.question}`}>
        <${DecisionForm} decision=${decision} onDone=${(question, removed) => onNotice(removed ? `Decision “${question}” deleted.` : `Decision “${question}” saved.`)} />
      <//>
    </article>`;
}

const blankOption = () => ({ option: '', benefits: '', burdens: '', uncertainty: '' });
const formOf = (decision) => ({
  question: decision?.question ?? '', what_matters: decision?.what_matters ?? '', choice: decision?.choice ?? '',
  decided_on: decision?.decided_on ?? '', review_on: decision?.review_on ?? '',
  options: decision?.options?.length
    ? [...decision.options.map((o) => ({ ...blankOption(), ...o })), ...(decision.options.length < 2 ? [blankOption()] : [])]
    : [blankOption(), blankOption()],
});

function DecisionForm({ decision, fixing, onDone }) {
  const { store, resolveFix } = useApp();
  const [form, setForm] = useState(() => formOf(fixing ? fixValues(decision, fixing) : decision));
  const [errors, setErrors] = useState({});
  const [confirm, setConfirm] = useState(false);
  const choiceId = useUid('choice');
  const set = (key) => (value) => setForm((old) => ({ ...old, [key]: value }));
  const setOption = (index, key) => (value) => setForm((old) => ({ ...old,
    options: old.options.map((o, i) => (i === index ? { ...o, [key]: value } : o)) }));
  const addOption = () => setForm((old) => ({ ...old, options: [...old.options, blankOption()] }));
  const removeOption = (index) => {
    setErrors({});
    setForm((old) => ({ ...old, options: old.options.filter((_, i) => i !== index) }));
  };
  const named = form.options.map((o) => o.option.trim()).filter(Boolean);
  const choices = [...new Set([...named, ...(form.choice && !named.includes(form.choice) ? [form.choice] : [])])];

  async function save(event) {
    event.preventDefault();
    const element = event.currentTarget;
    const { fields, errors: found } = validateDecision(form, localDate());
    setErrors(found);
    if (!fields) return focusFirstInvalid(element);
    await store.write('decision', decision?.id ?? newId(), fields);
    store.persistOnce();
    if (fixing) await resolveFix(fixing);
    else if (!decision) setForm(formOf(null));
    onDone(fields.question, false);
  }
  const remove = async () => {
    await store.remove('decision', decision.id);
    onDone(decision.question, true);
  };
  return html`
    <form class=${decision || fixing ? '' : 'card'} noValidate onSubmit=${save}
      aria-label=${fixing ? 'Fix decision' : decision ? `Edit ${decision.question}` : 'New decision'}>
      <${CheckedField} label="The question" value=${form.question} onInput=${set('question')} required maxLength="200"
        hint="For example: Should I try injections, or keep going with exercise?" error=${errors.question} />
      <${CheckedField} label="What matters to me" value=${form.what_matters} onInput=${set('what_matters')} multiline
        maxLength="2000" hint="What you most want, or most want to avoid" error=${errors.what_matters} />
      <fieldset>
      <legend>Options</legend>
      <p class="hint">At least two. Doing nothing new, or waiting, can be one of them.</p>
      ${form.options.map((option, i) => html`
        <div class="option-block" key=${i}>
          <${CheckedField} label=${`Option ${i + 1}`} value=${option.option} onInput=${setOption(i, 'option')}
            maxLength="200" error=${errors[`options.${i}.option`]} />
          <${CheckedField} label=${`Benefits of option ${i + 1}`} value=${option.benefits} multiline maxLength="2000"
            onInput=${setOption(i, 'benefits')} error=${errors[`options.${i}.benefits`]} />
          <${CheckedField} label=${`Burdens of option ${i + 1}`} value=${option.burdens} multiline maxLength="2000"
            hint="Risks, side effects, cost, time, effort" onInput=${setOption(i, 'burdens')} error=${errors[`options.${i}.burdens`]} />
          <${CheckedField} label=${`What is uncertain about option ${i + 1}`} value=${option.uncertainty} multiline
            maxLength="2000" onInput=${setOption(i, 'uncertainty')} error=${errors[`options.${i}.uncertainty`]} />
          ${form.options.length > 2 && html`
            <button type="button" class="link-button" onClick=${() => removeOption(i)}>Remove option ${i + 1}</button>`}
        </div>`)}
      ${errors.options && html`<p class="error">${errors.options}</p>`}
      </fieldset>
      ${form.options.length < MAX_OPTIONS && html`
        <button type="button" class="secondary" onClick=${addOption}>Add another option</button>`}
      <div class="field">
        <label for=${choiceId}>What we chose</label>
        <select id=${choiceId} value=${form.choice} onChange=${(e) => set('choice')(e.currentTarget.value)}>
          <option value="">Not decided yet</option>
          ${choices.map((name) => html`<option key=${name} value=${name}>${name}</option>`)}
        </select>
      </div>
      <${CheckedField} label="Decided on" type="date" value=${form.decided_on} onInput=${set('decided_on')}
        hint="Left empty, a choice is dated today" error=${errors.decided_on} />
      <${CheckedField} label="Review on" type="date" value=${form.review_on} onInput=${set('review_on')}
        hint="When to look at this decision again" error=${errors.review_on} />
      <button type="submit">Save decision</button>
      ${decision && !fixing && html`
        <div class="danger-zone">
          ${confirm ? html`
            <p>Delete this decision?</p>
            <button type="button" class="danger" onClick=${remove}>Yes, delete it</button>
            <button type="button" class="secondary" onClick=${() => setConfirm(false)}>Keep it</button>`
          : html`<button type="button" class="link-button" onClick=${() => setConfirm(true)}>Delete decision</button>`}
        </div>`}
    </form>`;
}
