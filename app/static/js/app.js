// The patient app's entry: find out who is signed in, open their local store, start the
// sync runner and show the screens. Only Today is in the first load; the other screens
// are imported when first opened.

import { ApiError, api } from './api.js';
import { html, render, useEffect, useMemo, useState } from './html.js';
import { ReminderBanner } from './reminding.js';
import { TodayScreen } from './screens/today.js';
import { cachedUser, rememberUser, sessionFingerprint } from './session.js';
import { openStore } from './store.js';
import { applyUpdate, checkForUpdate, registerWorker } from './sw-client.js';
import { SyncRunner, watchTriggers } from './sync.js';
import { AppContext } from './ui.js';

const SCREENS = {
  today: { title: 'Today' },
  goals: { title: 'Goals', load: () => import('./screens/goals.js'), name: 'GoalsScreen' },
  pacing: { title: 'Pacing', load: () => import('./screens/pacing.js'), name: 'PacingScreen' },
  progress: { title: 'Progress', load: () => import('./screens/progress.js'), name: 'ProgressScreen' },
  'flare-plan': { title: 'Flare plan', load: () => import('./screens/flare.js'), name: 'FlarePlanScreen' },
  'red-flags': { title: 'Red flags', load: () => import('./screens/redflags.js'), name: 'RedFlagsScreen' },
  settings: { title: 'Settings', load: () => import('./screens/settings.js'), name: 'SettingsScreen' },
  plan: { title: 'My plan', load: () => import('./screens/myplan.js'), name: 'MyPlanScreen' },
  builder: { title: 'Build my plan', load: () => import('./screens/builder.js'), name: 'BuilderScreen' },
  checkup: { title: 'Questionnaires and tests', load: () => import('./screens/checkup.js'), name: 'CheckupScreen' },
  review: { title: 'Weekly review', load: () => import('./screens/review.js'), name: 'ReviewScreen' },
  treatments: { title: 'Treatments and routines', load: () => import('./screens/treatments.js'), name: 'TreatmentsScreen' },
  decisions: { title: 'Decisions', load: () => import('./screens/decisions.js'), name: 'DecisionsScreen' },
  learn: { title: 'Learn', load: () => import('./screens/learn.js'), name: 'LearnScreen' },
  'care-team': { title: 'Care team', load: () => import('./screens/careteam.js'), name: 'CareTeamScreen' },
};
const NAV = ['today', 'goals', 'pacing', 'progress', 'flare-plan'];
// Where the "could not sync" list sends a person to fix a record of each kind.
const FIX_SCREEN = {
  diary_entry: 'today', goal: 'goals', goal_checkin: 'goals', value: 'builder',
  pacing_plan: 'pacing', pacing_session: 'pacing', flare_plan: 'flare-plan', flare: 'flare-plan',
  reminder: 'settings', outcome_response: 'checkup', performance_test: 'checkup',
  weekly_review: 'review', treatment: 'treatments', routine: 'treatments', decision: 'decisions',
};

const loadedScreens = new Map();
const updateListeners = new Set();
let updateWaiting = false;
let focusPending = false;

function routeOf(hash) {
  const name = decodeURIComponent(hash.replace(/^#\/?/, '')).split(/[?/]/)[0] || 'today';
  return SCREENS[name] ? name : null;
}

/** After a screen change, move focus to the new screen's heading. */
function focusHeading() {
  if (!focusPending) return;
  const heading = document.querySelector('#main h1');
  if (heading) {
    focusPending = false;
    heading.focus();
  }
}

function LazyScreen({ route }) {
  const spec = SCREENS[route];
  const [module, setModule] = useState(() => loadedScreens.get(route));
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (module) return undefined;
    let live = true;
    spec.load().then((loaded) => {
      loadedScreens.set(route, loaded);
      if (live) setModule(loaded);
    }, (error) => {
      console.error(error);
      if (live) setFailed(true);
    });
    return () => { live = false; };
  }, []);
  useEffect(focusHeading, [module]);
  if (failed) {
    return html`<h1 tabindex="-1">${spec.title}</h1>
      <p class="error">This screen could not load. Check your connection and try again.</p>`;
  }
  if (!module) return html`<p class="hint">Loading…</p>`;
  const Screen = module[spec.name];
  return html`<${Screen} />`;
}

/** Subscribe to the sync runner's state; only the parts that show it re-render. */
function useSyncState(sync) {
  const [state, setState] = useState(sync.state);
  useEffect(() => {
    const onState = () => setState(sync.state);
    sync.addEventListener('state', onState);
    onState();
    return () => sync.removeEventListener('state', onState);
  }, []);
  return state;
}

/** The one role="status" element: the sync state in words (design §7). */
function SyncStatus({ sync }) {
  const state = useSyncState(sync);
  const kind = state.rejected ? 'rejected' : state.pending ? 'pending' : 'synced';
  return html`<p role="status" class="sync-status" data-state=${kind}>${state.text}</p>`;
}

function SignInAgain({ sync }) {
  const state = useSyncState(sync);
  if (!state.needsSignIn) return null;
  return html`
    <div class="banner warn"><p>Your session has ended. Your changes stay on this device until you
      <a href="/login">sign in again</a>.</p></div>`;
}

