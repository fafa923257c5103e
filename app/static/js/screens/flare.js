// Flare plan: the plan written on a good day for a bad one, readable offline and one tap
// from every screen, with flare mode (start and end of an episode) and the red flags.

import { html, useState } from '../html.js';
import { newId } from '../outbox.js';
import { Field, lines, useApp, useRecords } from '../ui.js';

export const SECTIONS = [
  ['warning_signs', 'Warning signs', 'How I can tell a flare-up is starting'],
  ['triggers', 'Likely triggers', 'What tends to set one off'],
  ['first_steps', 'The first 24 hours', 'What I do first'],
  ['scale_back', 'Days 2–7', 'How I scale back, and my reduced quota'],
  ['comfort', 'What helps', 'Comfort and calming things that work for me'],
  ['contacts', 'Who to tell', 'People and care team to contact'],
  ['return_plan', 'Stepping back up', 'How I return to my usual plan'],
];

const newest = (records) => [...(records ?? [])].sort((a, b) =>
  String(b.updated_at ?? b.created_at ?? '').localeCompare(String(a.updated_at ?? a.created_at ?? '')))[0];

export function FlarePlanScreen() {
  const plans = useRecords('flare_plan');
  const flares = useRecords('flare');
  const [editing, setEditing] = useState(false);
  const [notice, setNotice] = useState('');
  const plan = newest(plans);
  const current = (flares ?? []).filter((f) => !f.ended_at)
    .sort((a, b) => String(b.started_at).localeCompare(String(a.started_at)))[0];
  const empty = plan && SECTIONS.every(([key]) => !(plan[key] ?? []).length);
  return html`
    <h1 tabindex="-1">Flare plan</h1>
    <p class="notice" aria-live="polite">${notice}</p>
    <p class="callout">Signs of something serious? See the <a href="#red-flags">Red flags</a>.</p>
    <${FlareMode} current=${current} onNotice=${setNotice} />
    ${plans === undefined ? html`<p class="hint">Loading…</p>`
      : editing ? html`<${EditPlan} plan=${plan} onDone=${(message) => { setEditing(false); if (message) setNotice(message); }} />`
      : !plan || empty ? html`
          <p>You have not written a flare plan yet. Write it on a good day, so that a bad day has a plan.</p>
          <button type="button" onClick=${() => setEditing(true)}>Write my flare plan</button>`
      : html`
          ${SECTIONS.map(([key, title]) => (plan[key] ?? []).length > 0 && html`
            <section key=${key} aria-labelledby=${`flare-${key}`}>
              <h2 id=${`flare-${key}`}>${title}</h2>
              <ul class="flare-list">${plan[key].map((item, i) => html`<li key=${i}>${item}</li>`)}</ul>
            </section>`)}
          <button type="button" class="secondary" onClick=${() => setEditing(true)}>Edit flare plan</button>`}
  `;
}

function FlareMode({ current, onNotice }) {
  const { store } = useApp();
  const start = async () => {
    await store.write('flare', newId(), { started_at: new Date().toISOString() });
    store.persistOnce();
    onNotice('Flare mode on. Your pacing quotas are at their flare level. Follow your plan, and be kind to yourself.');
  };
  const end = async () => {
    await store.write('flare', current.id, { ended_at: new Date().toISOString() });
    onNotice('Flare mode ended. Your quotas build up again step by step, as your plan says.');
  };
  return html`
    <section class="card" aria-labelledby="flare-mode">
      <h2 id="flare-mode">Flare mode</h2>
      ${current ? html`
          <p>In a flare-up since ${new Date(current.started_at).toLocaleString([], { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' })}.</p>
          <p class="hint">Until you end it, each <a href="#pacing">pacing</a> quota is at its flare level: your last comfortable level.</p>
          <button type="button" onClick=${end}>End flare mode</button>`
        : html`
          <p class="hint">Having a flare-up? Note when it starts and ends; your plan is below.</p>
          <button type="button" onClick=${start}>Start flare mode</button>`}
    </section>`;
}

function EditPlan({ plan, onDone }) {
  const { store } = useApp();
  const [form, setForm] = useState(() => Object.fromEntries(
    SECTIONS.map(([key]) => [key, (plan?.[key] ?? []).join('\n')])));
  const [error, setError] = useState('');
  async function save(event) {
    event.preventDefault();
    const fields = {};
    for (const [key, title] of SECTIONS) {
      const items = lines(form[key]);
      if (items.length > 50) return setError(`${title}: at most 50 lines.`);
      if (items.some((item) => item.length > 200)) return setError(`${title}: keep each line under 200 characters.`);
      fields[key] = items.length ? items : null;
    }
    setError('');
    await store.write('flare_plan', plan?.id ?? newId(), fields);
    store.persistOnce();
    onDone('Flare plan saved.');
  }
  return html`
    <form aria-label="Edit flare plan" noValidate onSubmit=${save}>
      <p class="hint">One item per line.</p>
      ${SECTIONS.map(([key, title, hint]) => html`
        <${Field} key=${key} label=${title} hint=${hint} multiline value=${form[key]}
          onInput=${(value) => setForm((old) => ({ ...old, [key]: value }))} />`)}
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <div class="actions">
        <button type="submit">Save flare plan</button>
        <button type="button" class="secondary" onClick=${() => onDone(null)}>Cancel</button>
      </div>
    </form>`;
}
