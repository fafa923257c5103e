// Questionnaires and tests (design §5): PEG (when the instance has it on), PSFS re-rating,
// PHQ-2, GAD-2 and PGIC, each with its wording, source and licence; the gentle care-team
// prompt after a PHQ-2 or GAD-2 of 3 or more; and the self-recorded performance tests
// (30-second chair stand, timed up-and-go, 6-minute walk), each after a safety screen, with
// a timer that keeps only its start time. Everything is written to the local store, so it
// works offline. The rules behind it are in ../checkup-data.js.

import { request } from '../api.js';
import {
  INSTRUMENTS_CACHE_KEY, PERFORMANCE_TESTS, announceEvery, careTeamPrompts,
  changeWords, checkAnswers, checkPsfs, checkTestValue, clock, countdown, countdownMessage,
  enabledFromCache, fallRisk, instrumentStatus, latestTests,
  parseInstruments, psfsRealChange, psfsRows, stopwatch,
} from '../checkup-data.js';
import { addDays, localDate, shortDate } from '../dates.js';
import { formatAmount } from '../goals.js';
import { html, useEffect, useRef, useState } from '../html.js';
import { newId } from '../outbox.js';
import { INSTRUMENTS, PROMPTS } from '../rules/instruments.js';
import { psfsChange } from '../rules/outcomes.js';
import { PSFS_MAX_ACTIVITIES, scoreAnswers } from '../rules/scoring.js';
import { Check, Scale, useApp, useRecords, useUid } from '../ui.js';

const MAX_SCORE = { peg: 10, psfs: 10, phq2: 6, gad2: 6, pgic: 7 };
const SCORE_NAME = { peg: 'mean', psfs: 'mean' };
const PROMPT_SOURCE = 'Wording: Pacewise design §5. PHQ-2: Kroenke, Spitzer, Williams, Med Care '
  + '2003. GAD-2: Kroenke, Spitzer, Williams, Monahan, Löwe, Ann Intern Med 2007. Thoughts of '
  + 'harming yourself: Mental Health Foundation, "Suicidal thoughts" (mentalhealth.org.uk).';

