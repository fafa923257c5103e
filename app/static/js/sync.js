// The sync runner: the client loop of design §4. Push the outbox in batches, then pull
// until nothing more is waiting, one runner per origin (Web Locks), retrying with backoff.
// It talks to the store and the API only through their methods, so node can drive it
// against a fake server.

import { ApiError, NetworkError } from './api.js';
import { syncStatusText } from './status.js';

const MAX_PAGES = 100000;

export class SyncRunner extends EventTarget {
  constructor({
    store, api, lockName = 'pacewise-sync',
    locks = globalThis.navigator?.locks,
    isOnline = () => globalThis.navigator?.onLine ?? true,
    timers = { set: (fn, ms) => setTimeout(fn, ms), clear: (id) => clearTimeout(id) },
  }) {
    super();
    Object.assign(this, { store, api, lockName, locks, isOnline, timers });
    this.state = { pending: 0, rejected: 0, online: isOnline(), needsSignIn: false,
      syncing: false, lastError: null, text: 'Synced' };
    this.reachable = true;
    this.failures = 0;
    this.timer = null;
    this.dueAt = Infinity;
    this.active = null;
    this.again = false;
  }

  /** Run soon: after `delay` ms, unless a run is already due earlier. */
  request(reason = 'manual', delay = 0) {
    const at = Date.now() + delay;
    if (this.timer !== null && this.dueAt <= at) return;
    if (this.timer !== null) this.timers.clear(this.timer);
    this.dueAt = at;
    this.timer = this.timers.set(() => {
      this.timer = null;
      this.dueAt = Infinity;
      this.run(reason);
    }, delay);
  }

  /** Sync now; a request during a run makes the run go round once more. */
  run(reason = 'manual') {
    if (this.active) {
      this.again = true;
      return this.active;
    }
    this.active = (async () => {
      let outcome;
      do {
        this.again = false;
        outcome = await this.withLock(() => this.cycle(reason));
      } while (this.again);
      return outcome;
    })().finally(() => {
      this.active = null;
    });
    return this.active;
  }

  withLock(work) {
    if (this.locks?.request) return this.locks.request(this.lockName, work);
    return work();
  }

  /** One push-then-pull round. Resolves to 'synced', 'offline' or the failure's kind. */
  async cycle() {
    if (!this.isOnline()) {
      await this.refresh();
      return 'offline';
    }
    this.setState({ syncing: true });
    let outcome = 'synced';
    try {
      await this.pushAll();
      await this.pullAll();
      this.reachable = true;
      this.failures = 0;
      this.setState({ needsSignIn: false, lastError: null });
    } catch (error) {
      outcome = this.failed(error);
    }
    this.setState({ syncing: false });
    await this.refresh();
    return outcome;
  }

  async pushAll() {
    let gaps = 0;
    let renewed = false;
    for (;;) {
      const batch = await this.store.nextBatch();
      if (batch.length === 0) return;
      const clientId = await this.store.clientId();
      let response;
      try {
        response = await this.api.push(clientId, batch);
      } catch (error) {
        if (error instanceof ApiError && error.code === 'mutation_gap' && gaps < 3) {
          gaps += 1;
          await this.store.resequence(Number(error.body.last_mutation_id ?? 0));
          continue;
        }
        if (error instanceof ApiError && error.code === 'client_id_taken' && !renewed) {
          renewed = true;
          await this.store.renewClient();
          continue;
        }
        throw error;
      }
      this.reachable = true;
      await this.store.recordPush(batch, response);
      if (!(response.last_mutation_id >= batch[batch.length - 1].id)) {
        throw new Error(`push answered last_mutation_id ${response.last_mutation_id} for a batch up to ${batch[batch.length - 1].id}`);
      }
    }
  }

  async pullAll() {
    const clientId = await this.store.clientId();
    let reloading = false;
    let cleared = false;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const cursor = reloading && !cleared ? 0 : await this.store.cursor();
      const answer = await this.api.pull(cursor, clientId);
      this.reachable = true;
      if (answer.reset && !reloading) {
        reloading = true; // tombstones we never saw are gone: reload from 0, keep the outbox
        continue;
      }
      await this.store.applyPage(answer, { reset: reloading && !cleared });
      cleared = reloading;
      if (!answer.more) return;
    }
  }

  failed(error) {
    if (error instanceof NetworkError) {
      this.reachable = false;
      this.retryLater();
      return 'unreachable';
    }
    if (error instanceof ApiError) {
      if (error.status === 401 || error.code === 'csrf') {
        this.setState({ needsSignIn: true });
        return 'signed-out';
      }
      if (error.code === 'schema_version') {
        this.setState({ lastError: error.message });
        this.dispatchEvent(new Event('update-needed'));
        return 'schema';
      }
      this.setState({ lastError: error.message });
      this.retryLater(error.retryAfter);
      return error.status >= 500 || error.status === 429 ? 'busy' : 'refused';
    }
    this.setState({ lastError: String(error?.message ?? error) });
    this.retryLater();
    return 'error';
  }

  retryLater(seconds = null) {
    this.failures += 1;
    const backoff = Math.min(300, 2 ** Math.min(this.failures, 8));
    this.request('retry', 1000 * (seconds ?? backoff));
  }

  async refresh() {
    const { pending, rejected } = await this.store.counts();
    this.setState({ pending, rejected });
  }

  setState(patch) {
    const next = { ...this.state, ...patch, online: this.isOnline() && this.reachable };
    next.text = syncStatusText(next);
    const changed = Object.keys(next).some((key) => next[key] !== this.state[key]);
    this.state = next;
    if (changed) this.dispatchEvent(new Event('state'));
  }

  stop() {
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
    this.stopped = true;
  }
}

/** Wire the browser's triggers: start, online, visible, local writes, every minute,
 * and Background Sync where the browser has it. Returns a function that unwires them. */
export function watchTriggers(runner, store) {
  const onOnline = () => {
    runner.reachable = true;
    runner.failures = 0;
    runner.request('online');
  };
  const onOffline = () => runner.refresh();
  const onVisible = () => {
    if (document.visibilityState === 'visible') runner.request('visible');
  };
  const onChange = (event) => {
    runner.refresh();
    if (event.detail?.source === 'local') {
      runner.request('write', 800);
      registerBackgroundSync();
    }
  };
  const onMessage = (event) => {
    if (event.data?.type === 'sync') runner.request('background-sync');
  };
  window.addEventListener('online', onOnline);
  window.addEventListener('offline', onOffline);
  document.addEventListener('visibilitychange', onVisible);
  store.addEventListener('change', onChange);
  navigator.serviceWorker?.addEventListener('message', onMessage);
  const minute = setInterval(() => {
    if (document.visibilityState === 'visible') runner.request('interval');
  }, 60_000);
  runner.request('start');
  return () => {
    window.removeEventListener('online', onOnline);
    window.removeEventListener('offline', onOffline);
    document.removeEventListener('visibilitychange', onVisible);
    store.removeEventListener('change', onChange);
    navigator.serviceWorker?.removeEventListener('message', onMessage);
    clearInterval(minute);
    runner.stop();
  };
}

function registerBackgroundSync() {
  if (!navigator.serviceWorker?.controller) return;
  navigator.serviceWorker.ready
    .then((registration) => registration.sync?.register('pacewise-sync'))
    .catch(() => {});
}
