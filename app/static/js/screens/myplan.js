// My plan: the whole plan on one page, read from this device (so it works offline) —
// values, goals with their steps and barriers, pacing quotas, treatments and routines,
// decisions, the flare plan, the latest scores and the care team's notes. Readable on a
// phone and printable (the print styles hide the app around it). The clinician's page shows
// the same sections in the same order. The shaping is plan-data.js.

import { localDate, shortDate } from '../dates.js';
import { timeZone } from '../goals.js';
import { html } from '../html.js';
import { EMPTY, PLAN_ENTITIES, shapePlan } from '../plan-data.js';
import { useApp, useData, useUid } from '../ui.js';
import { SECTIONS as FLARE_SECTIONS } from './flare.js';

const day = (value) => (value ? shortDate(value) : '');
const amount = (value, unit) => `${Number.isInteger(value) ? value : Math.round(value * 10) / 10}${unit ? ` ${unit}` : ''}`;

export function MyPlanScreen() {
  const { store, user } = useApp();
  const records = useData(async () => Object.fromEntries(await Promise.all(
    PLAN_ENTITIES.map(async (entity) => [entity, await store.list(entity)]))));
  const sections = records && shapePlan(records, { flareSections: FLARE_SECTIONS, timezone: timeZone() });
  return html`
    <h1 tabindex="-1">My plan</h1>
    <p class="print-only">${user?.name ? `${user.name} · ` : ''}printed from Pacewise on ${day(localDate())}</p>
    <p class="hint">Your whole plan on one page. When you share with your care team, they see the same.</p>
    <div class="actions no-print plan-actions"><button type="button" class="secondary" onClick=${() => window.print()}>Print</button></div>
    ${!sections ? html`<p class="hint">Loading…</p>`
      : sections.map((section) => html`<${Section} key=${section.key} section=${section} />`)}`;
}

const BODIES = {
  values: Values, goals: Goals, pacing: Pacing, treatments: Treatments, decisions: Decisions,
  flare: Flare, scores: Scores, notes: Notes,
};

function Section({ section }) {
  const id = useUid(`plan-${section.key}`);
  const Body = BODIES[section.key];
  const [text, link, linkText] = EMPTY[section.key];
  return html`
    <section class="plan-section" aria-labelledby=${id} data-section=${section.key}>
      <h2 id=${id}>${section.title}</h2>
      ${section.empty ? html`<p class="plan-empty">${text} <a href=${link}>${linkText}</a></p>`
        : html`<${Body} data=${section.data} />`}
    </section>`;
}

function Values({ data }) {
  return html`
    <ul class="plan-list">
      ${data.map((value) => html`
        <li key=${value.id}><strong>${value.title}</strong>${value.importance !== null
          && html` <span class="hint">(importance ${value.importance} of 10)</span>`}
          ${value.description && html`<p class="plan-text">${value.description}</p>`}</li>`)}
    </ul>`;
}

function Goals({ data }) {
  return data.map((goal) => html`<${Goal} key=${goal.id} goal=${goal} />`);
}

