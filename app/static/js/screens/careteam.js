// Care team: who the patient shares their diary with (design §6, §7 "Sharing"). The patient
// creates a one-time invite code naming the role it grants, sees everyone with access and
// stops sharing with one tap and a confirmation, and sees who in the team looked at what.
// Sharing lives on the server, so those parts need the network: offline, the screen says
// so and shows what this device last fetched (kept in the person's own local database,
// which sign-out clears). Notes from the team arrive by sync and are read offline too.

import { ApiError, request } from '../api.js';
import { html, useEffect, useRef, useState } from '../html.js';
import { NOTE_KINDS } from '../plan-records.js';
import { useApp, useRecords, useUid } from '../ui.js';

export const ROLES = {
  primary_clinician: 'Primary clinician',
  physiotherapist: 'Physiotherapist',
  occupational_therapist: 'Occupational therapist',
  behavioural_health: 'Behavioural health',
  other: 'Other',
};
const STATUS = { active: 'Has access', pending: 'Invite code not used yet', revoked: 'Stopped' };
// What a clinician read, in the patient's words; anything newer falls back to its name.
const RESOURCES = {
  patient_summary: 'Your summary and diary',
  patient_plan: 'Your plan',
  patient_print_summary: 'Your printable summary',
  'export:csv': 'Downloaded your records (spreadsheet files)',
  'export:fhir': 'Downloaded your records (for a health record system)',
};
const CACHE_KEY = 'care_team';
const LOG_SHOWN = 30;

// Sharing needs the server; api.js's requests carry the CSRF header like every other write.
const sharing = {
  links: () => request('GET', '/api/v1/care-links'),
  accessLog: () => request('GET', '/api/v1/access-log'),
  invite: (role) => request('POST', '/api/v1/care-links/invites', { role }),
  revoke: (id) => request('DELETE', `/api/v1/care-links/${encodeURIComponent(id)}`),
};