function readCache(key) {
  try {
    return globalThis.localStorage?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

function writeCache(key, value) {
  try {
    if (value === null) globalThis.localStorage?.removeItem(key);
    else globalThis.localStorage?.setItem(key, value);
  } catch {
    // Storage refused (private mode, full): the screen still works, it just forgets.
  }
}

/** The instruments this instance has on: the cached answer now, the server's when it comes. */
function useEnabledInstruments() {
  const [enabled, setEnabled] = useState(() => enabledFromCache(readCache(INSTRUMENTS_CACHE_KEY)));
  useEffect(() => {
    let live = true;
    request('GET', '/api/v1/instruments')
      .then((answer) => {
        const list = parseInstruments(answer);
        if (!list) return;
        writeCache(INSTRUMENTS_CACHE_KEY, JSON.stringify({ instruments: list }));
        if (live) setEnabled(list);
      })
      .catch(() => {}); // offline: the cached list (or all) stays
    return () => { live = false; };
  }, []);
  return enabled;
}

const scoreText = (id, score) => (typeof score === 'number'
  ? `${SCORE_NAME[id] ? `${SCORE_NAME[id]} ` : ''}${formatAmount(score)} of ${MAX_SCORE[id]}` : 'not scored yet');

export function CheckupScreen() {
  const responses = useRecords('outcome_response');
  const tests = useRecords('performance_test');
  const enabled = useEnabledInstruments();
  const [notice, setNotice] = useState('');
  const loading = responses === undefined || tests === undefined;
  const statuses = instrumentStatus({ enabled, responses: responses ?? [], today: localDate() });
  const prompts = careTeamPrompts((responses ?? []).filter((r) => enabled.includes(r.instrument)));
  return html`
    <h1 tabindex="-1" class="checkup-title">Questionnaires and tests</h1>
    <p class="hint">Short questionnaires and simple tests show how you are doing over time. Answer the ones that are due; each takes a minute or two.</p>
    <p class="notice" aria-live="polite">${notice}</p>
    ${prompts.length > 0 && html`
      <section class="care-prompt" aria-labelledby="care-prompt-title">
        <h2 id="care-prompt-title">Talk to your care team</h2>
        <${CareTeamPrompt} prompts=${prompts} />
      </section>`}
    ${loading ? html`<p class="hint">Loading…</p>` : html`
      <${LatestResults} statuses=${statuses} responses=${responses} tests=${tests} />
      <section class="checkup-section" aria-labelledby="checkup-questionnaires">
        <h2 id="checkup-questionnaires">Questionnaires</h2>
        ${statuses.map((status) => html`<${QuestionnaireCard} key=${status.id} status=${status}
          onNotice=${setNotice} />`)}
      </section>
      <section class="checkup-section" aria-labelledby="checkup-tests">
        <h2 id="checkup-tests">Performance tests</h2>
        <p class="hint">Simple tests of strength, balance and walking that you can do at home, best with someone nearby. Each starts with a short safety check.</p>
        ${Object.values(PERFORMANCE_TESTS).map((test) => html`<${TestCard} key=${test.kind}
          test=${test} onNotice=${setNotice} />`)}
      </section>`}`;
}

/** The gentle prompt after PHQ-2 or GAD-2 ≥ 3: talk to the care team; no diagnosis. */
function CareTeamPrompt({ prompts }) {
  return html`
    ${prompts.map((p) => html`<p key=${p.instrument}>${p.text}</p>`)}
    <p>You could show these answers to your care team, or bring them up at your next appointment. Pacewise gives no diagnosis.</p>
    <p>If you have thoughts of harming yourself, or any of the <a href="#red-flags">red-flag symptoms</a>, contact your clinician or emergency services now.</p>
    <p class="hint cite">${PROMPT_SOURCE}</p>`;
}

function LatestResults({ statuses, responses, tests }) {
  const change = statuses.some((s) => s.id === 'psfs') ? psfsRealChange(responses) : null;
  const latest = latestTests(tests);
  return html`
    <section class="checkup-section" aria-labelledby="checkup-latest">
      <h2 id="checkup-latest">Latest results</h2>
      <ul class="entries">
        ${statuses.map((s) => html`
          <li key=${s.id}>
            <p><strong>${INSTRUMENTS[s.id].name}</strong>: ${s.latest
              ? html`${scoreText(s.id, s.latest.score)} on ${shortDate(s.latest.local_date)}`
              : 'not answered yet'}${s.due ? html` · <span class="badge">due</span>` : ''}</p>
            ${s.id === 'psfs' && change && html`<${PsfsChange} change=${change} />`}
          </li>`)}
        ${Object.values(PERFORMANCE_TESTS).map((test) => {
          const result = latest[test.kind];
          return html`
            <li key=${test.kind}>
              <p><strong>${test.name}</strong>: ${result
                ? `${formatAmount(result.value)} ${result.unit ?? test.unit} on ${shortDate(result.local_date)}${result.with_helper ? ', with someone' : ''}`
                : 'not done yet'}</p>
              ${result && fallRisk(result.kind, result.value) && html`<${FallRiskNote} />`}
            </li>`;
        })}
      </ul>
    </section>`;
}

function PsfsChange({ change }) {
  if (change.label === 'not comparable') {
    return html`<p class="hint">Since ${shortDate(change.since)}: ${changeWords(change.label)}.</p>`;
  }
  return html`
    <p>Since ${shortDate(change.since)}: ${formatAmount(change.mean_before)} → ${formatAmount(change.mean_after)}, ${changeWords(change.label)}.</p>
    <ul class="psfs-change">
      ${change.activities.map((row) => html`<li key=${row.activity}>${row.activity}: ${row.before} → ${row.after}, ${changeWords(row.label)}</li>`)}
    </ul>
    <p class="hint">A change of 2 points in the mean, or 3 in one activity, is more than measurement noise (Stratford 1995).</p>`;
}

function FallRiskNote() {
  return html`<p class="fall-risk">Taking 12 seconds or longer suggests a higher risk of falling. Show this to your care team: they can help with balance and strength. This is not a diagnosis. <span class="hint">(CDC STEADI)</span></p>`;
}

/** Focus `ref` whenever `value` becomes truthy, so a screen reader reads the result. */
function useFocusWhen(ref, value) {
  useEffect(() => {
    if (value && ref.current) ref.current.focus();
  }, [value]);
}

// --- questionnaires --------------------------------------------------------------------

function QuestionnaireCard({ status, onNotice }) {
  const instrument = INSTRUMENTS[status.id];
  const headingId = useUid(`q-${status.id}`);
  const [open, setOpen] = useState(false);
  const [saved, setSaved] = useState(null);
  const savedRef = useRef(null);
  useFocusWhen(savedRef, saved);
  const onSaved = (result) => {
    setOpen(false);
    setSaved(result);
    onNotice(`${instrument.name} saved.`);
  };
  return html`
    <article class="card checkup-card" aria-labelledby=${headingId}>
      <h3 id=${headingId}>${instrument.name}: ${instrument.title}</h3>
      <p class="hint">${status.due ? 'Due now.' : status.latest ? `Next due ${shortDate(nextDue(status))}.`
        : 'Offered four weeks after your first answers, to ask how things have changed.'}</p>
      ${saved && html`
        <div class="checkup-saved" tabindex="-1" ref=${savedRef}>
          <p><strong>Saved: ${instrument.name} ${scoreText(status.id, saved.score)}</strong>${saved.label ? ` — ${saved.label}` : ''}.</p>
          ${saved.change && html`<p>Since last time: ${changeWords(saved.change.label)}.</p>`}
          ${saved.flag && html`<div class="care-prompt"><${CareTeamPrompt} prompts=${[{ instrument: status.id, text: PROMPTS[status.id] }]} /></div>`}
        </div>`}
      ${open ? html`
          <p>${instrument.instructions}</p>
          ${status.id === 'psfs'
            ? html`<${PsfsForm} latest=${status.latest} onSaved=${onSaved} onCancel=${() => setOpen(false)} />`
            : html`<${AnswersForm} instrument=${instrument} onSaved=${onSaved} onCancel=${() => setOpen(false)} />`}
          <p class="hint">${instrument.scoring}</p>
          <p class="hint cite">Source: ${instrument.source}</p>
          <p class="hint cite">Licence: ${instrument.licence}</p>`
        : html`<button type="button" class=${status.due ? '' : 'secondary'}
            onClick=${() => { setSaved(null); setOpen(true); }}>${status.id === 'psfs' && status.latest ? 'Re-rate PSFS activities' : `Answer ${instrument.name}`}</button>`}
    </article>`;
}

function nextDue(status) {
  return addDays(status.latest.local_date, status.every);
}

/** One 0–3 or 1–7 item: its answers as large radio rows. */
function Choice({ item, value, onChange, error }) {
  const id = useUid(item.key);
  return html`
    <fieldset class="choice" role="radiogroup" aria-labelledby=${`${id}-label`}
      aria-describedby=${error ? `${id}-error` : undefined} aria-required="true"
      aria-invalid=${error ? 'true' : undefined}>
      <legend id=${`${id}-label`}>${item.text}</legend>
      ${item.anchors.map((anchor) => html`
        <label class="check" key=${anchor.value}>
          <input type="radio" name=${id} value=${anchor.value} checked=${value === anchor.value}
            onChange=${() => onChange(anchor.value)} />
          <span>${anchor.text}</span>
        </label>`)}
      ${error && html`<p class="error" id=${`${id}-error`}>${error}</p>`}
    </fieldset>`;
}

/** A 0–10 item, its error right under it. */
function ScaleItem({ name, label, hint, anchors, value, onChange, error }) {
  const errorId = useUid(`${name}-error`);
  return html`
    <${Scale} name=${name} label=${label} hint=${hint} required value=${value} onChange=${onChange}
      anchors=${anchors} invalid=${Boolean(error)} errorId=${errorId} />
    ${error && html`<p class="error" id=${errorId}>${error}</p>`}`;
}

const anchorPair = (item) => [`0 = ${item.anchors[0].text}`, `10 = ${item.anchors[1].text}`];

function focusFirstInvalid(form) {
  form?.querySelector('[aria-invalid="true"] input, input[aria-invalid="true"]')?.focus();
}

function AnswersForm({ instrument, onSaved, onCancel }) {
  const { store } = useApp();
  const formRef = useRef(null);
  const [answers, setAnswers] = useState({});
  const [errors, setErrors] = useState({});
  const set = (key) => (value) => {
    setAnswers((old) => ({ ...old, [key]: value }));
    setErrors((old) => ({ ...old, [key]: undefined }));
  };
  async function save(event) {
    event.preventDefault();
    const checked = checkAnswers(instrument.id, answers);
    if (checked.errors) {
      setErrors(checked.errors);
      setTimeout(() => focusFirstInvalid(formRef.current));
      return;
    }
    const result = scoreAnswers(instrument.id, checked.answers);
    await store.write('outcome_response', newId(), { instrument: instrument.id,
      local_date: localDate(), answers: checked.answers, score: result.score });
    store.persistOnce();
    onSaved(result);
  }
  const missing = Object.values(errors).filter(Boolean).length;
  return html`
    <form aria-label=${`${instrument.name} questionnaire`} noValidate onSubmit=${save} ref=${formRef}>
      ${instrument.items.map((item) => (item.max === 10
        ? html`<${ScaleItem} key=${item.key} name=${`${instrument.id}-${item.key}`} label=${item.text}
            anchors=${anchorPair(item)} value=${answers[item.key] ?? null} onChange=${set(item.key)}
            error=${errors[item.key]} />`
        : html`<${Choice} key=${item.key} item=${item} value=${answers[item.key] ?? null}
            onChange=${set(item.key)} error=${errors[item.key]} />`))}
      ${missing > 0 && html`<p class="error" role="alert">${missing === 1 ? 'One answer is missing' : `${missing} answers are missing`}: see above. Nothing was saved.</p>`}
      <div class="actions">
        <button type="submit">Save ${instrument.name}</button>
        <button type="button" class="secondary" onClick=${onCancel}>Cancel</button>
      </div>
    </form>`;
}

function PsfsForm({ latest, onSaved, onCancel }) {
  const { store } = useApp();
  const formRef = useRef(null);
  const item = INSTRUMENTS.psfs.items[0];
  const [rows, setRows] = useState(() => {
    const earlier = psfsRows(latest);
    return earlier.length ? earlier : [{ activity: '', score: null, fixed: false }];
  });
  const [checked, setChecked] = useState({ errors: {}, error: null });
  const update = (index, change) => {
    setRows((old) => old.map((row, i) => (i === index ? { ...row, ...change } : row)));
    setChecked((old) => ({ ...old, errors: { ...old.errors, [index]: undefined } }));
  };
  const add = () => setRows((old) => [...old, { activity: '', score: null, fixed: false }]);
  const remove = (index) => {
    setRows((old) => old.filter((_, i) => i !== index));
    setChecked({ errors: {}, error: null });
  };
  async function save(event) {
    event.preventDefault();
    const result = checkPsfs(rows);
    if (!result.answers) {
      setChecked(result);
      setTimeout(() => focusFirstInvalid(formRef.current));
      return;
    }
    const scored = scoreAnswers('psfs', result.answers);
    await store.write('outcome_response', newId(), { instrument: 'psfs', local_date: localDate(),
      answers: result.answers, score: scored.score });
    store.persistOnce();
    let change = null;
    try {
      if (latest) change = psfsChange({ before: latest.answers, after: result.answers });
    } catch {
      change = null;
    }
    onSaved({ ...scored, change });
  }
  const anchors = anchorPair(item);
  const problems = Object.values(checked.errors).filter(Boolean).length;
  return html`
    <form aria-label="PSFS questionnaire" noValidate onSubmit=${save} ref=${formRef}>
      ${rows.map((row, index) => html`
        <${PsfsRow} key=${index} row=${row} index=${index} anchors=${anchors} hint=${item.text}
          error=${checked.errors[index]} onChange=${(change) => update(index, change)}
          onRemove=${row.fixed ? null : () => remove(index)} />`)}
      ${rows.length < PSFS_MAX_ACTIVITIES && html`
        <button type="button" class="secondary" onClick=${add}>Add an activity</button>`}
      ${(checked.error || problems > 0) && html`<p class="error" role="alert">${checked.error ?? 'Some activities need a name or a rating: see above.'} Nothing was saved.</p>`}
      <div class="actions">
        <button type="submit">Save PSFS</button>
        <button type="button" class="secondary" onClick=${onCancel}>Cancel</button>
      </div>
    </form>`;
}

function PsfsRow({ row, index, anchors, hint, error, onChange, onRemove }) {
  const inputId = useUid('psfs-activity');
  const nameError = error?.field === 'activity' ? error.text : null;
  const scoreError = error?.field === 'score' ? error.text : null;
  const label = row.activity.trim() || `Activity ${index + 1}`;
  const removeLabel = row.activity.trim() ? `Remove ${row.activity.trim()}` : `Remove activity ${index + 1}`;
  return html`
    <div class="psfs-row">
      ${!row.fixed && html`
        <div class="field">
          <label for=${inputId}>Name of activity ${index + 1}</label>
          <input id=${inputId} value=${row.activity} maxLength="200"
            aria-invalid=${nameError ? 'true' : undefined}
            aria-describedby=${nameError ? `${inputId}-error` : undefined}
            onInput=${(event) => onChange({ activity: event.currentTarget.value })} />
          ${nameError && html`<p class="error" id=${`${inputId}-error`}>${nameError}</p>`}
        </div>`}
      <${ScaleItem} name=${`psfs-${index}`} label=${label}
        hint=${row.fixed && typeof row.earlier === 'number' ? `${hint} Last time: ${row.earlier}.` : hint}
        anchors=${anchors} value=${row.score} onChange=${(score) => onChange({ score })} error=${scoreError} />
      ${onRemove && html`<button type="button" class="link-button" aria-label=${removeLabel}
        onClick=${onRemove}>Remove</button>`}
    </div>`;
}

// --- performance tests -----------------------------------------------------------------

function TestCard({ test, onNotice }) {
  const { user } = useApp();
  const runKey = `pacewise-test-run-${user?.id ?? 'anon'}-${test.kind}`;
  const headingId = useUid(`t-${test.kind}`);
  // A run in progress survives a reload: its start time (and tap count) are kept.
  const [run, setRun] = useState(() => {
    try {
      const kept = JSON.parse(readCache(runKey) ?? 'null');
      return typeof kept?.startedAt === 'number' ? kept : null;
    } catch {
      return null;
    }
  });
  const [stage, setStage] = useState(run ? 'running' : 'idle');
  const [prefill, setPrefill] = useState(null);
  const [saved, setSaved] = useState(null);
  const [spoken, setSpoken] = useState('');
  const savedRef = useRef(null);
  const stageRef = useRef(null);
  const mounted = useRef(false);
  useFocusWhen(savedRef, saved);
  useEffect(() => {
    // Each step's heading takes the focus, except a run resumed when the screen opens.
    if (mounted.current && stage !== 'idle') stageRef.current?.focus();
    mounted.current = true;
  }, [stage]);

  const keepRun = (next) => {
    setRun(next);
    writeCache(runKey, next ? JSON.stringify(next) : null);
  };
  const start = () => {
    keepRun({ startedAt: Date.now(), count: 0 });
    setStage('running');
  };
  const finish = ({ early }) => {
    if (!run) return;
    const now = Date.now();
    let value = '';
    let notes = '';
    if (test.timer === 'stopwatch') {
      value = String(stopwatch({ startedAt: run.startedAt, now }));
      setSpoken(`Stopped at ${value} seconds.`);
    } else {
      if (test.kind === 'chair_stand_30s') value = String(run.count);
      if (early) {
        const left = countdown({ startedAt: run.startedAt, now, seconds: test.seconds });
        notes = `Stopped early, at ${clock(left.elapsedMs / 1000)} of ${clock(test.seconds)}.`;
        setSpoken('Stopped.');
      }
    }
    keepRun(null);
    setPrefill({ value, notes });
    setStage('result');
  };
  const cancel = () => {
    keepRun(null);
    setPrefill(null);
    setStage('idle');
  };
  const onSaved = (record) => {
    setPrefill(null);
    setStage('idle');
    setSaved(record);
    onNotice(`${test.name} saved.`);
  };

  return html`
    <article class="card checkup-card" aria-labelledby=${headingId}>
      <h3 id=${headingId}>${test.name}</h3>
      <p class="sr-only" aria-live="polite">${spoken}</p>
      ${saved && html`
        <div class="checkup-saved" tabindex="-1" ref=${savedRef}>
          <p><strong>Saved: ${formatAmount(saved.value)} ${saved.unit}${saved.with_helper ? ', with someone' : ''}.</strong></p>
          ${fallRisk(saved.kind, saved.value) && html`<${FallRiskNote} />`}
        </div>`}
      ${stage === 'idle' && html`
        <button type="button" class=${saved ? 'secondary' : ''}
          onClick=${() => { setSaved(null); setStage('safety'); }}>Do the ${lowerFirst(test.name)}</button>`}
      ${stage === 'safety' && html`<${SafetyForm} test=${test} headingRef=${stageRef}
        onStart=${start} onManual=${() => { setPrefill({ value: '', notes: '' }); setStage('result'); }}
        onCancel=${cancel} />`}
      ${stage === 'running' && run && html`<${RunningTest} test=${test} run=${run} headingRef=${stageRef}
        onCount=${(count) => keepRun({ ...run, count })} onFinish=${finish} onCancel=${cancel}
        onSpeak=${setSpoken} />`}
      ${stage === 'result' && html`<${ResultForm} test=${test} prefill=${prefill} headingRef=${stageRef}
        onSaved=${onSaved} onCancel=${cancel} />`}
    </article>`;
}

const lowerFirst = (text) => (/^[A-Z][a-z]/.test(text) ? text[0].toLowerCase() + text.slice(1) : text);

function SafetyForm({ test, headingRef, onStart, onManual, onCancel }) {
  const [ticked, setTicked] = useState(() => test.safety.map(() => false));
  const [error, setError] = useState('');
  const id = useUid('safety');
  const confirmed = (next) => {
    if (ticked.every(Boolean)) return next();
    setError('Tick each point to confirm it. If one is not true today, leave this test for another day.');
    return undefined;
  };
  return html`
    <form aria-labelledby=${`${id}-title`} noValidate
      onSubmit=${(event) => { event.preventDefault(); confirmed(onStart); }}>
      <h4 id=${`${id}-title`} tabindex="-1" ref=${headingRef}>Before the ${lowerFirst(test.name)}</h4>
      <ol class="test-steps">${test.steps.map((step) => html`<li key=${step}>${step}</li>`)}</ol>
      <fieldset aria-describedby=${error ? `${id}-error` : undefined}>
        <legend>Safety check: tick each point</legend>
        ${test.safety.map((point, index) => html`
          <${Check} key=${point} label=${point} checked=${ticked[index]}
            aria-invalid=${error && !ticked[index] ? 'true' : undefined}
            aria-describedby=${error && !ticked[index] ? `${id}-error` : undefined}
            onChange=${(on) => { setTicked((old) => old.map((v, i) => (i === index ? on : v))); setError(''); }} />`)}
        ${error && html`<p class="error" id=${`${id}-error`}>${error}</p>`}
      </fieldset>
      <p class="hint cite">Source: ${test.source}</p>
      <div class="actions">
        <button type="submit">${test.timer === 'stopwatch' ? 'Start the stopwatch' : 'Start the timer'}</button>
        <button type="button" class="secondary" onClick=${() => confirmed(onManual)}>Enter a result without the timer</button>
        <button type="button" class="secondary" onClick=${onCancel}>Not now</button>
      </div>
    </form>`;
}

function RunningTest({ test, run, headingRef, onCount, onFinish, onCancel, onSpeak }) {
  const [now, setNow] = useState(Date.now());
  const lastSpoken = useRef(null);
  const countdownTimer = test.timer === 'countdown';
  const state = countdownTimer ? countdown({ startedAt: run.startedAt, now, seconds: test.seconds }) : null;

  useEffect(() => {
    // The reading is recomputed from the start time; the interval only repaints it.
    const repaint = () => setNow(Date.now());
    const timer = setInterval(repaint, countdownTimer ? 250 : 100);
    document.addEventListener('visibilitychange', repaint);
    if (!countdownTimer) onSpeak('Stopwatch started.');
    // Keep the screen on while the test runs, where the browser allows it; if it locks
    // anyway, the reading is still right when it wakes.
    let wakeLock = null;
    let ended = false;
    navigator.wakeLock?.request('screen').then((lock) => {
      if (ended) lock.release().catch(() => {});
      else wakeLock = lock;
    }, () => {});
    return () => {
      ended = true;
      clearInterval(timer);
      document.removeEventListener('visibilitychange', repaint);
      wakeLock?.release().catch(() => {});
    };
  }, [run.startedAt]);

  useEffect(() => {
    if (!state) return;
    const message = countdownMessage({ remaining: state.remaining, total: test.seconds,
      every: announceEvery(test.seconds) });
    if (message && message !== lastSpoken.current) {
      lastSpoken.current = message;
      onSpeak(message);
    }
    if (state.done) {
      navigator.vibrate?.([300, 150, 300]);
      onFinish({ early: false });
    }
  }, [state?.remaining]);

  const title = countdownTimer ? `${test.name}: time left` : `${test.name}: stopwatch`;
  return html`
    <div class="running-test">
      <h4 tabindex="-1" ref=${headingRef}>${title}</h4>
      ${countdownTimer
        ? html`<p class="timer" role="timer">${clock(state.remaining)}</p>
            <progress max=${test.seconds * 1000} value=${Math.min(state.elapsedMs, test.seconds * 1000)}
              aria-label="Time used"></progress>`
        : html`<p class="timer" role="timer">${stopwatch({ startedAt: run.startedAt, now }).toFixed(1)} s</p>`}
      ${test.kind === 'chair_stand_30s' && html`
        <p class="tap-count">Stands: ${run.count}</p>
        <button type="button" class="tap-counter" onClick=${() => onCount(run.count + 1)}>Count a stand</button>
        <button type="button" class="link-button" disabled=${run.count === 0}
          onClick=${() => onCount(Math.max(0, run.count - 1))}>Undo last stand</button>`}
      ${test.kind === 'six_minute_walk' && html`<p class="timer-note">Walk at your own pace. You may slow down or rest; the timer keeps running.</p>`}
      <div class="actions">
        <button type="button" class=${countdownTimer ? 'secondary' : ''}
          onClick=${() => onFinish({ early: true })}>${countdownTimer ? 'Finish now' : 'Stop'}</button>
        <button type="button" class="secondary" onClick=${onCancel}>Cancel the test</button>
      </div>
    </div>`;
}

function ResultForm({ test, prefill, headingRef, onSaved, onCancel }) {
  const { store } = useApp();
  const [value, setValue] = useState(prefill?.value ?? '');
  const [helper, setHelper] = useState(false);
  const [notes, setNotes] = useState(prefill?.notes ?? '');
  const [error, setError] = useState('');
  const valueRef = useRef(null);
  const id = useUid('result');
  async function save(event) {
    event.preventDefault();
    const checked = checkTestValue(test.kind, value);
    if (checked.error) {
      setError(checked.error);
      valueRef.current?.focus();
      return;
    }
    setError('');
    const record = { kind: test.kind, label: test.name, value: checked.value, unit: test.unit,
      local_date: localDate(), with_helper: helper, notes: notes.trim() || null };
    await store.write('performance_test', newId(), record);
    store.persistOnce();
    onSaved(record);
  }
  return html`
    <form aria-labelledby=${`${id}-title`} noValidate onSubmit=${save}>
      <h4 id=${`${id}-title`} tabindex="-1" ref=${headingRef}>${test.name}: your result</h4>
      <div class="field">
        <label for=${`${id}-value`}>${test.field}</label>
        <p class="hint" id=${`${id}-hint`}>${test.hint}</p>
        <input id=${`${id}-value`} ref=${valueRef} inputMode=${test.whole ? 'numeric' : 'decimal'}
          value=${value} onInput=${(e) => { setValue(e.currentTarget.value); setError(''); }}
          aria-invalid=${error ? 'true' : undefined}
          aria-describedby=${error ? `${id}-hint ${id}-error` : `${id}-hint`} />
        ${error && html`<p class="error" id=${`${id}-error`}>${error} Nothing was saved.</p>`}
      </div>
      <${Check} label="Someone was with me" checked=${helper} onChange=${setHelper} />
      <div class="field">
        <label for=${`${id}-notes`}>Notes</label>
        <p class="hint" id=${`${id}-notes-hint`}>Optional: for example, a walking aid you used, or why you stopped.</p>
        <textarea id=${`${id}-notes`} rows="2" maxLength="2000" value=${notes}
          aria-describedby=${`${id}-notes-hint`} onInput=${(e) => setNotes(e.currentTarget.value)}></textarea>
      </div>
      <div class="actions">
        <button type="submit">Save result</button>
        <button type="button" class="secondary" onClick=${onCancel}>Discard</button>
      </div>
    </form>`;
}