/** "Counting minutes walked: from 5 minutes to 20 minutes by Fri, Dec 11." */
function measureText(goal) {
  const range = goal.target === null ? null : goal.baseline === null ? `target ${amount(goal.target, goal.unit)}`
    : `from ${amount(goal.baseline, goal.unit)} to ${amount(goal.target, goal.unit)}`;
  const text = [goal.measure && `Counting ${goal.measure}`, range].filter(Boolean).join(': ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}${goal.target_date ? ` by ${day(goal.target_date)}` : ''}.`;
}

function Goal({ goal }) {
  const id = useUid('plan-goal');
  const unit = goal.unit;
  const latest = goal.amount?.latest ?? null;
  return html`
    <article class="card plan-goal" aria-labelledby=${id}>
      <h3 id=${id}>${goal.title}${goal.status !== 'active' && html` <span class="badge">${goal.statusLabel}</span>`}</h3>
      ${goal.values.length > 0 && html`<p class="plan-text">For what matters: ${goal.values.join(', ')}</p>`}
      ${goal.why && html`<p class="plan-text">Why: ${goal.why}</p>`}
      ${(goal.measure || goal.target !== null) && html`<p class="plan-text">${measureText(goal)}
        ${latest !== null && ` Latest ${amount(latest, unit)}${goal.amount?.percent !== null && goal.amount?.percent !== undefined ? ` (${Math.round(goal.amount.percent)}% of the way)` : ''}.`}</p>`}
      ${goal.ability?.latest !== null && goal.ability?.latest !== undefined && html`<p class="plan-text">Ability now ${goal.ability.latest} of 10${goal.ability.baseline !== null ? ` (at the start ${goal.ability.baseline})` : ''}.</p>`}
      ${goal.steps.length > 0 && html`
        <h4>Steps: ${goal.stepsDone} of ${goal.stepsTotal} done</h4>
        <ul class="plan-steps">
          ${goal.steps.map((step, i) => html`
            <li key=${i}><span class=${`plan-mark${step.done ? ' done' : ''}`}><span aria-hidden="true">${step.done ? '✓ ' : '○ '}</span>${step.done ? 'Done' : 'To do'}</span>
              ${' '}${step.title}${step.target !== null ? ` (${amount(step.target, unit)})` : ''}${step.due_date ? ` — by ${day(step.due_date)}` : ''}${step.overdue ? ' (overdue)' : ''}</li>`)}
        </ul>`}
      ${goal.barriers.length > 0 && html`
        <h4>Barriers and my plans</h4>
        <ul class="plan-list">
          ${goal.barriers.map((b, i) => html`<li key=${i}><strong>${b.barrier}</strong>${b.plan ? ` — my plan: ${b.plan}` : ' — no plan yet'}</li>`)}
        </ul>`}
      ${goal.contingency && html`<p class="plan-text"><strong>On a bad day:</strong> ${goal.contingency}</p>`}
      ${goal.review_every_days && html`<p class="plan-text">Review every ${goal.review_every_days} days${goal.review_due_on ? `; ${goal.review_due ? 'due now' : `next on ${day(goal.review_due_on)}`}` : ''}.</p>`}
    </article>`;
}

function Pacing({ data }) {
  return html`
    <ul class="plan-list">
      ${data.map((plan) => html`
        <li key=${plan.id}><strong>${plan.activity}</strong>${!plan.active && html` <span class="badge">Paused</span>`}:
          ${plan.quotaText ? ` quota ${plan.quotaText}${plan.restText ? `, then rest ${plan.restText}` : ''}, ${plan.sessionsPerDay} ${plan.sessionsPerDay === 1 ? 'session' : 'sessions'} a day.`
            : ` no quota yet; ${plan.trialDays} of 3 tolerance trial days done.`}
          ${plan.quotaText && html`<p class="plan-text hint">Rises ${plan.increasePercent}% every ${plan.increaseEveryDays} days when at least 5 of the last 7 days met the quota without a flare.</p>`}
          ${plan.goal && html`<p class="plan-text hint">Toward: ${plan.goal}</p>`}</li>`)}
    </ul>
    <p class="plan-text hint">Do the quota on good days and bad days alike: stop at the quota, not at the pain.</p>`;
}

function Treatments({ data }) {
  return html`
    ${data.treatments.length > 0 && html`
      <h3>Treatments</h3>
      <ul class="plan-list">
        ${data.treatments.map((t) => html`
          <li key=${t.id}><strong>${t.title}</strong> (${t.kind}${t.status !== 'active' ? `, ${t.statusLabel.toLowerCase()}` : ''})
            ${t.schedule && html`<p class="plan-text">When: ${t.schedule}</p>`}
            ${t.why && html`<p class="plan-text">Why: ${t.why}</p>`}
            ${(t.started_on || t.stopped_on) && html`<p class="plan-text hint">${t.started_on ? `Since ${day(t.started_on)}` : ''}${t.stopped_on ? `${t.started_on ? ', s' : 'S'}topped ${day(t.stopped_on)}` : ''}</p>`}
            ${t.helpfulness !== null && html`<p class="plan-text">How much it helps: ${t.helpfulness} of 10</p>`}
            ${t.side_effects && html`<p class="plan-text">Side effects: ${t.side_effects}</p>`}</li>`)}
      </ul>`}
    ${data.routines.length > 0 && html`
      <h3>Daily routines</h3>
      <ul class="plan-list">
        ${data.routines.map((r) => html`
          <li key=${r.id}><strong>${r.title}</strong> (${r.area.toLowerCase()}, ${r.days}); done on ${r.doneThisWeek} of the last 7 days</li>`)}
      </ul>`}`;
}

function Decisions({ data }) {
  return html`
    <ul class="plan-list">
      ${data.map((d) => html`
        <li key=${d.id}><strong>${d.question}</strong>
          <p class="plan-text">${d.choice ? `Choice: ${d.choice}` : 'Not decided yet'}${d.decided_on ? ` (decided ${day(d.decided_on)})` : ''}</p>
          ${d.review_on && html`<p class="plan-text">${d.reviewDue ? `Review due: ${day(d.review_on)}` : `Review on ${day(d.review_on)}`}</p>`}
          ${d.what_matters && html`<p class="plan-text">What matters to me: ${d.what_matters}</p>`}
          ${d.options.length > 0 && html`<p class="plan-text hint">Options weighed: ${d.options.join('; ')}</p>`}</li>`)}
    </ul>`;
}

function Flare({ data }) {
  return html`
    ${data.map((part) => html`
      <div key=${part.key} class="plan-flare">
        <h3>${part.title}</h3>
        <ul class="plan-list">${part.items.map((item, i) => html`<li key=${i}>${item}</li>`)}</ul>
      </div>`)}
    <p class="plan-text">Signs of something serious? See the <a href="#red-flags">Red flags</a>.</p>`;
}

function Scores({ data }) {
  return html`
    <dl class="plan-scores">
      ${data.map((row) => html`
        <div key=${row.key} class="plan-score">
          <dt>${row.name}</dt>
          <dd>${row.test ? amount(row.value, row.unit) : `${row.value} of ${row.max} (${row.direction})`}, on ${day(row.date)}
            ${row.change && html`<br />${row.change.value >= 0 ? '+' : '−'}${Math.abs(row.change.value)} since ${day(row.change.since)}: ${row.change.words}`}
            ${row.note && html`<br />${row.note}`}</dd>
        </div>`)}
    </dl>`;
}

function Notes({ data }) {
  return html`
    <ul class="plan-list plan-notes">
      ${data.map((note) => html`
        <li key=${note.id}><strong>${note.kind} note</strong>${note.author ? ` from ${note.author}` : ''}${note.role ? ` (${note.role})` : ''}${note.date ? `, ${day(note.date)}` : ''}
          <p class="plan-text plan-note">${note.text}</p></li>`)}
    </ul>`;
}