function App({ store, sync, user }) {
  const [route, setRoute] = useState(() => routeOf(location.hash) ?? 'today');
  const [tick, setTick] = useState(0);
  const [update, setUpdate] = useState(updateWaiting);
  const [fix, setFix] = useState(null);

  useEffect(() => {
    const onHash = () => {
      const next = routeOf(location.hash);
      if (next) {
        focusPending = true;
        setRoute(next);
      }
    };
    const onChange = () => setTick((t) => t + 1);
    window.addEventListener('hashchange', onHash);
    store.addEventListener('change', onChange);
    updateListeners.add(setUpdate);
    sync.refresh();
    return () => {
      window.removeEventListener('hashchange', onHash);
      store.removeEventListener('change', onChange);
      updateListeners.delete(setUpdate);
    };
  }, []);

  useEffect(() => {
    document.title = `${SCREENS[route].title} · Pacewise`;
    focusHeading();
  }, [route]);

  const context = useMemo(() => ({
    store, sync, user, tick, fix,
    navigate: (name) => { location.hash = `#${name}`; },
    openFix: (item) => {
      setFix(item);
      location.hash = `#${FIX_SCREEN[item.mutation.entity] ?? 'today'}`;
    },
    resolveFix: async (item) => {
      setFix(null);
      await store.discardRejected(item.key);
    },
    clearFix: () => setFix(null),
  }), [tick, fix]);

  const skip = (event) => {
    event.preventDefault();
    document.getElementById('main')?.focus();
  };
  const current = (name) => (route === name ? 'page' : undefined);
  return html`
    <${AppContext.Provider} value=${context}>
      <a class="skip" href="#main" onClick=${skip}>Skip to content</a>
      <header class="bar app-bar">
        <a class="brand" href="#today">Pacewise</a>
        <${SyncStatus} sync=${sync} />
        <a class="settings-link" href="#settings" aria-current=${current('settings')}>Settings</a>
      </header>
      ${update && html`<div class="banner"><button type="button" onClick=${applyUpdate}>Update available — reload</button></div>`}
      <${SignInAgain} sync=${sync} />
      <${ReminderBanner} />
      <main id="main" class="page" tabindex="-1">
        ${route === 'today' ? html`<${TodayScreen} />` : html`<${LazyScreen} key=${route} route=${route} />`}
      </main>
      <nav class="tabs" aria-label="Main">
        ${NAV.map((name) => html`
          <a key=${name} href=${`#${name}`} aria-current=${current(name)}>${SCREENS[name].title}</a>`)}
      </nav>
    <//>`;
}

function Offline({ onRetry }) {
  return html`
    <header class="bar app-bar"><span class="brand">Pacewise</span></header>
    <main id="main" class="page">
      <h1>You are offline</h1>
      <p>Pacewise needs a connection the first time you sign in on this device. After that it works offline.</p>
      <button type="button" onClick=${onRetry}>Try again</button>
      <p><a href="/login">Sign in</a></p>
    </main>`;
}

async function start(root, user) {
  let store;
  try {
    store = await openStore(user.id);
  } catch (error) {
    root.textContent = '';
    render(html`<main id="main" class="page"><h1>Pacewise cannot store data here</h1>
      <p>This browser refused local storage (${String(error?.message ?? error)}). Private browsing can cause this.</p></main>`, root);
    return null;
  }
  const sync = new SyncRunner({ store, api, lockName: `pacewise-sync-${user.id}` });
  store.addEventListener('signed-out', () => location.replace('/login'));
  store.addEventListener('closed', () => location.reload());
  sync.addEventListener('update-needed', checkForUpdate);
  // Opening the store and the first render: two tasks, not one long one.
  await new Promise((resolve) => { setTimeout(resolve); });
  root.textContent = '';
  render(html`<${App} store=${store} sync=${sync} user=${user} />`, root);
  watchTriggers(sync, store);
  return sync;
}

/** Check the session in the background once the app already runs on the cached user. */
async function verify(cached, fingerprint, sync) {
  try {
    const me = await api.me();
    if (me.role !== 'patient') {
      location.replace('/clinic');
    } else if (me.id !== cached.id) {
      rememberUser(me, fingerprint);
      location.reload();
    } else {
      rememberUser(me, fingerprint);
    }
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) sync?.setState({ needsSignIn: true });
  }
}

async function boot() {
  const root = document.getElementById('app');
  registerWorker(() => {
    updateWaiting = true;
    for (const listener of updateListeners) listener(true);
  });
  const cached = cachedUser();
  const fingerprint = await sessionFingerprint();
  if (cached && (fingerprint === cached.session || (!fingerprint && !navigator.onLine))) {
    const sync = await start(root, cached);
    if (navigator.onLine) verify(cached, fingerprint, sync);
    return;
  }
  let me;
  try {
    me = await api.me();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      location.replace('/login');
    } else if (cached && !fingerprint) {
      await start(root, cached);
    } else {
      root.textContent = '';
      render(html`<${Offline} onRetry=${() => location.reload()} />`, root);
    }
    return;
  }
  if (me.role !== 'patient') {
    location.replace('/clinic');
    return;
  }
  rememberUser(me, fingerprint);
  await start(root, me);
}

boot();
