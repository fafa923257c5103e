// Settings: reminders (and their calendar file), the "could not sync" list, export, and
// signing out, which waits for unsynced changes or an explicit discard.

import { WEEKDAY_NAMES, describeDays } from '../dates.js';
import { html, useState } from '../html.js';
import { remindersToIcs } from '../ics.js';
import { newId } from '../outbox.js';
import { REMINDER_KINDS, reminderText } from '../reminders.js';
import { signOut } from '../session.js';
import { Check, Field, useApp, useData, useRecords, useUid } from '../ui.js';

const ENTITY_NAMES = {
  diary_entry: 'Check-in', goal: 'Goal', goal_checkin: 'Goal check-in', value: 'Value',
  pacing_plan: 'Pacing plan', pacing_session: 'Pacing session', flare_plan: 'Flare plan',
  flare: 'Flare', reminder: 'Reminder', outcome_response: 'Questionnaire',
  performance_test: 'Performance test', weekly_review: 'Weekly review',
  treatment: 'Treatment', routine: 'Routine', decision: 'Decision',
};

export function SettingsScreen() {
  const { user } = useApp();
  return html`
    <h1 tabindex="-1">Settings</h1>
    <${CouldNotSync} />
    <${Reminders} />
    <section class="card" aria-labelledby="export-heading">
      <h2 id="export-heading">Your data</h2>
      <p>Download everything you have stored on the server (needs a connection).</p>
      <p><a href="/api/v1/export?format=json" download>Download my data (JSON)</a></p>
      <p><a href="/api/v1/export?format=csv" download>Download as spreadsheets (CSV, zip)</a></p>
      <p><a href="/api/v1/export?format=fhir" download>Download for another health system (FHIR)</a></p>
    </section>
    <section class="card" aria-labelledby="team-heading">
      <h2 id="team-heading">Care team</h2>
      <p><a href="#care-team">Who I share my diary with, and who looked at it</a></p>
    </section>
    <${SignOut} user=${user} />`;
}

function CouldNotSync() {
  const { store, openFix } = useApp();
  const items = useData(() => store.rejectedList());
  if (!items || items.length === 0) return null;
  return html`
    <section class="card" aria-labelledby="rejected-heading">
      <h2 id="rejected-heading">Could not sync</h2>
      <p>The server refused these changes. They stay on this device until you fix or discard them.</p>
      <ul class="entries">
        ${items.map((item) => html`
          <li key=${item.key}>
            <p id=${`rejected-${item.key}`}><strong>${ENTITY_NAMES[item.mutation.entity] ?? item.mutation.entity}</strong>
              ${item.mutation.fields?.local_date ? ` of ${item.mutation.fields.local_date}` : ''}:
              ${item.detail || item.error} <span class="hint">(${item.error})</span></p>
            <div class="actions">
              <button type="button" class="secondary" aria-describedby=${`rejected-${item.key}`}
                onClick=${() => openFix(item)}>Fix</button>
              <button type="button" class="secondary" aria-describedby=${`rejected-${item.key}`}
                onClick=${() => store.discardRejected(item.key)}>Discard</button>
            </div>
          </li>`)}
      </ul>
    </section>`;
}