const moment = (iso) => new Date(iso).toLocaleString(undefined,
  { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
const roleLabel = (role) => ROLES[role] ?? ROLES.other;

/** Why a request failed, in words, and whether it was the network. */
function problemOf(error, doing) {
  if (error instanceof ApiError && error.status === 401) {
    return { offline: false, text: 'Your session has ended. Sign in again to change who you share with.' };
  }
  if (error instanceof ApiError) return { offline: false, text: error.message };
  return { offline: true, text: `You are offline. ${doing} needs a connection — try again when you are back online.` };
}

export function CareTeamScreen() {
  const { store } = useApp();
  const [remote, setRemote] = useState({ state: 'loading' });
  const [notice, setNotice] = useState('');
  const accessHeading = useRef(null);

  async function refresh() {
    try {
      const [links, log] = await Promise.all([sharing.links(), sharing.accessLog()]);
      const snapshot = { links: links.items, log: log.items, fetchedAt: new Date().toISOString() };
      await store.setMeta(CACHE_KEY, snapshot);
      setRemote({ state: 'online', ...snapshot });
    } catch (error) {
      const cached = (await store.getMeta(CACHE_KEY)) ?? {};
      const problem = problemOf(error, 'Seeing who you share with');
      setRemote({ state: problem.offline ? 'offline' : 'problem', problem: problem.text, ...cached });
    }
  }

  useEffect(() => {
    refresh();
    const offline = () => setRemote((old) => ({ ...old, state: 'offline' }));
    window.addEventListener('online', refresh);
    window.addEventListener('offline', offline);
    return () => {
      window.removeEventListener('online', refresh);
      window.removeEventListener('offline', offline);
    };
  }, []);

  const revoked = async (link) => {
    setNotice(link.status === 'pending' ? 'Invite code withdrawn. It can no longer be used.'
      : `You stopped sharing with ${link.clinician_name}. They can no longer see your data.`);
    accessHeading.current?.focus();
    await refresh();
  };

  return html`
    <h1 tabindex="-1">Care team</h1>
    <p class="hint">Share your diary with the people who treat you. They can read what you log and
      write notes for you; you decide who, and you can stop at any time.</p>
    <${Connection} remote=${remote} />
    <p class="notice" aria-live="polite">${notice}</p>
    <${Invite} onCreated=${refresh} />
    <section class="card" aria-labelledby="ct-access-heading">
      <h2 id="ct-access-heading" tabindex="-1" ref=${accessHeading}>Who has access</h2>
      <${People} remote=${remote} onRevoked=${revoked} />
    </section>
    <${Notes} />
    <section class="card" aria-labelledby="ct-log-heading">
      <h2 id="ct-log-heading">Who looked at my data</h2>
      <${AccessLog} remote=${remote} />
    </section>
    <p class="links"><a href="#decisions">Decisions made with your team</a></p>`;
}

function Connection({ remote }) {
  if (remote.state === 'loading' || remote.state === 'online') return null;
  const seen = remote.fetchedAt ? `Below is what this device last saw, on ${moment(remote.fetchedAt)}.`
    : 'Nothing has been loaded on this device yet.';
  if (remote.state === 'offline') {
    const needs = 'Inviting someone, stopping sharing and seeing who looked at your data need a connection.';
    return html`<p class="callout ct-offline">You are offline. ${needs} ${seen}</p>`;
  }
  return html`<p class="callout ct-offline">${remote.problem} ${seen}</p>`;
}

function Invite({ onCreated }) {
  const [role, setRole] = useState('');
  const [invalid, setInvalid] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState('');
  const [created, setCreated] = useState(null);
  const roleId = useUid('role');
  const codeRef = useRef(null);

  async function create(event) {
    event.preventDefault();
    if (!ROLES[role]) {
      setInvalid(true);
      document.getElementById(roleId)?.focus();
      return;
    }
    setInvalid(false);
    setBusy(true);
    setProblem('');
    try {
      const invite = await sharing.invite(role);
      setCreated({ ...invite, role });
      onCreated();
    } catch (error) {
      setProblem(problemOf(error, 'Creating an invite code').text);
    } finally {
      setBusy(false);
    }
  }

  useEffect(() => { if (created) codeRef.current?.focus(); }, [created]);

  return html`
    <section class="card" aria-labelledby="ct-invite-heading">
      <h2 id="ct-invite-heading">Invite someone</h2>
      <p class="hint">Create a code and give it to your clinician, in person or on the phone. It works once
        and expires after 72 hours.</p>
      <form aria-labelledby="ct-invite-heading" noValidate onSubmit=${create}>
        <div class="field">
          <label for=${roleId}>Their role in your care</label>
          <select id=${roleId} value=${role} aria-invalid=${invalid ? 'true' : undefined}
            aria-describedby=${invalid ? `${roleId}-error` : undefined}
            onChange=${(event) => { setRole(event.currentTarget.value); setInvalid(false); }}>
            <option value="">Choose a role</option>
            ${Object.entries(ROLES).map(([value, label]) => html`<option key=${value} value=${value}>${label}</option>`)}
          </select>
          ${invalid && html`<p class="error" id=${`${roleId}-error`}>Choose the role this person has in your care.</p>`}
        </div>
        <button type="submit" disabled=${busy}>${busy ? 'Creating…' : 'Create invite code'}</button>
        ${problem && html`<p class="error">${problem}</p>`}
      </form>
      ${created && html`<${Code} invite=${created} codeRef=${codeRef} />`}
    </section>`;
}

function Code({ invite, codeRef }) {
  const [copied, setCopied] = useState('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(invite.code);
      setCopied('Code copied.');
    } catch {
      const range = document.createRange();
      range.selectNodeContents(codeRef.current);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      setCopied('Code selected: copy it with your device’s copy command.');
    }
  };
  return html`
    <div class="ct-code">
      <h3 id="ct-code-heading">Invite code for your ${roleLabel(invite.role).toLowerCase()}</h3>
      <p class="ct-code-text" tabindex="-1" ref=${codeRef} aria-describedby="ct-code-expiry">${invite.code}</p>
      <p id="ct-code-expiry">Works once, until ${moment(invite.expires_at)} (72 hours).</p>
      <button type="button" class="secondary" onClick=${copy}>Copy code</button>
      <p class="notice" aria-live="polite">${copied}</p>
    </div>`;
}

function People({ remote, onRevoked }) {
  if (remote.state === 'loading') return html`<p class="hint">Loading…</p>`;
  if (!remote.links) return html`<p>The list of people with access appears here once this device is online.</p>`;
  const current = remote.links.filter((link) => link.status !== 'revoked');
  const stopped = remote.links.filter((link) => link.status === 'revoked' && link.clinician_name);
  const online = remote.state === 'online';
  return html`
    ${current.length === 0 ? html`<p>You are not sharing with anyone.</p>` : html`
      <ul class="entries">
        ${current.map((link) => html`<${Person} key=${link.id} link=${link} online=${online} onRevoked=${onRevoked} />`)}
      </ul>`}
    ${stopped.length > 0 && html`
      <h3>No longer sharing</h3>
      <ul class="entries">
        ${stopped.map((link) => html`
          <li key=${link.id}><p><strong>${link.clinician_name}</strong> · ${roleLabel(link.role)} · ${STATUS.revoked}</p></li>`)}
      </ul>`}`;
}

function Person({ link, online, onRevoked }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState('');
  const id = useUid('person');
  const keepRef = useRef(null);
  const pending = link.status === 'pending';
  const who = pending ? `Invite for a ${roleLabel(link.role).toLowerCase()}` : link.clinician_name;
  const action = pending ? 'Withdraw invite' : 'Stop sharing';

  useEffect(() => { if (confirming) keepRef.current?.focus(); }, [confirming]);

  async function stop() {
    setBusy(true);
    setProblem('');
    try {
      await sharing.revoke(link.id);
      setConfirming(false);
      await onRevoked(link);
    } catch (error) {
      setProblem(problemOf(error, pending ? 'Withdrawing an invite' : 'Stopping sharing').text);
    } finally {
      setBusy(false);
    }
  }

  return html`
    <li>
      <p id=${id}><strong>${who}</strong>${pending ? '' : html` · ${roleLabel(link.role)}`} · ${STATUS[link.status] ?? link.status}</p>
      ${!confirming && html`
        <button type="button" class="secondary" aria-describedby=${id} disabled=${!online}
          onClick=${() => { setProblem(''); setConfirming(true); }}>${action}</button>`}
      ${confirming && html`
        <div class="ct-confirm" role="group" aria-labelledby=${`${id}-ask`}>
          <p id=${`${id}-ask`}>${pending ? 'Withdraw this invite code? Nobody will be able to use it.'
            : `Stop sharing with ${link.clinician_name}? They lose access at once. You can invite them again later.`}</p>
          <div class="actions">
            <button type="button" class="danger" disabled=${busy} onClick=${stop}>
              ${pending ? 'Yes, withdraw it' : 'Yes, stop sharing'}</button>
            <button type="button" class="secondary" ref=${keepRef} disabled=${busy}
              onClick=${() => setConfirming(false)}>${pending ? 'Keep the invite' : 'Keep sharing'}</button>
          </div>
        </div>`}
      ${problem && html`<p class="error">${problem}</p>`}
    </li>`;
}

function Notes() {
  const notes = useRecords('care_note');
  const sorted = [...(notes ?? [])].sort((a, b) => String(b.created_at ?? '').localeCompare(String(a.created_at ?? '')));
  return html`
    <section class="card" aria-labelledby="ct-notes-heading">
      <h2 id="ct-notes-heading">Notes from your care team</h2>
      ${notes === undefined ? html`<p class="hint">Loading…</p>`
        : sorted.length === 0 ? html`<p>No notes yet. Notes your care team writes for you appear here, offline too.</p>`
        : html`
          <ul class="entries">
            ${sorted.map((note) => html`
              <li key=${note.id}>
                <p class="goal-meta">${NOTE_KINDS[note.kind] ?? 'Note'} · ${note.author_name ?? 'Your care team'}${note.author_role ? ` (${roleLabel(note.author_role)})` : ''}${note.created_at ? ` · ${moment(note.created_at)}` : ''}</p>
                <p class="ct-note">${note.text}</p>
              </li>`)}
          </ul>`}
    </section>`;
}

function AccessLog({ remote }) {
  const [all, setAll] = useState(false);
  if (remote.state === 'loading') return html`<p class="hint">Loading…</p>`;
  if (!remote.log) return html`<p>This list appears here once this device is online.</p>`;
  if (remote.log.length === 0) return html`<p>Nobody in your care team has looked at your data yet.</p>`;
  // The role each person has in the patient's care, from their link; else their account's.
  const roles = new Map((remote.links ?? []).filter((link) => link.clinician_id)
    .map((link) => [link.clinician_id, roleLabel(link.role)]));
  const shown = all ? remote.log : remote.log.slice(0, LOG_SHOWN);
  return html`
    <ul class="entries ct-log">
      ${shown.map((item) => html`
        <li key=${item.id}>
          <p><strong>${item.actor_name ?? 'A former clinician'}</strong> · ${roles.get(item.actor_id) ?? (item.actor_role === 'admin' ? 'Administrator' : 'Clinician')}</p>
          <p>${RESOURCES[item.resource] ?? `Looked at ${String(item.resource).replaceAll('_', ' ')}`}</p>
          <p class="hint"><time datetime=${item.at}>${moment(item.at)}</time></p>
        </li>`)}
    </ul>
    ${!all && remote.log.length > LOG_SHOWN && html`
      <button type="button" class="secondary" onClick=${() => setAll(true)}>Show all ${remote.log.length}</button>`}`;
}
