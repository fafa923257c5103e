// Small building blocks shared by the screens: the app context, data hooks, and labelled
// controls with large touch targets.

import { createContext, html, useContext, useEffect, useRef, useState } from './html.js';

/** {store, sync, user, navigate, tick, fix, setFix, notice} — see app.js. */
export const AppContext = createContext(null);
export const useApp = () => useContext(AppContext);

let lastUid = 0;
/** An id unique in the page, stable for the component's life. */
export function useUid(prefix = 'f') {
  const ref = useRef(null);
  if (ref.current === null) {
    lastUid += 1;
    ref.current = `${prefix}-${lastUid}`;
  }
  return ref.current;
}

/** Run `load` now and again whenever the local data changes; returns its latest answer. */
export function useData(load, deps = []) {
  const { tick } = useApp();
  const [value, setValue] = useState(undefined);
  useEffect(() => {
    let live = true;
    load().then((result) => { if (live) setValue(result); },
      (error) => console.error('loading local data failed', error));
    return () => { live = false; };
  }, [tick, ...deps]);
  return value;
}

let firstRenderDone = false;
/**
 * A screen's first render in the page comes in `steps` + 1 parts, top to bottom, one task
 * each (each after a paint), so that no single long task keeps the page from answering a
 * tap; what is already shown never moves. Returns how many parts to show. Once that first
 * render is complete, every later one shows all parts at once.
 */
export function useFirstRenderSteps(steps) {
  const [step, setStep] = useState(firstRenderDone ? steps : 0);
  useEffect(() => {
    if (step >= steps) {
      firstRenderDone = true;
      return undefined;
    }
    const timer = setTimeout(() => setStep(step + 1));
    return () => clearTimeout(timer);
  }, [step]);
  return step;
}

/** Records of one entity as the screen shows them (pending edits included). */
export function useRecords(entity) {
  const { store } = useApp();
  return useData(() => store.list(entity), [entity]);
}

const SCALE = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

/**
 * A 0–10 scale as a row of eleven large radio buttons: one tap sets it. The group is
 * named by its visible label, e.g. "Pain (0–10)"; each radio by its number.
 */
export function Scale({ name, label, hint, anchors, value, onChange, required = false,
  invalid = false, errorId }) {
  const id = useUid(name);
  const describedBy = [anchors && `${id}-anchors`, hint && `${id}-hint`, invalid && errorId]
    .filter(Boolean).join(' ') || undefined;
  return html`
    <fieldset class="scale" role="radiogroup" aria-labelledby=${`${id}-label`}
      aria-describedby=${describedBy} aria-required=${required ? 'true' : undefined}
      aria-invalid=${invalid ? 'true' : undefined}>
      <legend id=${`${id}-label`}>${label} <span class="range">(0–10)</span></legend>
      ${hint && html`<p class="hint" id=${`${id}-hint`}>${hint}</p>`}
      <div class="picks">
        ${SCALE.map((n) => html`
          <label class="pick" key=${n}>
            <input type="radio" name=${id} value=${n} checked=${value === n}
              onChange=${() => onChange(n)} />
            <span>${n}</span>
          </label>`)}
      </div>
      ${anchors && html`<p class="anchors hint" id=${`${id}-anchors`}><span>${anchors[0]}</span><span>${anchors[1]}</span></p>`}
      ${!required && value !== null && value !== undefined && html`
        <button type="button" class="link-button" aria-label=${`Clear ${label.toLowerCase()}`}
          onClick=${() => onChange(null)}>Clear</button>`}
    </fieldset>`;
}

/** A labelled input; extra props go to the <input>. */
export function Field({ label, hint, value, onInput, type = 'text', multiline = false, ...rest }) {
  const id = useUid('in');
  const props = { id, value: value ?? '', 'aria-describedby': hint ? `${id}-hint` : undefined,
    onInput: (event) => onInput(event.currentTarget.value), ...rest };
  return html`
    <div class="field">
      <label for=${id}>${label}</label>
      ${hint && html`<p class="hint" id=${`${id}-hint`}>${hint}</p>`}
      ${multiline ? html`<textarea ...${props} rows="3"></textarea>` : html`<input type=${type} ...${props} />`}
    </div>`;
}

/** A labelled checkbox. */
export function Check({ label, checked, onChange, ...rest }) {
  // `rest` may carry an aria-label when the visible label is short ("Left").
  return html`
    <label class="check">
      <input type="checkbox" checked=${Boolean(checked)}
        onChange=${(event) => onChange(event.currentTarget.checked)} ...${rest} />
      <span>${label}</span>
    </label>`;
}

/** A button that shows and hides the region after it. */
export function Disclosure({ label, ariaLabel, children, initiallyOpen = false, class: className = '' }) {
  const [open, setOpen] = useState(initiallyOpen);
  const id = useUid('more');
  return html`
    <div class=${`disclosure ${className}`}>
      <button type="button" class="secondary disclosure-toggle" aria-expanded=${open ? 'true' : 'false'}
        aria-controls=${id} aria-label=${ariaLabel} onClick=${() => setOpen(!open)}>${label}</button>
      <div id=${id} hidden=${!open}>${open && children}</div>
    </div>`;
}

/** Parse a number field: '' is null, otherwise a finite number or NaN. */
export function numberOrNull(text) {
  const trimmed = String(text ?? '').trim().replace(',', '.');
  if (trimmed === '') return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : Number.NaN;
}

/** Focus a heading or region after a screen change, for keyboards and screen readers. */
export function useFocusOnMount(ref, enabled = true) {
  useEffect(() => {
    if (enabled && ref.current) ref.current.focus();
  }, []);
}

/** Split text into a list of non-empty lines. */
export const lines = (text) => String(text ?? '').split('\n').map((s) => s.trim()).filter(Boolean);