function download(name, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function Reminders() {
  const { fix, resolveFix } = useApp();
  const reminders = useRecords('reminder');
  const [editing, setEditing] = useState(null);
  const [notice, setNotice] = useState('');
  const [permission, setPermission] = useState(globalThis.Notification?.permission ?? 'unsupported');
  const fixing = fix?.mutation?.entity === 'reminder' ? fix : null;
  const sorted = [...(reminders ?? [])].sort((a, b) => String(a.time).localeCompare(String(b.time)));
  const allow = async () => setPermission(await Notification.requestPermission());
  return html`
    <section class="card" aria-labelledby="reminders-heading">
      <h2 id="reminders-heading">Reminders</h2>
      <p class="notice" aria-live="polite">${notice}</p>
      <p class="hint">Pacewise shows due reminders when you open it and, if you allow, notifies you while it is open. For reminders when it is closed, add them to your calendar.</p>
      ${sorted.length === 0 ? html`<p>No reminders yet.</p>` : html`
        <ul class="entries">
          ${sorted.map((r) => html`
            <li key=${r.id}>
              <p id=${`reminder-${r.id}`}>${r.time}, ${describeDays(r.days ?? [])}: ${reminderText(r)}${r.enabled === false ? ' (off)' : ''}</p>
              <button type="button" class="secondary" aria-describedby=${`reminder-${r.id}`}
                onClick=${() => setEditing(r.id)}>Edit reminder</button>
            </li>`)}
        </ul>`}
      ${editing || fixing ? html`
          <${ReminderForm} key=${editing ?? fixing.key} reminder=${sorted.find((r) => r.id === (editing ?? fixing?.mutation.record_id))}
            fixing=${fixing}
            onDone=${async (message) => {
              if (fixing && message) await resolveFix(fixing);
              setEditing(null);
              if (message) setNotice(message);
            }} />`
        : html`<button type="button" onClick=${() => { setNotice(''); setEditing('new'); }}>New reminder</button>`}
      ${sorted.length > 0 && html`<button type="button" class="secondary"
        onClick=${() => download('pacewise-reminders.ics', 'text/calendar', remindersToIcs(sorted))}>
        Add reminders to my calendar (.ics)</button>`}
      ${permission === 'default' && html`<button type="button" class="secondary" onClick=${allow}>Allow notifications</button>`}
      ${permission === 'denied' && html`<p class="hint">Notifications are blocked in this browser's settings.</p>`}
    </section>`;
}

function ReminderForm({ reminder, fixing, onDone }) {
  const { store } = useApp();
  const start = { kind: 'daily_log', time: '09:00', days: [0, 1, 2, 3, 4, 5, 6], message: '', enabled: true,
    ...(reminder ?? {}), ...(fixing?.mutation.fields ?? {}) };
  const [form, setForm] = useState({ ...start, message: start.message ?? '' });
  const [error, setError] = useState('');
  const kindId = useUid('kind');
  const set = (key) => (value) => setForm((old) => ({ ...old, [key]: value }));
  const toggleDay = (day) => (on) => set('days')(on ? [...form.days, day].sort((a, b) => a - b)
    : form.days.filter((d) => d !== day));
  async function save(event) {
    event.preventDefault();
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(form.time)) return setError(`Time ${form.time || '(empty)'} is not a time like 09:30.`);
    if (form.days.length === 0) return setError('Choose at least one day.');
    if (form.message.length > 200) return setError('Keep the message under 200 characters.');
    setError('');
    const id = reminder?.id ?? fixing?.mutation.record_id ?? newId();
    await store.write('reminder', id, { kind: form.kind, time: form.time, days: form.days,
      message: form.message.trim() || null, enabled: Boolean(form.enabled) });
    store.persistOnce();
    onDone('Reminder saved.');
  }
  const remove = async () => {
    await store.remove('reminder', reminder.id);
    onDone('Reminder deleted.');
  };
  return html`
    <form class="card" aria-label=${reminder ? 'Edit reminder' : 'New reminder'} noValidate onSubmit=${save}>
      <div class="field">
        <label for=${kindId}>What for</label>
        <select id=${kindId} value=${form.kind} onChange=${(e) => set('kind')(e.currentTarget.value)}>
          ${Object.entries(REMINDER_KINDS).map(([value, label]) => html`<option key=${value} value=${value}>${label}</option>`)}
        </select>
      </div>
      <${Field} label="Time" type="time" value=${form.time} onInput=${set('time')} />
      <fieldset>
        <legend>Days</legend>
        <div class="area-grid">
          ${WEEKDAY_NAMES.map((name, day) => html`
            <${Check} key=${day} label=${name} checked=${form.days.includes(day)} onChange=${toggleDay(day)} />`)}
        </div>
      </fieldset>
      <${Field} label="Message" value=${form.message} onInput=${set('message')} maxLength="200"
        hint="Optional; shown instead of the usual text" />
      <${Check} label="On" checked=${form.enabled} onChange=${set('enabled')} />
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <div class="actions">
        <button type="submit">Save reminder</button>
        <button type="button" class="secondary" onClick=${() => onDone(null)}>Cancel</button>
      </div>
      ${reminder && html`<button type="button" class="link-button" onClick=${remove}>Delete reminder</button>`}
    </form>`;
}

function SignOut({ user }) {
  const { store, sync } = useApp();
  const [stage, setStage] = useState('idle');
  const [waiting, setWaiting] = useState(0);
  const [error, setError] = useState('');

  const finish = async () => {
    setStage('signing-out');
    try {
      await signOut({ store, sync, user });
    } catch {
      setStage('idle');
      setError('Could not reach the server to sign out. Try again when you are online.');
    }
  };
  const countWaiting = async () => {
    const { pending, rejected } = await store.counts();
    return pending + rejected;
  };
  const begin = async () => {
    setError('');
    const count = await countWaiting();
    if (count === 0) return finish();
    setWaiting(count);
    setStage('warn');
    return undefined;
  };
  const syncFirst = async () => {
    setStage('syncing');
    await sync.run('sign-out');
    const count = await countWaiting();
    if (count === 0) return finish();
    setWaiting(count);
    setStage('warn');
    setError(sync.state.online ? 'Some changes still could not be synced.' : 'You are offline, so the changes could not be synced.');
    return undefined;
  };
  return html`
    <section class="card" aria-labelledby="account-heading">
      <h2 id="account-heading">Account</h2>
      <p>Signed in as ${user.name}.</p>
      ${stage === 'warn' || stage === 'syncing' ? html`
        <div class="banner warn" role="alert">
          <p>${waiting} ${waiting === 1 ? 'change is' : 'changes are'} not on the server yet. Signing out deletes ${waiting === 1 ? 'it' : 'them'} from this device.</p>
        </div>
        ${error && html`<p class="error">${error}</p>`}
        <div class="actions">
          <button type="button" onClick=${syncFirst} disabled=${stage === 'syncing'}>${stage === 'syncing' ? 'Syncing…' : 'Sync, then sign out'}</button>
          <button type="button" class="danger" onClick=${finish}>Discard changes and sign out</button>
          <button type="button" class="secondary" onClick=${() => { setStage('idle'); setError(''); }}>Cancel</button>
        </div>`
      : html`
        ${error && html`<p class="error" role="alert">${error}</p>`}
        <button type="button" onClick=${begin} disabled=${stage === 'signing-out'}>Sign out</button>`}
    </section>`;
}
